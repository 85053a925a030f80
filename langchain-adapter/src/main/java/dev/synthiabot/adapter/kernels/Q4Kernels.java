package dev.synthiabot.adapter.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4 weight kernels on the Java Vector API, chosen at startup from the preferred vector width: 512-bit (AVX-512),
 * 256-bit (AVX2), 128-bit (NEON and others) or scalar. They read {@link Q4Matrix}'s panel order: sixteen rows side
 * by side in the lanes. With 8-bit activations (the default): {@link Q8Matvec} for one to four tokens, for many
 * {@link Q8Int16Gemm} (16-bit integer lanes, AVX-512) or {@link Q8Gemm} (float lanes, elsewhere), all bit-identical
 * per token; with float activations, {@link PanelGemm} for every token.
 *
 * <p>Half-float scales become floats in the vector registers: the exponent and mantissa bits shifted into a
 * float's places and multiplied by 2^112 (the exponent bias difference; exact for normal and subnormal
 * halves alike), the sign bit copied. Written out in each kernel: a helper returning a vector that the JIT
 * does not inline into a large kernel boxes it (measured: decode 7 → 3 tokens/s).
 *
 * <p>Kernels are written out by hand: a helper that takes or returns vectors and is not inlined boxes
 * them, which costs more than the arithmetic.
 */
public final class Q4Kernels {
    /**
     * The vector width the kernels use: the machine's preferred one, or a narrower one named by the system
     * property {@value #BITS_PROPERTY} (64, 128, 256, 512), so the AVX2, 128-bit and scalar paths are tested
     * on an AVX-512 machine too.
     */
    public static final String BITS_PROPERTY = "synthia.kernels.bits";
    static final VectorSpecies<Float> F = species(System.getProperty(BITS_PROPERTY));
    static final int WIDTH = F.vectorBitSize();
    static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    static final VectorSpecies<Float> F256 = FloatVector.SPECIES_256;
    static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256;
    static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_64;
    static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    static final VectorSpecies<Integer> I256 = IntVector.SPECIES_256;
    static final VectorSpecies<Short> S256 = ShortVector.SPECIES_256;
    static final VectorSpecies<Short> S128 = ShortVector.SPECIES_128;
    static final VectorSpecies<Float> F128 = FloatVector.SPECIES_128;
    static final VectorSpecies<Integer> I128 = IntVector.SPECIES_128;
    static final int P = Q4Matrix.PANEL;
    /** Bytes per panel block, and where its 16 half-float scales start. */
    static final int PB = Q4Matrix.PANEL_BLOCK, SCALES = P * 16;

    /** Which implementation runs on this machine. */
    public enum Path { AVX512, AVX2, VECTOR128, SCALAR }

    public static final Path PATH = WIDTH >= 512 ? Path.AVX512 : WIDTH == 256 ? Path.AVX2 : WIDTH == 128 ? Path.VECTOR128 : Path.SCALAR;

    /**
     * How a single token's activations meet the weights in the matrix-vector kernels (decode, and the few
     * tokens past a prompt's last full tile).
     */
    public enum Activations {
        /**
         * Quantized to 8-bit integers per block of 32 with a float scale (llama.cpp's Q8_0), for every token: the
         * products and their sums per block are exact integers, so decode is memory-bound and every token gets the
         * same result however it was batched. Adds a rounding error of about 0.4% of each block's largest activation.
         */
        Q8,
        /**
         * As they are, for every token: exact float products of the dequantized weights through the float GEMM, whose
         * tiles of {@link #LANES} tokens a single token fills alone (several times slower answers; for reference).
         */
        F32
    }

    /** Tokens per tile of the prompt GEMM: one float vector holds one weight's products with this many tokens. */
    public static final int LANES = F.length();

    private Q4Kernels() {}

    static VectorSpecies<Float> species(String bits) {
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        if (bits == null || bits.isBlank()) return preferred;
        int b;
        try {
            b = Integer.parseInt(bits.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(BITS_PROPERTY + " must be 64, 128, 256 or 512, not '" + bits + "'");
        }
        if (b != 64 && b != 128 && b != 256 && b != 512) {
            throw new IllegalArgumentException(BITS_PROPERTY + " must be 64, 128, 256 or 512, not " + b);
        }
        return b >= preferred.vectorBitSize() ? preferred : VectorSpecies.of(float.class, jdk.incubator.vector.VectorShape.forBitSize(b));
    }

    /**
     * Runs every kernel on small random matrices until the JIT has compiled it. Until then the Vector API
     * runs interpreted, boxing every vector, about a hundred times slower: without this the first prompt
     * after start-up pays seconds of it. Once per JVM (later models reuse the compiled code); returns the
     * milliseconds spent, 0 when already done.
     */
    public static synchronized long warmUp() {
        if (warmedUp) return 0;
        warmedUp = true;
        long t0 = System.nanoTime();
        java.util.Random r = new java.util.Random(1);
        int rows = 64, cols = 256;
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) values[i] = (float) r.nextGaussian();
        Q4Matrix w = Q4Matrix.quantize(values, rows, cols);
        float[][] x = new float[64][cols];
        for (float[] row : x) for (int i = 0; i < cols; i++) row[i] = (float) r.nextGaussian();
        float[][] batch = new float[x.length][rows];
        Batch oneQ8 = batch(x, 1, cols, Activations.Q8), two = batch(x, 2, cols, Activations.Q8);
        Batch b32 = batch(x, 32, cols, Activations.Q8), b19 = batch(x, 19, cols, Activations.Q8), b64 = batch(x, 64, cols, Activations.Q8);
        for (int i = 0; i < 2000; i++) {
            matmul(w, oneQ8, batch, 0, rows);
            matmul(w, oneQ8, batch, 5, rows - 7); // partial panels too
            if (i % 2 == 0) matmul(w, two, batch, 0, rows);
            if (i % 10 == 0) {
                matmul(w, b32, batch, 0, rows);
                matmul(w, b19, batch, 0, rows - 1);
                matmul(w, b64, batch, 0, rows);
            }
            VectorMath.axpy(VectorMath.dotF32(x[1], 0, x[2], 0, 128) * 1e-3f, x[3], 0, x[4], 0, 128);
            VectorMath.expMinusMax(x[5].clone(), 100 + i % 37);
            if (i % 4 == 0) {
                VectorMath.swiglu(x[6].clone(), x[7]);
                VectorMath.rmsNorm(x[8], x[9], 1e-5f, x[10]);
            }
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    private static boolean warmedUp;

    /** The little-endian half float at d[o], as a float. */
    static float half(byte[] d, int o) {
        return Float.float16ToFloat((short) ((d[o] & 0xFF) | (d[o + 1] << 8)));
    }

    // ---------------------------------------------------------------- one token, 8-bit activations

    /**
     * An activation vector quantized per block of 32 (llama.cpp's Q8_0): {@code x[c] ≈ q[c]·d[c / 32]} with
     * |q| ≤ 127; {@code sums[b]} = Σ q over block b, for the nibbles' −8.
     */
    public record Q8(short[] q, float[] d, int[] sums) {
        public static Q8 of(float[] x) {
            int blocks = x.length / 32;
            short[] q = new short[x.length];
            float[] d = new float[blocks];
            int[] sums = new int[blocks];
            int step = F.length() >= 8 ? F.length() : 0; // whole vectors per block of 32 (8 or 16 lanes), else scalar
            for (int b = 0; b < blocks; b++) {
                int o = b * 32;
                float max = 0;
                if (step > 0) {
                    FloatVector m = FloatVector.zero(F);
                    for (int j = 0; j < 32; j += step) m = m.max(FloatVector.fromArray(F, x, o + j).abs());
                    max = m.reduceLanes(VectorOperators.MAX);
                } else {
                    for (int j = 0; j < 32; j++) max = Math.max(max, Math.abs(x[o + j]));
                }
                float inv = max > 0 ? 127f / max : 0f;
                int sum = 0;
                for (int j = 0; j < 32; j++) {
                    int v = Math.round(x[o + j] * inv);
                    q[o + j] = (short) v;
                    sum += v;
                }
                d[b] = max / 127f;
                sums[b] = sum;
            }
            return new Q8(q, d, sums);
        }
    }

    /**
     * out[r] = Σ_c w[r, c]·x[c] for rows [from, to) with x quantized to {@link Q8}: per row and half block,
     * Σ nibble·q is at most 8·2·15·127 = 30480 and is summed exactly in 16-bit lanes; the two halves are
     * added as 32-bit integers, converted once per block and scaled by weight scale × activation scale.
     * Panels as in {@link #matvec(Q4Matrix, float[], float[], float[], float[], int, int)}.
     */
    public static void matvec(Q4Matrix w, Q8 x, float[] out, int from, int to) {
        if (from >= to) return;
        int a = (from + P - 1) / P, b = to / P;
        if (a > b) {
            partialPanelQ8(w, from / P, x, out, from, to);
            return;
        }
        if (from < a * P) partialPanelQ8(w, a - 1, x, out, from, a * P);
        int n = b - a;
        if (PATH == Path.AVX512) {
            int quarter = n / 4;
            for (int i = 0; i < quarter; i++) {
                Q8Matvec.panel16x4(w.data(), a + i, a + quarter + i, a + 2 * quarter + i, a + 3 * quarter + i, w.blocksPerRow(),
                    x.q(), x.d(), x.sums(), out);
            }
            a += 4 * quarter;
            n -= 4 * quarter;
            int half = n / 2;
            for (int i = 0; i < half; i++) Q8Matvec.panel16x2(w.data(), a + i, a + half + i, w.blocksPerRow(), x.q(), x.d(), x.sums(), out, (a + i) * P, (a + half + i) * P);
            if ((n & 1) != 0) Q8Matvec.panel(w, b - 1, x, out, (b - 1) * P);
        } else {
            for (int p = a; p < b; p++) Q8Matvec.panel(w, p, x, out, p * P);
        }
        if (b * P < to) partialPanelQ8(w, b, x, out, b * P, to);
    }

    /**
     * Two tokens' products with 8-bit activations for rows [from, to), each weight read once for both: on AVX-512 whole
     * panels in pairs from the two halves of the range, on AVX2 panel by panel; elsewhere, and for the panels at the
     * edges, one token at a time. Equal to two {@link #matvec(Q4Matrix, Q8, float[], int, int)} calls, bit for bit.
     */
    static void matvec2(Q4Matrix w, Q8 x, Q8 y, float[] outX, float[] outY, int from, int to) {
        int a = (from + P - 1) / P, b = to / P;
        if ((PATH != Path.AVX512 && PATH != Path.AVX2) || b - a < 2) {
            matvec(w, x, outX, from, to);
            matvec(w, y, outY, from, to);
            return;
        }
        if (from < a * P) {
            partialPanelQ8(w, a - 1, x, outX, from, a * P);
            partialPanelQ8(w, a - 1, y, outY, from, a * P);
        }
        if (PATH == Path.AVX2) {
            for (int p = a; p < b; p++) Q8Matvec.panel16x256Tokens2(w.data(), p, w.blocksPerRow(), x, y, outX, outY, p * P);
        } else {
            int half = (b - a) / 2;
            for (int i = 0; i < half; i++) {
                Q8Matvec.panel16x2Tokens2(w.data(), a + i, a + half + i, w.blocksPerRow(), x, y, outX, outY, (a + i) * P, (a + half + i) * P);
            }
            if (((b - a) & 1) != 0) {
                Q8Matvec.panel(w, b - 1, x, outX, (b - 1) * P);
                Q8Matvec.panel(w, b - 1, y, outY, (b - 1) * P);
            }
        }
        if (b * P < to) {
            partialPanelQ8(w, b, x, outX, b * P, to);
            partialPanelQ8(w, b, y, outY, b * P, to);
        }
    }

    /**
     * Four tokens' products with 8-bit activations for rows [from, to): on AVX2 whole panels four tokens at a time (each
     * weight byte unpacked once for all four), elsewhere as two pairs. Equal to four
     * {@link #matvec(Q4Matrix, Q8, float[], int, int)} calls, bit for bit.
     */
    static void matvec4(Q4Matrix w, Q8[] x, float[][] out, int t, int from, int to) {
        int a = (from + P - 1) / P, b = to / P;
        if (PATH != Path.AVX2 || b - a < 1) {
            matvec2(w, x[t], x[t + 1], out[t], out[t + 1], from, to);
            matvec2(w, x[t + 2], x[t + 3], out[t + 2], out[t + 3], from, to);
            return;
        }
        for (int i = 0; i < 4; i++) {
            if (from < a * P) partialPanelQ8(w, a - 1, x[t + i], out[t + i], from, a * P);
            if (b * P < to) partialPanelQ8(w, b, x[t + i], out[t + i], b * P, to);
        }
        float[] acc = ACC4.get(64);
        for (int p = a; p < b; p++) {
            Q8Matvec.panel16x256Tokens4(w.data(), p, w.blocksPerRow(), x[t], x[t + 1], x[t + 2], x[t + 3], acc);
            for (int i = 0; i < 4; i++) System.arraycopy(acc, 16 * i, out[t + i], p * P, P);
        }
    }

    private static final ThreadBuffer ACC4 = new ThreadBuffer();

    private static void partialPanelQ8(Q4Matrix w, int p, Q8 x, float[] out, int from, int to) {
        float[] tmp = new float[P];
        Q8Matvec.panel(w, p, x, tmp, 0);
        System.arraycopy(tmp, from - p * P, out, from, to - from);
    }

    // ---------------------------------------------------------------- several tokens (prompt, batched answers)

    /**
     * Activations of a batch of tokens, prepared once and shared by the threads that split the rows. With 8-bit
     * activations: every token quantized ({@link Q8}); the first {@link #gemmTokens} of them packed for the GEMM
     * ({@link Q8Int16Gemm} on AVX-512, {@link Q8Gemm} elsewhere), the rest for the matrix-vector kernels. Every route gives a
     * token the same result, bit for bit, so how a prompt or a set of answers is split into batches changes nothing.
     * With float activations: all tokens packed for the float GEMM ({@link PanelGemm}), whose lanes (tokens) are
     * computed independently, so that is split-independent too.
     */
    public static final class Batch {
        final int tokens, gemmTokens;
        final Activations activations;
        final float[] xt, qt, dt;
        final Q8Int16Gemm.Packed int16;
        final Q8[] q8;

        private Batch(float[][] x, int tokens, int cols, Activations activations) {
            this.tokens = tokens;
            this.activations = activations;
            if (activations == Activations.F32) {
                this.gemmTokens = tokens;
                this.xt = packTokens(x, tokens, cols);
                this.qt = this.dt = null;
                this.int16 = null;
                this.q8 = null;
                return;
            }
            this.gemmTokens = gemmTokens(tokens);
            this.q8 = new Q8[tokens];
            for (int t = 0; t < tokens; t++) q8[t] = Q8.of(x[t]);
            this.xt = null;
            if (gemmTokens > 0 && Q8Int16Gemm.available()) {
                this.int16 = Q8Int16Gemm.pack(q8, gemmTokens, cols);
                this.qt = this.dt = null;
            } else {
                float[][] packed = gemmTokens > 0 ? Q8Gemm.pack(q8, gemmTokens, cols) : new float[2][];
                this.qt = packed[0];
                this.dt = packed[1];
                this.int16 = null;
            }
        }
    }

    /**
     * How many of a batch's tokens go through the 8-bit GEMM (from the first), the rest through the matrix-vector
     * kernels, four, two or one at a time. The GEMM computes whole tiles of tokens ({@link Q8Int16Gemm#TILE} on
     * AVX-512, {@link #LANES} elsewhere), so a tile costs the same however few tokens fill it: below a tile's worth of
     * tokens, and for a few left past the last full tile, the matrix-vector kernels cost less. Measured (JMH, 14336 x 4096,
     * two threads; ms): Zen 5 with the 16-bit GEMM, 8 tokens 4.8 as pairs against 9.5 in a tile, 12 tokens 8.1 against
     * 9.7, 16 tokens 9.3 either way, 32 tokens 10.2 and 64 tokens 17.3 (a second tile ~7 ms, twelve tokens' worth of pairs);
     * Zen 2 with the float-exact GEMM, 8 tokens 13.0 as pairs against 17.7-22.0 in one tile, 12 tokens 20.7 against
     * 27.5, 16 tokens 22.7 in two tiles.
     */
    static int gemmTokens(int tokens) {
        boolean int16 = Q8Int16Gemm.available();
        int tile = int16 ? Q8Int16Gemm.TILE : LANES;
        int fewest = int16 ? 16 : (LANES * 7 + 3) / 4, matvecRest = int16 ? 11 : 4;
        if (tokens < Math.max(2, fewest)) return 0;
        int rest = tokens % tile;
        return rest > 0 && rest <= matvecRest && tokens - rest >= fewest ? tokens - rest : tokens;
    }

    /**
     * Tokens the 8-bit GEMM computes at the cost of a few: one 16-bit tile on AVX-512; elsewhere the two float tiles
     * {@link Q8Gemm} is at its best on.
     */
    public static int gemmTile() {
        return Q8Int16Gemm.available() ? Q8Int16Gemm.TILE : 2 * LANES;
    }

    /** Prepares x[0 .. tokens) for {@link #matmul}. */
    public static Batch batch(float[][] x, int tokens, int cols, Activations activations) {
        return new Batch(x, tokens, cols, activations);
    }

    /** out[t][r] = Σ_c w[r, c]·x[t][c] for every token of the batch and rows [from, to). */
    public static void matmul(Q4Matrix w, Batch batch, float[][] out, int from, int to) {
        if (batch.activations == Activations.F32) {
            PanelGemm.matmul(w, batch.xt, batch.tokens, out, from, to);
            return;
        }
        if (batch.int16 != null) Q8Int16Gemm.matmul(w, batch.int16.xs(), batch.int16.ds(), batch.gemmTokens, out, from, to);
        else if (batch.gemmTokens > 0) Q8Gemm.matmul(w, batch.qt, batch.dt, batch.gemmTokens, out, from, to);
        int t = batch.gemmTokens;
        for (; t + 3 < batch.tokens; t += 4) matvec4(w, batch.q8, out, t, from, to);
        for (; t + 1 < batch.tokens; t += 2) matvec2(w, batch.q8[t], batch.q8[t + 1], out[t], out[t + 1], from, to);
        if (t < batch.tokens) matvec(w, batch.q8[t], out[t], from, to);
    }

    /**
     * A batch of activations transposed into tiles of {@link #LANES} tokens, the layout the prompt GEMM ({@link PanelGemm})
     * reads: {@code xt[(tile·cols + c)·LANES + t] = x[tile·LANES + t][c]}, zero past the last token.
     */
    public static float[] packTokens(float[][] x, int tokens, int cols) {
        int tiles = (tokens + LANES - 1) / LANES;
        float[] xt = new float[tiles * cols * LANES];
        for (int tile = 0; tile < tiles; tile++) {
            int base = tile * cols * LANES;
            for (int t = 0; t < LANES && tile * LANES + t < tokens; t++) {
                float[] row = x[tile * LANES + t];
                for (int c = 0; c < cols; c++) xt[base + c * LANES + t] = row[c];
            }
        }
        return xt;
    }

}
