package dev.synthiabot.adapter.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.synthiabot.adapter.loading.SafetensorsWriter;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Writes a random-weight Mistral model directly in Jlama's Q4 layout (no F32 copy is ever made, so a
 * 7B model needs only its ~4.5 GB of disk and little RAM): every matrix as Q4 nibbles plus a
 * {@code .qb} F32 block-scale tensor, norms as F32 ones.
 */
public final class RandomQ4ModelWriter {

    /** A model shape; {@link #SYNTHIA_7B} is SynthIA-7B-v1.3's (Mistral-7B's). */
    public record Shape(int hidden, int intermediate, int layers, int heads, int kvHeads, int vocab) {
        public static final Shape SYNTHIA_7B = new Shape(4096, 14336, 32, 32, 8, 32000);

        int headDim() {
            return hidden / heads;
        }

        public long parameters() {
            long kv = (long) kvHeads * headDim();
            long perLayer = 2L * hidden * hidden + 2L * kv * hidden + 3L * hidden * intermediate + 2L * hidden;
            return layers * perLayer + 2L * vocab * hidden + hidden;
        }

        /** Bytes on disk in Q4 (5 bits per quantized weight). */
        public long q4Bytes() {
            return parameters() * 5 / 8;
        }
    }

    private static final int BLOCK = 32;
    private static final int POOL = 1 << 26;

    private RandomQ4ModelWriter() {}

    /**
     * The benchmarks' model of {@code shape} under {@code root} ({@code random-<shape>-Q4}, with the tiny fixture's
     * tokenizer), written once: a later run, or another benchmark, reuses it.
     */
    public static Path benchmarkModel(Shape shape, Path root) throws IOException {
        Path dir = root.resolve("random-" + shape.hidden() + "x" + shape.intermediate() + "x" + shape.layers() + "-h" + shape.heads()
            + "-kv" + shape.kvHeads() + "-v" + shape.vocab() + "-Q4");
        if (Files.exists(dir.resolve("config.json")) && Files.exists(dir.resolve("tokenizer_config.json"))) return dir;
        Path tiny;
        try {
            tiny = Path.of(RandomQ4ModelWriter.class.getResource("/models/tiny-mistral-a/tokenizer.json").toURI()).getParent();
        } catch (java.net.URISyntaxException e) {
            throw new IOException(e);
        }
        Path tmp = dir.resolveSibling(dir.getFileName() + ".partial");
        System.out.printf("Writing a random Q4 model to %s (%.2f GB)%n", dir, shape.q4Bytes() / 1e9);
        write(shape, tmp, tiny.resolve("tokenizer.json"), 7);
        Files.copy(tiny.resolve("tokenizer_config.json"), tmp.resolve("tokenizer_config.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, dir);
        return dir;
    }

    public static void write(Shape s, Path dir, Path tokenizerJson, long seed) throws IOException {
        Files.createDirectories(dir);
        long kv = (long) s.kvHeads() * s.headDim();
        List<Object[]> tensors = new ArrayList<>(); // {name, rows, cols, quantized}
        tensors.add(new Object[] {"model.embed_tokens.weight", (long) s.vocab(), (long) s.hidden(), true});
        for (int l = 0; l < s.layers(); l++) {
            String p = "model.layers." + l + ".";
            tensors.add(new Object[] {p + "self_attn.q_proj.weight", (long) s.hidden(), (long) s.hidden(), true});
            tensors.add(new Object[] {p + "self_attn.k_proj.weight", kv, (long) s.hidden(), true});
            tensors.add(new Object[] {p + "self_attn.v_proj.weight", kv, (long) s.hidden(), true});
            tensors.add(new Object[] {p + "self_attn.o_proj.weight", (long) s.hidden(), (long) s.hidden(), true});
            tensors.add(new Object[] {p + "mlp.gate_proj.weight", (long) s.intermediate(), (long) s.hidden(), true});
            tensors.add(new Object[] {p + "mlp.up_proj.weight", (long) s.intermediate(), (long) s.hidden(), true});
            tensors.add(new Object[] {p + "mlp.down_proj.weight", (long) s.hidden(), (long) s.intermediate(), true});
            tensors.add(new Object[] {p + "input_layernorm.weight", 1L, (long) s.hidden(), false});
            tensors.add(new Object[] {p + "post_attention_layernorm.weight", 1L, (long) s.hidden(), false});
        }
        tensors.add(new Object[] {"model.norm.weight", 1L, (long) s.hidden(), false});
        tensors.add(new Object[] {"lm_head.weight", (long) s.vocab(), (long) s.hidden(), true});

        List<SafetensorsWriter.Spec> specs = new ArrayList<>();
        for (Object[] t : tensors) {
            long rows = (long) t[1], cols = (long) t[2];
            if ((boolean) t[3]) {
                specs.add(new SafetensorsWriter.Spec((String) t[0], "Q4", new long[] {rows, cols}, rows * cols / 2));
                specs.add(new SafetensorsWriter.Spec(t[0] + ".qb", "F32", new long[] {rows, cols / BLOCK}, rows * cols / BLOCK * 4));
            } else {
                specs.add(new SafetensorsWriter.Spec((String) t[0], "F32", new long[] {cols}, cols * 4));
            }
        }

        // Random data is drawn once into a pool and cycled: the values don't matter for speed.
        SplittableRandom rnd = new SplittableRandom(seed);
        byte[] nibbles = new byte[POOL];
        for (int i = 0; i < POOL; i += 8) {
            long v = rnd.nextLong();
            for (int b = 0; b < 8; b++) nibbles[i + b] = (byte) (v >>> (8 * b));
        }
        ByteBuffer scales = ByteBuffer.allocate(POOL).order(ByteOrder.LITTLE_ENDIAN);
        // Uniform nibbles in [-8, 7] have a standard deviation of ~4.6; scale to weights of ~0.02.
        while (scales.hasRemaining()) scales.putFloat((float) (0.02 / 4.6 * (0.5 + rnd.nextDouble())));
        byte[] ones = new byte[s.hidden() * 4];
        ByteBuffer.wrap(ones).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().put(filled(s.hidden()));

        long cursor = 0;
        try (SafetensorsWriter out = new SafetensorsWriter(dir.resolve("model.safetensors"), specs, Map.of("format", "pt"))) {
            for (SafetensorsWriter.Spec spec : specs) {
                if (spec.dtype().equals("F32") && spec.shape().length == 1) {
                    out.write(ones, 0, ones.length);
                    continue;
                }
                byte[] pool = spec.dtype().equals("Q4") ? nibbles : scales.array();
                long left = spec.bytes();
                while (left > 0) {
                    int off = (int) (cursor++ * 4099 % (POOL / 2)) & ~3;
                    int n = (int) Math.min(left, POOL / 2);
                    out.write(pool, off, n);
                    left -= n;
                }
            }
        }
        writeConfig(s, dir);
        Files.copy(tokenizerJson, dir.resolve("tokenizer.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }

    private static float[] filled(int n) {
        float[] f = new float[n];
        java.util.Arrays.fill(f, 1f);
        return f;
    }

    private static void writeConfig(Shape s, Path dir) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode c = json.createObjectNode();
        c.putArray("architectures").add("MistralForCausalLM");
        c.put("model_type", "mistral");
        c.put("bos_token_id", 1);
        c.put("eos_token_id", 2);
        c.put("hidden_act", "silu");
        c.put("hidden_size", s.hidden());
        c.put("intermediate_size", s.intermediate());
        c.put("max_position_embeddings", 32768);
        c.put("num_attention_heads", s.heads());
        c.put("num_hidden_layers", s.layers());
        c.put("num_key_value_heads", s.kvHeads());
        c.put("rms_norm_eps", 1e-5);
        c.put("rope_theta", 10000.0);
        c.put("sliding_window", 4096);
        c.put("tie_word_embeddings", false);
        c.put("torch_dtype", "bfloat16");
        c.put("vocab_size", s.vocab());
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), c);
    }
}
