package dev.synthiabot.adapter.transformer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synthiabot.adapter.kernels.Q4Kernels;
import dev.synthiabot.adapter.kernels.Q4Matrix;
import dev.synthiabot.adapter.kernels.RowParallel;
import dev.synthiabot.adapter.kernels.VectorMath;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Arrays;

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

    private Q4Transformer(JsonNode c, SafetensorsReader r, int maxContext, int threads, Q4Kernels.Activations activations) throws IOException {
        this.activations = activations;
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
    public static Q4Transformer load(Path dir, int maxContext, int threads, Q4Kernels.Activations activations) {
        long t0 = System.nanoTime();
        try (SafetensorsReader r = new SafetensorsReader(dir)) {
            JsonNode config = new ObjectMapper().readTree(dir.resolve("config.json").toFile());
            Q4Transformer t = new Q4Transformer(config, r, maxContext, threads, activations);
            LOG.info("Read the Q4 weights onto the heap in {} ms", (System.nanoTime() - t0) / 1_000_000);
            long warm = Q4Kernels.warmUp();
            if (warm > 0) LOG.info("Kernels compiled by the JIT in {} ms (warm-up on small matrices)", warm);
            return t;
        } catch (IOException | UncheckedIOException e) {
            throw new UncheckedIOException("Cannot read the Q4 weights in " + dir + ": " + e.getMessage(),
                e instanceof UncheckedIOException u ? u.getCause() : (IOException) e);
        }
    }

    /** Keys and values per layer, position-major ({@code [pos * kvDim + i]}), grown on demand. */
    private final class Kv implements State {
        final float[][] keys = new float[layers.length][];
        final float[][] values = new float[layers.length][];
        int capacity;

        void ensure(int positions) {
            if (positions <= capacity) return;
            int cap = Math.min(maxContext, Math.max(positions, Math.max(64, capacity * 2)));
            for (int l = 0; l < layers.length; l++) {
                keys[l] = keys[l] == null ? new float[cap * kvDim] : Arrays.copyOf(keys[l], cap * kvDim);
                values[l] = values[l] == null ? new float[cap * kvDim] : Arrays.copyOf(values[l], cap * kvDim);
            }
            capacity = cap;
        }

        @Override
        public long allocatedBytes() {
            return (long) capacity * bytesPerToken();
        }

        @Override
        public void close() {
            Arrays.fill(keys, null);
            Arrays.fill(values, null);
            capacity = 0;
        }
    }

    @Override
    public State newState() {
        return new Kv();
    }

    @Override
    public float[] forward(int[] tokens, int start, State state) {
        Kv kv = (Kv) state;
        int n = tokens.length;
        if (start + n > maxContext) throw new IllegalArgumentException("position " + (start + n) + " beyond the context of " + maxContext);
        kv.ensure(start + n);
        float[][] x = new float[n][dim];
        for (int t = 0; t < n; t++) embed.row(tokens[t], x[t]);
        float[][] xn = new float[n][dim];
        float[][] q = new float[n][dim], k = new float[n][kvDim], v = new float[n][kvDim];
        float[][] att = new float[n][dim], o = new float[n][dim];
        float[][] g = new float[n][hidden], u = new float[n][hidden];
        for (int l = 0; l < layers.length; l++) {
            Layer L = layers[l];
            for (int t = 0; t < n; t++) rmsNorm(x[t], L.attnNorm(), xn[t]);
            matmul(new Q4Matrix[] {L.wq(), L.wk(), L.wv()}, xn, new float[][][] {q, k, v});
            for (int t = 0; t < n; t++) {
                int pos = start + t;
                rope(q[t], heads, pos);
                rope(k[t], kvHeads, pos);
                System.arraycopy(k[t], 0, kv.keys[l], pos * kvDim, kvDim);
                System.arraycopy(v[t], 0, kv.values[l], pos * kvDim, kvDim);
            }
            attention(kv, l, q, att, start, n);
            matmul(L.wo(), att, o);
            for (int t = 0; t < n; t++) add(x[t], o[t]);
            for (int t = 0; t < n; t++) rmsNorm(x[t], L.ffnNorm(), xn[t]);
            matmul(new Q4Matrix[] {L.gate(), L.up()}, xn, new float[][][] {g, u});
            for (int t = 0; t < n; t++) swiglu(g[t], u[t]);
            matmul(L.down(), g, o);
            for (int t = 0; t < n; t++) add(x[t], o[t]);
        }
        float[] last = new float[dim];
        rmsNorm(x[n - 1], finalNorm, last);
        float[] logits = new float[vocab];
        float[][] lastRow = {last}, logitRow = {logits};
        matmul(lmHead, lastRow, logitRow);
        softmax(logits);
        return logits;
    }

    /** out[t] = w · x[t] for every token, rows split across threads (panel GEMM or matvec, see Q4Kernels.Batch). */
    private void matmul(Q4Matrix w, float[][] x, float[][] out) {
        matmul(new Q4Matrix[] {w}, x, new float[][][] {out});
    }

    /**
     * outs[i][t] = ws[i] · x[t] for matrices that share their input (q, k, v; gate, up): the input is
     * prepared once and all their rows are split across the threads in one call, as if stacked.
     */
    private void matmul(Q4Matrix[] ws, float[][] x, float[][][] outs) {
        Q4Kernels.Batch batch = Q4Kernels.batch(x, x.length, ws[0].cols(), activations);
        int total = 0;
        for (Q4Matrix w : ws) total += w.rows();
        pool.forRows(total, (from, to) -> {
            int offset = 0;
            for (int i = 0; i < ws.length; i++) {
                int lo = Math.max(from, offset), hi = Math.min(to, offset + ws[i].rows());
                if (lo < hi) Q4Kernels.matmul(ws[i], batch, outs[i], lo - offset, hi - offset);
                offset += ws[i].rows();
            }
        });
    }

    /**
     * Grouped-query attention, one job per (token, KV head): the query heads that share a KV head go through
     * the cached positions together, so each key and value row is read once for all of them (4 query heads per
     * KV head in SynthIA-7B) and stays in L1 between them. Softmax exponentials are vectorized.
     */
    private void attention(Kv kv, int layer, float[][] q, float[][] out, int start, int n) {
        int group = heads / kvHeads;
        float scale = (float) (1.0 / Math.sqrt(headDim));
        float[] keys = kv.keys[layer], values = kv.values[layer];
        // RowParallel splits in multiples of 16 rows: 16 "rows" per job, so even 8 jobs (one token) use every thread
        pool.forRows(n * kvHeads * 16, (from, to) -> {
            float[][] scores = new float[group][start + n];
            float[] sums = new float[group];
            for (int job = from / 16; job < to / 16; job++) {
                int t = job / kvHeads, g = job % kvHeads;
                int pos = start + t;
                int ko = g * headDim, qo = g * group * headDim;
                for (int p = 0; p <= pos; p++) {
                    int kp = p * kvDim + ko;
                    for (int i = 0; i < group; i++) scores[i][p] = VectorMath.dotF32(q[t], qo + i * headDim, keys, kp, headDim) * scale;
                }
                for (int i = 0; i < group; i++) sums[i] = VectorMath.expMinusMax(scores[i], pos + 1);
                float[] o = out[t];
                Arrays.fill(o, qo, qo + group * headDim, 0f);
                for (int p = 0; p <= pos; p++) {
                    int vp = p * kvDim + ko;
                    for (int i = 0; i < group; i++) VectorMath.axpy(scores[i][p] / sums[i], values, vp, o, qo + i * headDim, headDim);
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

    private static void swiglu(float[] g, float[] u) {
        VectorMath.swiglu(g, u);
    }

    private static void softmax(float[] x) {
        float sum = VectorMath.expMinusMax(x, x.length);
        float inv = 1f / sum;
        for (int i = 0; i < x.length; i++) x[i] *= inv;
    }

    @Override
    public void copyPrefix(State from, State to, int n) {
        Kv src = (Kv) from, dst = (Kv) to;
        dst.ensure(n);
        for (int l = 0; l < layers.length; l++) {
            System.arraycopy(src.keys[l], 0, dst.keys[l], 0, n * kvDim);
            System.arraycopy(src.values[l], 0, dst.values[l], 0, n * kvDim);
        }
    }

    @Override
    public long bytesPerToken() {
        return 2L * layers.length * kvDim * Float.BYTES;
    }

    @Override
    public String describe() {
        return "synthia-bot Q4 kernels (" + Q4Kernels.PATH + ", " + activations + " activations when generating, " + pool.threads() + " threads)";
    }

    @Override
    public void close() {
        pool.close();
    }
}
