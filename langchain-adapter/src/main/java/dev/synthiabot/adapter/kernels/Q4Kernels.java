package dev.synthiabot.adapter.kernels;

import static dev.synthiabot.adapter.kernels.VectorWidth.LANES;

/**
 * Which kernel computes a batch of tokens' products with Q4 weights: the entry point of the forward pass's matrix
 * products ({@link #batch}, then {@link #matmul} per range of rows).
 *
 * <p>The kernels, all on the Java Vector API at the width {@link VectorWidth} chose, read {@link Q4Matrix}'s panel
 * order (sixteen rows side by side in the lanes). With 8-bit activations ({@link Q8Activations}, the default): the
 * matrix-vector kernels {@link Q8Matvec} for one to four tokens at a time, on AVX-512 {@link Q8TokensMatvec} for a few
 * tokens in one pass (several answers decoding together), and for many tokens a GEMM, {@link Q8Int16Gemm} (16-bit
 * integer lanes) on AVX-512 or {@link Q8Gemm} (float lanes) elsewhere. All compute a
 * block's sum as the same exact integer and then the same float steps, so a token's result is bit-identical whichever
 * kernel ran it and whatever ran beside it. With float activations, {@link PanelGemm} for every token.
 *
 * <p>The kernels are written out by hand, half-float scale widening included (bits shifted into a float's places and
 * multiplied by 2^112, exact for normal and subnormal halves alike): a helper that takes or returns vectors and that
 * the JIT does not inline into a large kernel boxes them, which costs more than the arithmetic (measured on decode:
 * 3 tokens/s with such a helper, 7 written out).
 */
public final class Q4Kernels {
    private Q4Kernels() {}

    /** How every token's activations meet the weights. */
    public enum Activations {
        /**
         * Quantized to 8-bit integers per block of 32 with a float scale (llama.cpp's Q8_0), for every token: the
         * products and their sums per block are exact integers, so decode is memory-bound and every token gets the
         * same result however it was batched. Adds a rounding error of about 0.4% of each block's largest activation.
         */
        Q8,
        /**
         * As they are, for every token: exact float products of the dequantized weights through the float GEMM, whose
         * tiles of {@link VectorWidth#LANES} tokens a single token fills alone (several times slower answers; for
         * reference).
         */
        F32
    }

    /**
     * Activations of a batch of tokens, prepared once and shared by the threads that split the rows. With 8-bit
     * activations: every token quantized ({@link Q8Activations}); the first {@link #gemmTokens} of them packed for the
     * GEMM, the rest left for the matrix-vector kernels. Every route gives a token the same result, bit for bit, so how
     * a prompt or a set of answers is split into batches changes nothing. With float activations: all tokens packed
     * for the float GEMM ({@link PanelGemm}), whose lanes (tokens) are computed independently, so that is
     * split-independent too.
     */
    public static final class Batch {
        final int tokens, gemmTokens;
        final Activations activations;
        final float[] xt, qt, dt;
        final Q8Int16Gemm.Packed int16;
        final Q8Activations[] q8;
        /** The tokens past the GEMM's packed for {@link Q8TokensMatvec}, where {@link #fewTokenKernel} sends them. */
        final Q8TokensMatvec.Packed few;

        private Batch(float[][] x, int tokens, int cols, Activations activations, RowParallel pool) {
            this.tokens = tokens;
            this.activations = activations;
            if (activations == Activations.F32) {
                this.gemmTokens = tokens;
                this.xt = PanelGemm.pack(x, tokens, cols);
                this.qt = this.dt = null;
                this.int16 = null;
                this.q8 = null;
                this.few = null;
                return;
            }
            this.gemmTokens = gemmTokens(tokens);
            this.q8 = new Q8Activations[tokens];
            for (int t = 0; t < tokens; t++) q8[t] = Q8Activations.allocate(cols);
            this.xt = null;
            this.few = fewTokenKernel(tokens - gemmTokens) ? Q8TokensMatvec.allocate(tokens - gemmTokens, cols) : null;
            float[][] floatGemm = null;
            if (gemmTokens > 0 && Q8Int16Gemm.available()) {
                this.int16 = Q8Int16Gemm.allocate(gemmTokens, cols);
                this.qt = this.dt = null;
            } else {
                floatGemm = gemmTokens > 0 ? Q8Gemm.allocate(gemmTokens, cols) : new float[2][];
                this.qt = floatGemm[0];
                this.dt = floatGemm[1];
                this.int16 = null;
            }
            float[][] packed = floatGemm;
            RowParallel.Rows prepare = (from, to) -> {
                for (int t = 0; t < tokens; t++) q8[t].quantize(x[t], from, to);
                if (int16 != null) Q8Int16Gemm.pack(q8, gemmTokens, int16, from, to);
                else if (gemmTokens > 0) Q8Gemm.pack(q8, gemmTokens, packed, from, to);
                if (few != null) Q8TokensMatvec.pack(q8, gemmTokens, few, from, to);
            };
            // blocks of 32 columns over the threads; a token or two alone take a few µs, less than handing them over
            if (pool != null && tokens * cols >= PARALLEL_FROM) pool.forItems(cols / 32, prepare);
            else prepare.run(0, cols / 32);
        }
    }

    /** Activations (tokens × columns) from which a batch is prepared on all threads: four tokens of SynthIA's 4096. */
    static final int PARALLEL_FROM = 16_384;

    /** Prepares x[0 .. tokens) for {@link #matmul} on this thread. */
    public static Batch batch(float[][] x, int tokens, int cols, Activations activations) {
        return new Batch(x, tokens, cols, activations, null);
    }

    /**
     * Prepares x[0 .. tokens) for {@link #matmul} on the pool's threads, each quantizing and packing its own blocks of
     * columns for every token: done on one thread, this took a fifth of a 64-token prompt step and a sixth of a step of
     * eight answers decoding on the 16-core Xeon.
     */
    public static Batch batch(float[][] x, int tokens, int cols, Activations activations, RowParallel pool) {
        return new Batch(x, tokens, cols, activations, pool);
    }

    /**
     * out[t][r] = Σ_c w[r, c]·x[t][c] for every token of the batch and rows [from, to): the batch's GEMM tokens through
     * the GEMM, the others through the few-token kernel (AVX-512) or the matrix-vector kernels four, two or one at a time.
     */
    public static void matmul(Q4Matrix w, Batch batch, float[][] out, int from, int to) {
        if (batch.activations == Activations.F32) {
            PanelGemm.matmul(w, batch.xt, batch.tokens, out, from, to);
            return;
        }
        if (batch.int16 != null) Q8Int16Gemm.matmul(w, batch.int16.xs(), batch.int16.ds(), batch.gemmTokens, out, from, to);
        else if (batch.gemmTokens > 0) Q8Gemm.matmul(w, batch.qt, batch.dt, batch.gemmTokens, out, from, to);
        int t = batch.gemmTokens;
        if (batch.few != null) {
            Q8TokensMatvec.matmul(w, batch.few, out, t, from, to);
            return;
        }
        for (; t + 3 < batch.tokens; t += 4) Q8Matvec.matvec4(w, batch.q8, out, t, from, to);
        for (; t + 1 < batch.tokens; t += 2) Q8Matvec.matvec2(w, batch.q8[t], batch.q8[t + 1], out[t], out[t + 1], from, to);
        if (t < batch.tokens) Q8Matvec.matvec(w, batch.q8[t], out[t], from, to);
    }

    /**
     * How many of a batch's tokens go through the 8-bit GEMM (from the first), the rest through the matrix-vector
     * kernels. The GEMM computes whole tiles of tokens ({@link Q8Int16Gemm#TILE} on AVX-512, {@link VectorWidth#LANES}
     * elsewhere), so a tile costs the same however few tokens fill it, while the matrix-vector kernels cost about the
     * same per token. Hence two thresholds:
     * <ul>
     * <li>{@code fewest}: below it, all tokens go to the matrix-vector kernels (24 with the 16-bit GEMM, where
     *     {@link Q8TokensMatvec} takes them; 1.75 tiles, rounded up, with the float GEMM);</li>
     * <li>{@code matvecRest}: up to this many tokens past the last full tile go to the matrix-vector kernels rather
     *     than into a tile of their own (16 with the 16-bit GEMM, 4 with the float GEMM).</li>
     * </ul>
     * Measured (JMH, 14336 x 4096, two threads; ms). Zen 5, 16-bit GEMM: a tile (up to 32 tokens) costs 8.8-10 on a
     * quiet machine, a second tile ~7 more; {@code Q8TokensMatvec} 2.2-2.5 for 4 tokens, 4.1-4.3 for 8, 6.4-6.7 for
     * 16, 9.6 for 20 (the GEMM 10.0 in that run), 10.1 for 24 (the GEMM 13.5), ~0.35-0.6 more per token (JMH
     * {@code Q8TokensJmh}). Before it (pairs of tokens through {@code Q8Matvec}): 8 tokens 4.8 as pairs against 9.5 in
     * a tile, 12 tokens 8.1 against 9.7, 16 tokens 9.3 either way. Zen 2, float GEMM: 8 tokens 13.0 as pairs against
     * 17.7-22.0 in one tile, 12 tokens 20.7 against 27.5, 16 tokens 22.7 in two tiles.
     */
    static int gemmTokens(int tokens) {
        boolean int16 = Q8Int16Gemm.available();
        int tile = int16 ? Q8Int16Gemm.TILE : LANES;
        int fewest = int16 ? 24 : (LANES * 7 + 3) / 4, matvecRest = int16 ? 16 : 4;
        if (tokens < Math.max(2, fewest)) return 0;
        int rest = tokens % tile;
        return rest > 0 && rest <= matvecRest && tokens - rest >= fewest ? tokens - rest : tokens;
    }

    /**
     * The smallest chunk of rows a thread should take for a batch of {@code tokens}: a panel (16 rows) where a GEMM
     * computes the batch, each panel then costing ~0.1-0.4 ms, so the threads' last chunks end close together (with
     * four panels the down projection kept 16 threads busy 86-88% of its time on the 16-core Xeon, with one panel
     * 96%); four panels otherwise, the single-token kernel's four memory streams.
     */
    public static int smallestRows(int tokens, Activations activations) {
        return activations == Activations.F32 || gemmTokens(tokens) > 0 ? Q4Matrix.P : RowParallel.SMALLEST_ROWS;
    }

    /**
     * Whether the tokens left past the GEMM's go through {@link Q8TokensMatvec} (one pass over the weights for all of
     * them) rather than {@link Q8Matvec}'s pairs: on AVX-512, from 3 tokens (it computes groups of four, so 3 cost
     * what 4 do: 2.4 ms against 2.8 for a pair and a single; 2 tokens 1.8 as a pair against 2.5).
     */
    static boolean fewTokenKernel(int tokens) {
        return tokens >= 3 && Q8TokensMatvec.available();
    }

    /**
     * Tokens one pass computes for about the cost of its first few: with 8-bit activations one 16-bit GEMM tile on
     * AVX-512, elsewhere the two float tiles {@link Q8Gemm} is at its best on; with float activations one float tile.
     */
    public static int tokensPerTile(Activations activations) {
        if (activations == Activations.F32) return LANES;
        return Q8Int16Gemm.available() ? Q8Int16Gemm.TILE : 2 * LANES;
    }
}
