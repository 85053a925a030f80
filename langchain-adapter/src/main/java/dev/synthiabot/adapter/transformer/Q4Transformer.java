package dev.synthiabot.adapter.transformer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synthiabot.adapter.kernels.ForwardProfile;
import dev.synthiabot.adapter.kernels.KernelWarmUp;
import dev.synthiabot.adapter.kernels.KvCache;
import dev.synthiabot.adapter.kernels.Q4Kernels;
import dev.synthiabot.adapter.kernels.Q4Matrix;
import dev.synthiabot.adapter.kernels.RowParallel;
import dev.synthiabot.adapter.kernels.VectorMath;
import dev.synthiabot.adapter.kernels.VectorWidth;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Mistral/Llama forward pass on our own Vector API kernels over Q4 weights: batched Q4 GEMM for prompt
 * tokens (panels of dequantized rows broadcast into tiles of tokens), 16-row panel Q4 matvec for generated tokens,
 * RMSNorm, RoPE (Hugging Face's rotate-half layout), grouped-query attention over an in-memory KV cache,
 * SwiGLU. Weights are read onto the heap once at load.
 */
public final class Q4Transformer implements Transformer {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(Q4Transformer.class);
    private record Layer(float[] attnNorm, Q4Matrix wq, Q4Matrix wk, Q4Matrix wv, Q4Matrix wo,
                         float[] ffnNorm, Q4Matrix gate, Q4Matrix up, Q4Matrix down) {}

    private final int dim, hidden, heads, kvHeads, headDim, kvDim, vocab, maxContext;
    private final float eps;
    private final float[] cos, sin; // [pos * headDim/2 + i]
    private final Q4Matrix embed, lmHead;
    private final float[] finalNorm;
    private final Layer[] layers;
    private final RowParallel pool;
    private final Q4Kernels.Activations activations;
    private final KvCache.Precision kvPrecision;

    private Q4Transformer(JsonNode c, SafetensorsReader r, int maxContext, int threads, Q4Kernels.Activations activations,
                          KvCache.Precision kvPrecision) throws IOException {
        this.activations = activations;
        this.kvPrecision = kvPrecision;
        dim = c.path("hidden_size").asInt();
        hidden = c.path("intermediate_size").asInt();
        heads = c.path("num_attention_heads").asInt();
        kvHeads = c.path("num_key_value_heads").asInt(heads);
        headDim = dim / heads;
        kvDim = kvHeads * headDim;
        vocab = c.path("vocab_size").asInt();
        eps = (float) c.path("rms_norm_eps").asDouble(1e-5);
        this.maxContext = maxContext;
        double theta = c.path("rope_theta").asDouble();
        int half = headDim / 2;
        cos = new float[maxContext * half];
        sin = new float[maxContext * half];
        for (int p = 0; p < maxContext; p++) {
            for (int i = 0; i < half; i++) {
                double freq = 1.0 / Math.pow(theta, (2.0 * i) / headDim);
                double angle = p * freq;
                cos[p * half + i] = (float) Math.cos(angle);
                sin[p * half + i] = (float) Math.sin(angle);
            }
        }
        embed = r.q4("model.embed_tokens.weight");
        lmHead = r.has("lm_head.weight") ? r.q4("lm_head.weight") : embed;
        finalNorm = r.vector("model.norm.weight");
        int n = c.path("num_hidden_layers").asInt();
        layers = new Layer[n];
        // Layers are read in parallel: copying gigabytes onto the heap is faster on several cores.
        java.util.stream.IntStream.range(0, n).parallel().forEach(l -> {
            String p = "model.layers." + l + ".";
            try {
                layers[l] = new Layer(r.vector(p + "input_layernorm.weight"),
                    r.q4(p + "self_attn.q_proj.weight"), r.q4(p + "self_attn.k_proj.weight"), r.q4(p + "self_attn.v_proj.weight"),
                    r.q4(p + "self_attn.o_proj.weight"), r.vector(p + "post_attention_layernorm.weight"),
                    r.q4(p + "mlp.gate_proj.weight"), r.q4(p + "mlp.up_proj.weight"), r.q4(p + "mlp.down_proj.weight"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        pool = new RowParallel(threads);
    }

    /** Loads a Q4 model directory (config.json + safetensors in Jlama's Q4 layout). */
    public static Q4Transformer load(Path dir, int maxContext, int threads, Q4Kernels.Activations activations, KvCache.Precision kvPrecision) {
        long t0 = System.nanoTime();
        try (SafetensorsReader r = new SafetensorsReader(dir)) {
            JsonNode config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
            Q4Transformer t = new Q4Transformer(config, r, maxContext, threads, activations, kvPrecision);
            LOG.info("Read the Q4 weights onto the heap in {} ms", (System.nanoTime() - t0) / 1_000_000);
            long warm = KernelWarmUp.run();
            if (warm > 0) LOG.info("Kernels compiled by the JIT in {} ms (warm-up on small matrices)", warm);
            return t;
        } catch (IOException | UncheckedIOException e) {
            throw new UncheckedIOException("Cannot read the Q4 weights in " + dir + ": " + e.getMessage(),
                e instanceof UncheckedIOException u ? u.getCause() : (IOException) e);
        }
    }

    /** One conversation's keys and values ({@link KvCache}: per layer and KV head, in {@link #kvPrecision}). */
    private final class Kv implements State {
        final KvCache cache = KvCache.create(kvPrecision, layers.length, kvHeads, headDim, maxContext);

        @Override
        public long allocatedBytes() {
            return cache.allocatedBytes();
        }

        @Override
        public void close() {
            cache.clear();
        }
    }

    @Override
    public State newState() {
        return new Kv();
    }

    /**
     * All segments' tokens go through the matrix products as one batch (each weight read once per step for all of
     * them); attention runs per token over its own conversation's keys and values. The kernels give each token the
     * same result whatever else is in the batch ({@link Q4Kernels.Batch}), so a conversation's tokens do not depend
     * on the others.
     */
    @Override
    public float[][] forward(List<Segment> segments) {
        int n = segments.stream().mapToInt(s -> s.tokens().length).sum();
        for (Segment s : segments) {
            int end = s.start() + s.tokens().length;
            if (end > maxContext) throw new IllegalArgumentException("position " + end + " beyond the context of " + maxContext);
            ((Kv) s.state()).cache.ensure(end);
        }
        ForwardProfile.beginPass(n);
        long t = ForwardProfile.start();
        KvCache[] rowCache = new KvCache[n];
        int[] rowPos = new int[n];
        float[][] x = new float[n][dim];
        int row = 0;
        for (Segment s : segments) {
            for (int i = 0; i < s.tokens().length; i++, row++) {
                rowCache[row] = ((Kv) s.state()).cache;
                rowPos[row] = s.start() + i;
                embed.row(s.tokens()[i], x[row]);
            }
        }
        float[][] xn = new float[n][dim];
        float[][] q = new float[n][dim], k = new float[n][kvDim], v = new float[n][kvDim];
        float[][] att = new float[n][dim], o = new float[n][dim];
        float[][] g = new float[n][hidden], u = new float[n][hidden];
        ForwardProfile.phase("embed, buffers", t);
        // The per-token steps (norms, RoPE, SwiGLU) run over the tokens on all threads (a prompt step's 64 tokens took
        // 4% of its time on one thread at 16 threads); each layer's last step also norms the next layer's input.
        t = ForwardProfile.start();
        pool.forItems(n, (from, to) -> {
            for (int i = from; i < to; i++) rmsNorm(x[i], layers[0].attnNorm(), xn[i]);
        });
        ForwardProfile.phase("norms, adds", t);
        for (int l = 0; l < layers.length; l++) {
            Layer L = layers[l];
            int layer = l;
            matmul("qkv", new Q4Matrix[] {L.wq(), L.wk(), L.wv()}, xn, new float[][][] {q, k, v});
            t = ForwardProfile.start();
            pool.forItems(n, (from, to) -> {
                for (int i = from; i < to; i++) {
                    rope(q[i], heads, rowPos[i]);
                    rope(k[i], kvHeads, rowPos[i]);
                    for (int h = 0; h < kvHeads; h++) rowCache[i].put(layer, h, rowPos[i], k[i], h * headDim, v[i], h * headDim);
                }
            });
            ForwardProfile.phase("rope, kv cache", t);
            t = ForwardProfile.start();
            attention(rowCache, rowPos, l, q, att);
            ForwardProfile.phase("attention", t);
            matmul("wo", L.wo(), att, o);
            t = ForwardProfile.start();
            pool.forItems(n, (from, to) -> {
                for (int i = from; i < to; i++) {
                    add(x[i], o[i]);
                    rmsNorm(x[i], L.ffnNorm(), xn[i]);
                }
            });
            ForwardProfile.phase("norms, adds", t);
            matmul("gate+up", new Q4Matrix[] {L.gate(), L.up()}, xn, new float[][][] {g, u});
            t = ForwardProfile.start();
            pool.forItems(n, (from, to) -> {
                for (int i = from; i < to; i++) VectorMath.swiglu(g[i], u[i]);
            });
            ForwardProfile.phase("swiglu", t);
            matmul("down", L.down(), g, o);
            t = ForwardProfile.start();
            Layer next = l + 1 < layers.length ? layers[l + 1] : null;
            pool.forItems(n, (from, to) -> {
                for (int i = from; i < to; i++) {
                    add(x[i], o[i]);
                    if (next != null) rmsNorm(x[i], next.attnNorm(), xn[i]); // the next layer's first step
                }
            });
            ForwardProfile.phase("norms, adds", t);
        }
        float[][] probs = nextTokenProbabilities(segments, x);
        ForwardProfile.endPass();
        return probs;
    }

    /** The final norm and the output head for each segment's last token, where wanted, as one batch. */
    private float[][] nextTokenProbabilities(List<Segment> segments, float[][] x) {
        int wanted = 0;
        for (Segment s : segments) if (s.wantsNext()) wanted++;
        float[][] last = new float[wanted][dim], logits = new float[wanted][vocab];
        int row = 0, i = 0;
        for (Segment s : segments) {
            row += s.tokens().length;
            if (s.wantsNext()) rmsNorm(x[row - 1], finalNorm, last[i++]);
        }
        if (wanted > 0) matmul("lm head", lmHead, last, logits);
        long t = ForwardProfile.start();
        float[][] out = new float[segments.size()][];
        i = 0;
        for (int j = 0; j < out.length; j++) {
            if (!segments.get(j).wantsNext()) continue;
            softmax(logits[i]);
            out[j] = logits[i++];
        }
        ForwardProfile.phase("softmax", t);
        return out;
    }

    /** out[t] = w · x[t] for every token, rows split across threads (panel GEMM or matvec, see Q4Kernels.Batch). */
    private void matmul(String name, Q4Matrix w, float[][] x, float[][] out) {
        matmul(name, new Q4Matrix[] {w}, x, new float[][][] {out});
    }

    /**
     * outs[i][t] = ws[i] · x[t] for matrices that share their input (q, k, v; gate, up): the input is
     * prepared once and all their rows are split across the threads in one call, as if stacked.
     */
    private void matmul(String name, Q4Matrix[] ws, float[][] x, float[][][] outs) {
        if (x.length == 0) return;
        long t = ForwardProfile.start();
        Q4Kernels.Batch batch = Q4Kernels.batch(x, x.length, ws[0].cols(), activations, pool);
        ForwardProfile.phase("q8 activations", t);
        t = ForwardProfile.start();
        int total = 0;
        for (Q4Matrix w : ws) total += w.rows();
        pool.forRows(total, Q4Kernels.smallestRows(x.length, activations), (from, to) -> {
            int offset = 0;
            for (int i = 0; i < ws.length; i++) {
                int lo = Math.max(from, offset), hi = Math.min(to, offset + ws[i].rows());
                if (lo < hi) Q4Kernels.matmul(ws[i], batch, outs[i], lo - offset, hi - offset);
                offset += ws[i].rows();
            }
        });
        ForwardProfile.phase(name, t);
    }

    /**
     * Grouped-query attention, one job per (KV head, token), each token over its own conversation's cache up to its
     * position: the query heads that share a KV head (4 in SynthIA-7B) go through the cached positions together, four
     * at a time, so each key and value is read once for all of them ({@link KvCache#scores}, {@link KvCache#weightedSum}).
     * Jobs are head-major, so a thread's consecutive jobs read the same head's keys and values (still in its cache) for
     * the tokens of a prompt batch.
     */
    private void attention(KvCache[] rowCache, int[] rowPos, int layer, float[][] q, float[][] out) {
        int n = q.length;
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        int longest = 0;
        for (int p : rowPos) longest = Math.max(longest, p + 1);
        int length = KvCache.scoresLength(longest);
        pool.forItems(n * kvHeads, (from, to) -> {
            float[] s0 = new float[length], s1 = new float[length], s2 = new float[length], s3 = new float[length];
            for (int job = from; job < to; job++) {
                int g = job / n, t = job % n;
                KvCache cache = rowCache[t];
                int positions = rowPos[t] + 1;
                for (int i = 0; i < group; i += 4) {
                    int heads = Math.min(4, group - i);
                    // fewer than four heads left: the last one is repeated (same offset, same scores array)
                    int q0 = (g * group + i) * headDim;
                    int q1 = heads > 1 ? q0 + headDim : q0, q2 = heads > 2 ? q0 + 2 * headDim : q1, q3 = heads > 3 ? q0 + 3 * headDim : q2;
                    float[] w1 = heads > 1 ? s1 : s0, w2 = heads > 2 ? s2 : w1, w3 = heads > 3 ? s3 : w2;
                    cache.scores(layer, g, positions, q[t], q0, q1, q2, q3, scale, s0, w1, w2, w3);
                    float r0 = 1f / VectorMath.expMinusMax(s0, positions);
                    float r1 = heads > 1 ? 1f / VectorMath.expMinusMax(s1, positions) : r0;
                    float r2 = heads > 2 ? 1f / VectorMath.expMinusMax(s2, positions) : r1;
                    float r3 = heads > 3 ? 1f / VectorMath.expMinusMax(s3, positions) : r2;
                    cache.weightedSum(layer, g, positions, s0, w1, w2, w3, r0, r1, r2, r3, out[t], q0, q1, q2, q3);
                }
            }
        });
    }

    /** Rotates each head's (i, i + headDim/2) pairs by the position's angles (Hugging Face layout). */
    private void rope(float[] v, int nHeads, int pos) {
        int half = headDim / 2;
        int base = pos * half;
        for (int h = 0; h < nHeads; h++) {
            int o = h * headDim;
            for (int i = 0; i < half; i++) {
                float a = v[o + i], b = v[o + i + half];
                float c = cos[base + i], s = sin[base + i];
                v[o + i] = a * c - b * s;
                v[o + i + half] = a * s + b * c;
            }
        }
    }

    private void rmsNorm(float[] x, float[] w, float[] out) {
        VectorMath.rmsNorm(x, w, eps, out);
    }

    private static void add(float[] x, float[] y) {
        VectorMath.axpy(1f, y, 0, x, 0, x.length);
    }

    private static void softmax(float[] x) {
        float sum = VectorMath.expMinusMax(x, x.length);
        float inv = 1f / sum;
        for (int i = 0; i < x.length; i++) x[i] *= inv;
    }

    @Override
    public void copyPrefix(State from, State to, int n) {
        ((Kv) from).cache.copyPrefixTo(((Kv) to).cache, n);
    }

    @Override
    public long bytesPerToken() {
        return KvCache.bytesPerPosition(kvPrecision, layers.length, kvHeads, headDim);
    }

    @Override
    public int tokensPerTile() {
        return Q4Kernels.tokensPerTile(activations);
    }

    @Override
    public String describe() {
        return "synthia-bot Q4 kernels (" + VectorWidth.PATH + ", " + activations + " activations, " + kvPrecision + " KV cache, " + pool.threads() + " threads)";
    }

    @Override
    public void close() {
        pool.close();
    }
}
