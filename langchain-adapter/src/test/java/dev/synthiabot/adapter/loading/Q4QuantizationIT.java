package dev.synthiabot.adapter.loading;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.KvBufferCache;
import dev.synthiabot.adapter.Fixtures;
import dev.synthiabot.adapter.kernels.KvCache;
import dev.synthiabot.adapter.kernels.Q4Kernels.Activations;
import dev.synthiabot.adapter.transformer.Q4Transformer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Q4 quantization of the tiny model: the Q4 kernels against F32 over the same (dequantized) weights. */
class Q4QuantizationIT {
    @TempDir
    static Path temp;
    static LoadedModel q4;
    static LoadedModel dequantized;

    @BeforeAll
    static void quantize() throws Exception {
        q4 = ModelLoader.load(Fixtures.tinyModel(), true, temp.resolve("cache"), Optional.empty());
        Path f32 = Dequantizer.dequantize(q4.loadedFrom(), temp.resolve("dequantized"));
        dequantized = ModelLoader.load(f32, false, temp.resolve("unused"), Optional.empty());
    }

    @AfterAll
    static void close() {
        q4.close();
        dequantized.close();
    }

    static Stream<String> cases() {
        return Fixtures.caseNames().stream();
    }

    private static float[] lastHidden(AbstractModel m, int[] ids) {
        try (KvBufferCache cache = new KvBufferCache(m); KvBufferCache.KvBuffer kv = cache.getEphemeralKvBuffer()) {
            AbstractTensor out = m.batchForward(ids, 0, kv);
            AbstractTensor last = out.slice(out.shape().first() - 1);
            float[] h = new float[m.getConfig().embeddingLength];
            for (int i = 0; i < h.length; i++) h[i] = last.get(0, i);
            out.close();
            return h;
        }
    }

    private static float[] probs(AbstractModel m, int[] ids) {
        try (KvBufferCache cache = new KvBufferCache(m); KvBufferCache.KvBuffer kv = cache.getEphemeralKvBuffer()) {
            AbstractTensor out = m.batchForward(ids, 0, kv);
            float[] p = m.getLogits(out.slice(out.shape().first() - 1));
            out.close();
            return p;
        }
    }

    private static double relativeError(float[] a, float[] b) {
        double diff = 0, norm = 0;
        for (int i = 0; i < a.length; i++) {
            diff += (a[i] - b[i]) * (double) (a[i] - b[i]);
            norm += b[i] * (double) b[i];
        }
        return Math.sqrt(diff / norm);
    }

    @Test
    void should_store_matrices_as_q4_and_keep_norms_unquantized() {
        var header = ModelDirectory.safetensorsHeader(q4.loadedFrom().resolve("model.safetensors"));

        assertThat(header.path("model.layers.0.mlp.down_proj.weight").path("dtype").asText()).isEqualTo("Q4");
        assertThat(header.path("model.layers.0.mlp.down_proj.weight.qb").path("shape").toString()).isEqualTo("[64,4]");
        assertThat(header.path("model.layers.0.input_layernorm.weight").path("dtype").asText()).isEqualTo("F32");
        assertThat(q4.quantized()).isTrue();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void should_compute_with_q4_kernels_what_f32_computes_over_the_dequantized_weights(String name) {
        int[] ids = Fixtures.ints(Fixtures.refCase(name).path("input_ids"));

        float[] hQ4 = lastHidden(q4.model(), ids);
        float[] hF32 = lastHidden(dequantized.model(), ids);
        float[] logQ4 = log(probs(q4.model(), ids));
        float[] logF32 = log(probs(dequantized.model(), ids));

        assertThat(relativeError(hQ4, hF32)).isLessThan(1e-3);
        assertThat(relativeError(logQ4, logF32)).isLessThan(1e-3);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void should_compute_with_our_q4_kernels_what_jlama_computes(String name) {
        int[] ids = Fixtures.ints(Fixtures.refCase(name).path("input_ids"));
        try (var ours = Q4Transformer.load(q4.loadedFrom(), 4096, 2, Activations.F32, KvCache.Precision.F32)) {
            var state = ours.newState();
            // In two chunks, as the engine does with its KV cache: prompt batch, then single tokens.
            int split = ids.length - 3;
            ours.forward(java.util.Arrays.copyOfRange(ids, 0, split), 0, state);
            ours.forward(java.util.Arrays.copyOfRange(ids, split, ids.length - 1), split, state);
            float[] pOurs = ours.forward(new int[] {ids[ids.length - 1]}, ids.length - 1, state);
            float[] pJlama = probs(q4.model(), ids);

            assertThat(relativeError(log(pOurs), log(pJlama))).isLessThan(1e-3);
            assertThat(argmax(pOurs)).isEqualTo(argmax(pJlama));
        }
    }

    @ParameterizedTest
    @MethodSource("cases")
    void should_generate_with_8_bit_activations_what_float_activations_give(String name) {
        int[] ids = Fixtures.ints(Fixtures.refCase(name).path("input_ids"));
        float[] q8 = ours(ids, Activations.Q8, KvCache.Precision.F32), f32 = ours(ids, Activations.F32, KvCache.Precision.F32);

        assertCloseApproximation("Q8 vs F32 activations, " + name, q8, f32, 2e-2);
    }

    @ParameterizedTest
    @MethodSource("cases")
    void should_predict_with_a_bfloat16_kv_cache_what_a_float_cache_gives(String name) {
        int[] ids = Fixtures.ints(Fixtures.refCase(name).path("input_ids"));
        float[] bf16 = ours(ids, Activations.F32, KvCache.Precision.BF16), f32 = ours(ids, Activations.F32, KvCache.Precision.F32);

        assertCloseApproximation("bfloat16 vs float KV cache, " + name, bf16, f32, 1e-2);
    }

    /** An approximation changes the probabilities (it is in use), by less than {@code bound}, and keeps the top token. */
    private static void assertCloseApproximation(String what, float[] approx, float[] exact, double bound) {
        double err = relativeError(log(approx), log(exact));
        System.out.printf("%s: relative error of the log-probabilities %.2e%n", what, err);
        assertThat(err).as(what).isGreaterThan(0).isLessThan(bound);
        assertThat(argmax(approx)).as(what).isEqualTo(argmax(exact));
    }

    /**
     * Our forward pass on the Q4 model: the prompt but its last 3 tokens as a batch, then token by token (where 8-bit
     * activations apply, reading the cache the batch wrote); the probabilities after the last token.
     */
    private static float[] ours(int[] ids, Activations activations, KvCache.Precision kv) {
        try (Q4Transformer t = Q4Transformer.load(q4.loadedFrom(), 4096, 2, activations, kv)) {
            var state = t.newState();
            int split = ids.length - 3;
            t.forward(java.util.Arrays.copyOfRange(ids, 0, split), 0, state);
            for (int i = split; i < ids.length - 1; i++) t.forward(new int[] {ids[i]}, i, state);
            return t.forward(new int[] {ids[ids.length - 1]}, ids.length - 1, state);
        }
    }

    private static int argmax(float[] p) {
        int best = 0;
        for (int i = 1; i < p.length; i++) if (p[i] > p[best]) best = i;
        return best;
    }

    @ParameterizedTest
    @MethodSource("cases")
    void should_keep_the_reference_top_token_in_its_top_ten(String name) {
        var ref = Fixtures.refCase(name);
        int refTop = ref.path("last_logits_top20").get(0).get(0).asInt();

        float[] p = probs(q4.model(), Fixtures.ints(ref.path("input_ids")));

        int rank = 0;
        for (float v : p) if (v > p[refTop]) rank++;
        System.out.printf("Q4 %s: reference top-1 token %d has rank %d%n", name, refTop, rank);
        assertThat(rank).isLessThan(10);
    }

    @Test
    void should_reuse_the_cached_q4_model_on_the_next_start() throws IOException {
        Path cached = q4.loadedFrom().resolve("model.safetensors");
        FileTime before = Files.getLastModifiedTime(cached);

        try (LoadedModel again = ModelLoader.load(Fixtures.tinyModel(), true, temp.resolve("cache"), Optional.empty())) {
            assertThat(again.loadedFrom()).isEqualTo(q4.loadedFrom());
        }
        assertThat(Files.getLastModifiedTime(cached)).isEqualTo(before);
        try (Stream<Path> cache = Files.list(temp.resolve("cache"))) {
            assertThat(cache.map(p -> p.getFileName().toString())).singleElement().asString().contains("-Q4-");
        }
    }

    @Test
    void should_leave_nothing_behind_in_the_temp_directory_after_close() throws IOException {
        Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
        Set<Path> before = list(tmp);

        try (var model = dev.synthiabot.adapter.TinyModels.q4Greedy(temp.resolve("cache")).build()) {
            model.chat("hello there");
        }

        assertThat(list(tmp)).isSubsetOf(before);
    }

    private static Set<Path> list(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.collect(Collectors.toSet());
        }
    }

    private static float[] log(float[] p) {
        float[] r = new float[p.length];
        for (int i = 0; i < p.length; i++) r[i] = (float) Math.log(Math.max(p[i], 1e-30f));
        return r;
    }
}
