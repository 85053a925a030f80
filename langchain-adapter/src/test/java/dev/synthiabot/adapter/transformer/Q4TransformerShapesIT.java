package dev.synthiabot.adapter.transformer;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synthiabot.adapter.Fixtures;
import dev.synthiabot.adapter.bench.RandomQ4ModelWriter;
import dev.synthiabot.adapter.kernels.KvCache;
import dev.synthiabot.adapter.kernels.Q4Kernels;
import dev.synthiabot.adapter.kernels.Q4Matrix;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Our Q4 forward pass against a plain scalar Mistral forward pass in double precision over the same (dequantized)
 * weights, on random Q4 models of other shapes than the fixture's: one, three and eight query heads per KV head
 * (attention takes query heads four at a time), 64- and 128-dimension heads, and a prompt long enough to cross key
 * blocks, value blocks and a KV page, as a batch, a second batch and single tokens.
 */
class Q4TransformerShapesIT {

    @ParameterizedTest(name = "hidden {0}, {1} heads, {2} KV heads, {3} KV cache")
    @CsvSource({"512, 8, 8, F32", "512, 8, 1, BF16", "1536, 12, 4, F32"})
    void should_compute_the_plain_definition_for_any_head_grouping(int hidden, int heads, int kvHeads, KvCache.Precision kv,
                                                                   @TempDir Path dir) throws IOException {
        RandomQ4ModelWriter.write(new RandomQ4ModelWriter.Shape(hidden, 1024, 2, heads, kvHeads, 512), dir,
            Fixtures.tinyModel().resolve("tokenizer.json"), 7);
        Random r = new Random(hidden + heads * 31L + kvHeads);
        int[] ids = new int[280];
        for (int i = 0; i < ids.length; i++) ids[i] = r.nextInt(512);

        float[] ours;
        try (Q4Transformer t = Q4Transformer.load(dir, 4096, 2, Q4Kernels.Activations.F32, kv)) {
            Transformer.State state = t.newState();
            t.forward(Arrays.copyOfRange(ids, 0, 200), 0, state);
            t.forward(Arrays.copyOfRange(ids, 200, 290), 200, state);
            for (int i = 290; i < ids.length - 1; i++) t.forward(new int[] {ids[i]}, i, state);
            ours = t.forward(new int[] {ids[ids.length - 1]}, ids.length - 1, state);
            state.close();
        }
        double[][] lastTwo = new Reference(dir).logProbs(ids);
        double[] reference = lastTwo[1], previous = lastTwo[0];

        double err = relativeError(centered(ours), centered(reference));
        double otherErr = relativeError(centered(previous), centered(reference));
        System.out.printf("hidden %d, %d heads, %d KV heads, %s cache: ours vs definition %.2e (the position before: %.2e)%n",
            hidden, heads, kvHeads, kv, err, otherErr);
        assertThat(err).isLessThan(kv == KvCache.Precision.F32 ? 5e-5 : 5e-4);
        assertThat(otherErr).as("the comparison tells positions apart").isGreaterThan(1e-3);
    }

    /** Log-probabilities minus their mean (random weights give flat distributions: compare their shape). */
    private static double[] centered(float[] p) {
        double[] l = new double[p.length];
        for (int i = 0; i < p.length; i++) l[i] = Math.log(p[i]);
        return centered(l);
    }

    private static double[] centered(double[] l) {
        double mean = Arrays.stream(l).average().orElseThrow();
        return Arrays.stream(l).map(v -> v - mean).toArray();
    }

    private static double relativeError(double[] a, double[] b) {
        double diff = 0, norm = 0;
        for (int i = 0; i < a.length; i++) {
            diff += (a[i] - b[i]) * (a[i] - b[i]);
            norm += b[i] * b[i];
        }
        return Math.sqrt(diff / norm);
    }

    /** Mistral's forward pass as written in Hugging Face transformers, token by token, in doubles. */
    private static final class Reference {
        final int dim, heads, kvHeads, headDim, vocab;
        final double eps, theta;
        final double[][] embed, lmHead;
        final double[] finalNorm;
        final List<double[][][]> layers = new ArrayList<>(); // q, k, v, o, gate, up, down
        final List<double[][]> norms = new ArrayList<>();

        Reference(Path dir) throws IOException {
            JsonNode c = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
            dim = c.path("hidden_size").asInt();
            heads = c.path("num_attention_heads").asInt();
            kvHeads = c.path("num_key_value_heads").asInt();
            headDim = dim / heads;
            vocab = c.path("vocab_size").asInt();
            eps = c.path("rms_norm_eps").asDouble();
            theta = c.path("rope_theta").asDouble();
            try (SafetensorsReader r = new SafetensorsReader(dir)) {
                embed = dense(r.q4("model.embed_tokens.weight"));
                lmHead = dense(r.q4("lm_head.weight"));
                finalNorm = toDouble(r.vector("model.norm.weight"));
                for (int l = 0; l < c.path("num_hidden_layers").asInt(); l++) {
                    String p = "model.layers." + l + ".";
                    layers.add(new double[][][] {dense(r.q4(p + "self_attn.q_proj.weight")), dense(r.q4(p + "self_attn.k_proj.weight")),
                        dense(r.q4(p + "self_attn.v_proj.weight")), dense(r.q4(p + "self_attn.o_proj.weight")),
                        dense(r.q4(p + "mlp.gate_proj.weight")), dense(r.q4(p + "mlp.up_proj.weight")), dense(r.q4(p + "mlp.down_proj.weight"))});
                    norms.add(new double[][] {toDouble(r.vector(p + "input_layernorm.weight")),
                        toDouble(r.vector(p + "post_attention_layernorm.weight"))});
                }
            }
        }

        /** Log-probabilities of the token after the last and after the second-to-last of {@code ids}. */
        double[][] logProbs(int[] ids) {
            int n = ids.length;
            double[][][] keys = new double[layers.size()][n][], values = new double[layers.size()][n][];
            double[][] out = new double[2][];
            for (int pos = 0; pos < n; pos++) {
                double[] x = embed[ids[pos]].clone();
                for (int l = 0; l < layers.size(); l++) {
                    double[][][] w = layers.get(l);
                    double[] xn = rmsNorm(x, norms.get(l)[0]);
                    double[] q = rope(mul(w[0], xn), pos), k = rope(mul(w[1], xn), pos), v = mul(w[2], xn);
                    keys[l][pos] = k;
                    values[l][pos] = v;
                    double[] att = new double[dim];
                    for (int h = 0; h < heads; h++) {
                        int g = h / (heads / kvHeads);
                        double[] s = new double[pos + 1];
                        double max = Double.NEGATIVE_INFINITY, sum = 0;
                        for (int p = 0; p <= pos; p++) {
                            for (int d = 0; d < headDim; d++) s[p] += q[h * headDim + d] * keys[l][p][g * headDim + d];
                            s[p] /= Math.sqrt(headDim);
                            max = Math.max(max, s[p]);
                        }
                        for (int p = 0; p <= pos; p++) sum += s[p] = Math.exp(s[p] - max);
                        for (int p = 0; p <= pos; p++) {
                            for (int d = 0; d < headDim; d++) att[h * headDim + d] += s[p] / sum * values[l][p][g * headDim + d];
                        }
                    }
                    add(x, mul(w[3], att));
                    xn = rmsNorm(x, norms.get(l)[1]);
                    double[] gate = mul(w[4], xn), up = mul(w[5], xn);
                    for (int i = 0; i < gate.length; i++) gate[i] = gate[i] / (1 + Math.exp(-gate[i])) * up[i];
                    add(x, mul(w[6], gate));
                }
                if (pos >= n - 2) out[pos - (n - 2)] = logSoftmax(mul(lmHead, rmsNorm(x, finalNorm)));
            }
            return out;
        }

        static double[] logSoftmax(double[] logits) {
            double max = Arrays.stream(logits).max().orElseThrow(), sum = 0;
            for (double v : logits) sum += Math.exp(v - max);
            double log = max + Math.log(sum);
            return Arrays.stream(logits).map(v -> v - log).toArray();
        }

        double[] rope(double[] v, int pos) {
            int half = headDim / 2;
            for (int o = 0; o < v.length; o += headDim) {
                for (int i = 0; i < half; i++) {
                    double angle = pos / Math.pow(theta, 2.0 * i / headDim);
                    double a = v[o + i], b = v[o + i + half];
                    v[o + i] = a * Math.cos(angle) - b * Math.sin(angle);
                    v[o + i + half] = a * Math.sin(angle) + b * Math.cos(angle);
                }
            }
            return v;
        }

        double[] rmsNorm(double[] x, double[] w) {
            double ss = 0;
            for (double v : x) ss += v * v;
            double inv = 1 / Math.sqrt(ss / x.length + eps);
            double[] out = new double[x.length];
            for (int i = 0; i < x.length; i++) out[i] = x[i] * inv * w[i];
            return out;
        }

        static double[] mul(double[][] w, double[] x) {
            double[] out = new double[w.length];
            for (int r = 0; r < w.length; r++) {
                double s = 0;
                for (int c = 0; c < x.length; c++) s += w[r][c] * x[c];
                out[r] = s;
            }
            return out;
        }

        static void add(double[] x, double[] y) {
            for (int i = 0; i < x.length; i++) x[i] += y[i];
        }

        static double[][] dense(Q4Matrix m) {
            double[][] d = new double[m.rows()][m.cols()];
            for (int r = 0; r < m.rows(); r++) for (int c = 0; c < m.cols(); c++) d[r][c] = m.get(r, c);
            return d;
        }

        static double[] toDouble(float[] f) {
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) d[i] = f[i];
            return d;
        }
    }
}
