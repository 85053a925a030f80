package dev.synthiabot.adapter.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4 weight × F32 activation kernels on the Java Vector API, chosen at startup from the preferred vector
 * width: 512-bit (AVX-512), 256-bit (AVX2), 128-bit (NEON and others) or scalar. They read
 * {@link Q4Matrix}'s panel order: sixteen rows side by side in the lanes.
 *
 * <p>Σ_j (q_j − 8)·x_j·s = s·(Σ_j q_j·x_j − 8·Σ_j x_j): the nibbles are used as they are (0..15) and the −8
 * is applied once per block with the block's activation sum ({@link #blockSums}), shared by all rows.
 * A byte holds v = lo + 16·hi, so Σ lo·x_lo + hi·x_hi = Σ v·x_lo + hi·(x_hi − 16·x_lo) = Σ v·x_lo + hi·y
 * ({@link #highMinus16Low}): the byte is converted as it is and only the high nibble needs a shift.
 *
 * <p>Half-float scales become floats in the vector registers: the exponent and mantissa bits shifted into a
 * float's places and multiplied by 2^112 (the exponent bias difference; exact for normal and subnormal
 * halves alike), the sign bit copied.
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
         * Quantized to 8-bit integers per block of 32 with a float scale (llama.cpp's Q8_0): the products and
         * their sums over half a block are exact 16-bit integer arithmetic, sixteen rows per 256-bit vector,
         * about half the vector work of {@link #F32}; decode becomes memory-bound (+20-25% tokens/s here).
         * Adds a rounding error of about 0.4% of each block's largest activation.
         */
        Q8,
        /** As they are: exact float products of the dequantized weights (slower, for reference). */
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
     * after start-up pays seconds of it. Returns the milliseconds spent.
     */
    public static long warmUp() {
        long t0 = System.nanoTime();
        java.util.Random r = new java.util.Random(1);
        int rows = 64, cols = 256;
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) values[i] = (float) r.nextGaussian();
        Q4Matrix w = Q4Matrix.quantize(values, rows, cols);
        float[][] x = new float[32][cols];
        for (float[] row : x) for (int i = 0; i < cols; i++) row[i] = (float) r.nextGaussian();
        float[][] batch = new float[x.length][rows];
        Batch one = batch(x, 1, cols, Activations.F32), oneQ8 = batch(x, 1, cols, Activations.Q8);
        Batch b32 = batch(x, 32, cols, Activations.Q8), b19 = batch(x, 19, cols, Activations.Q8);
        for (int i = 0; i < 2000; i++) {
            matmul(w, oneQ8, batch, 0, rows);
            matmul(w, oneQ8, batch, 5, rows - 7); // partial panels too
            if (i % 4 == 0) matmul(w, one, batch, 0, rows);
            if (i % 10 == 0) {
                matmul(w, b32, batch, 0, rows);
                matmul(w, b19, batch, 0, rows - 1);
            }
            axpy(dotF32(x[1], 0, x[2], 0, 128) * 1e-3f, x[3], 0, x[4], 0, 128);
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }

    /** Σ_i a[ao + i]·b[bo + i] for i < n (attention scores). */
    public static float dotF32(float[] a, int ao, float[] b, int bo, int n) {
        FloatVector acc = FloatVector.zero(F);
        int i = 0;
        for (; i + F.length() <= n; i += F.length()) {
            acc = FloatVector.fromArray(F, a, ao + i).fma(FloatVector.fromArray(F, b, bo + i), acc);
        }
        float s = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) s += a[ao + i] * b[bo + i];
        return s;
    }

    /** y[yo + i] += alpha·x[xo + i] for i < n (attention's weighted sum of values). */
    public static void axpy(float alpha, float[] x, int xo, float[] y, int yo, int n) {
        FloatVector va = FloatVector.broadcast(F, alpha);
        int i = 0;
        for (; i + F.length() <= n; i += F.length()) {
            FloatVector.fromArray(F, x, xo + i).fma(va, FloatVector.fromArray(F, y, yo + i)).intoArray(y, yo + i);
        }
        for (; i < n; i++) y[yo + i] += alpha * x[xo + i];
    }

    /** Per-block sums of an activation vector (length cols / 32), needed by {@link #matvec}. */
    public static void blockSums(float[] x, float[] sums) {
        for (int b = 0; b < sums.length; b++) {
            float s = 0;
            int base = b * 32;
            for (int j = 0; j < 32; j++) s += x[base + j];
            sums[b] = s;
        }
    }

    /** y[16b + j] = x[32b + 16 + j] − 16·x[32b + j]: the high-half activations as the matvec kernels use them. */
    public static float[] highMinus16Low(float[] x) {
        float[] y = new float[x.length / 2];
        for (int b = 0; b < x.length / 32; b++) {
            for (int j = 0; j < 16; j++) y[b * 16 + j] = x[b * 32 + 16 + j] - 16f * x[b * 32 + j];
        }
        return y;
    }

    // ---------------------------------------------------------------- one token (decode)

    /** out[r] = Σ_c w[r, c]·x[c] for rows [from, to). {@code sums} from {@link #blockSums}. */
    public static void matvec(Q4Matrix w, float[] x, float[] sums, float[] out, int from, int to) {
        matvec(w, x, highMinus16Low(x), sums, out, from, to);
    }

    /**
     * The same with {@code y = highMinus16Low(x)} computed once by the caller (several threads share one
     * activation vector). Whole panels inside the range are computed straight into {@code out}, two at a
     * time from the two halves of the range: the loop then reads two distant sequential streams, and the
     * prefetchers keep more memory requests in flight (~20% faster than one stream when the matrix comes
     * from RAM). A panel only partly in the range is computed aside and its rows copied.
     */
    public static void matvec(Q4Matrix w, float[] x, float[] y, float[] sums, float[] out, int from, int to) {
        if (from >= to) return;
        int a = (from + P - 1) / P, b = to / P;
        if (a > b) {
            partialPanel(w, from / P, x, y, sums, out, from, to);
            return;
        }
        if (from < a * P) partialPanel(w, a - 1, x, y, sums, out, from, a * P);
        int n = b - a;
        if (PATH == Path.AVX512) {
            int half = n / 2;
            for (int i = 0; i < half; i++) {
                panel16x2(w.data(), a + i, a + half + i, w.blocksPerRow(), x, y, sums, out, (a + i) * P, (a + half + i) * P);
            }
            if ((n & 1) != 0) panel16(w.data(), b - 1, w.blocksPerRow(), x, y, sums, out, (b - 1) * P);
        } else {
            for (int p = a; p < b; p++) panel(w, p, x, y, sums, out, p * P);
        }
        if (b * P < to) partialPanel(w, b, x, y, sums, out, b * P, to);
    }

    private static void partialPanel(Q4Matrix w, int p, float[] x, float[] y, float[] sums, float[] out, int from, int to) {
        float[] tmp = new float[P];
        panel(w, p, x, y, sums, tmp, 0);
        System.arraycopy(tmp, from - p * P, out, from, to - from);
    }

    /** The 16 rows of panel p into out[oo .. oo + 16), on this machine's path. */
    private static void panel(Q4Matrix w, int p, float[] x, float[] y, float[] sums, float[] out, int oo) {
        switch (PATH) {
            case AVX512 -> panel16(w.data(), p, w.blocksPerRow(), x, y, sums, out, oo);
            case AVX2 -> panel16x256(w.data(), p, w.blocksPerRow(), x, y, sums, out, oo);
            case VECTOR128 -> panel16x128(w.data(), p, w.blocksPerRow(), x, y, sums, out, oo);
            default -> panelScalar(w.data(), p, w.blocksPerRow(), x, sums, out, oo);
        }
    }

    /** Panel p, sixteen rows in the lanes of one vector; four accumulator chains per block. */
    static void panel16(byte[] nib, int p, int blocks, float[] x, float[] y, float[] sums, float[] out, int oo) {
        FloatVector acc = FloatVector.zero(F512), corr = acc;
        int base = p * blocks;
        for (int b = 0; b < blocks; b++) {
            int no = (base + b) * PB, xo = b * 32, yo = b * 16;
            FloatVector v0 = FloatVector.zero(F512), v1 = v0, h0 = v0, h1 = v0;
            for (int j = 0; j < 16; j += 2) {
                IntVector q = (IntVector) ByteVector.fromArray(B128, nib, no + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
                v0 = ((FloatVector) q.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F512, x[xo + j]), v0);
                h0 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F512, y[yo + j]), h0);
                IntVector r = (IntVector) ByteVector.fromArray(B128, nib, no + j * 16 + 16).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
                v1 = ((FloatVector) r.convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F512, x[xo + j + 1]), v1);
                h1 = ((FloatVector) r.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(FloatVector.broadcast(F512, y[yo + j + 1]), h1);
            }
            IntVector sh = (IntVector) ByteVector.fromArray(B256, nib, no + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I512, 0);
            FloatVector s = sh.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(sh.and(0x80000000)).reinterpretAsFloats();
            acc = v0.add(v1).add(h0.add(h1)).fma(s, acc);
            corr = s.fma(FloatVector.broadcast(F512, sums[b]), corr);
        }
        acc.sub(corr.mul(8f)).intoArray(out, oo);
    }

    /** Panels pa and pb in one loop (two weight streams), sharing the activation broadcasts. */
    static void panel16x2(byte[] nib, int pa, int pb, int blocks, float[] x, float[] y, float[] sums, float[] out, int oa, int ob) {
        FloatVector acc = FloatVector.zero(F512), corr = acc, accB = acc, corrB = acc;
        int base = pa * blocks, baseB = pb * blocks;
        for (int b = 0; b < blocks; b++) {
            int no = (base + b) * PB, nb = (baseB + b) * PB, xo = b * 32, yo = b * 16;
            FloatVector v0 = FloatVector.zero(F512), h0 = v0, w0 = v0, g0 = v0;
            for (int j = 0; j < 16; j++) {
                FloatVector xj = FloatVector.broadcast(F512, x[xo + j]), yj = FloatVector.broadcast(F512, y[yo + j]);
                IntVector q = (IntVector) ByteVector.fromArray(B128, nib, no + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
                v0 = ((FloatVector) q.convert(VectorOperators.I2F, 0)).fma(xj, v0);
                h0 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(yj, h0);
                IntVector r = (IntVector) ByteVector.fromArray(B128, nib, nb + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
                w0 = ((FloatVector) r.convert(VectorOperators.I2F, 0)).fma(xj, w0);
                g0 = ((FloatVector) r.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(yj, g0);
            }
            IntVector sh = (IntVector) ByteVector.fromArray(B256, nib, no + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I512, 0);
            FloatVector s = sh.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(sh.and(0x80000000)).reinterpretAsFloats();
            IntVector th = (IntVector) ByteVector.fromArray(B256, nib, nb + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I512, 0);
            FloatVector t = th.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(th.and(0x80000000)).reinterpretAsFloats();
            FloatVector sb = FloatVector.broadcast(F512, sums[b]);
            acc = v0.add(h0).fma(s, acc);
            corr = s.fma(sb, corr);
            accB = w0.add(g0).fma(t, accB);
            corrB = t.fma(sb, corrB);
        }
        acc.sub(corr.mul(8f)).intoArray(out, oa);
        accB.sub(corrB.mul(8f)).intoArray(out, ob);
    }

    /** Panel p on 256-bit vectors: rows 0-7 and 8-15 of the panel in two vectors. */
    static void panel16x256(byte[] nib, int p, int blocks, float[] x, float[] y, float[] sums, float[] out, int oo) {
        FloatVector accA = FloatVector.zero(F256), accB = accA, corrA = accA, corrB = accA;
        int base = p * blocks;
        for (int b = 0; b < blocks; b++) {
            int no = (base + b) * PB, xo = b * 32, yo = b * 16;
            FloatVector va = FloatVector.zero(F256), ha = va, vb = va, hb = va;
            for (int j = 0; j < 16; j++) {
                FloatVector xj = FloatVector.broadcast(F256, x[xo + j]), yj = FloatVector.broadcast(F256, y[yo + j]);
                IntVector q = (IntVector) ByteVector.fromArray(B64, nib, no + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2I, I256, 0);
                va = ((FloatVector) q.convert(VectorOperators.I2F, 0)).fma(xj, va);
                ha = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(yj, ha);
                IntVector r = (IntVector) ByteVector.fromArray(B64, nib, no + j * 16 + 8).convertShape(VectorOperators.ZERO_EXTEND_B2I, I256, 0);
                vb = ((FloatVector) r.convert(VectorOperators.I2F, 0)).fma(xj, vb);
                hb = ((FloatVector) r.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(yj, hb);
            }
            IntVector sh = (IntVector) ByteVector.fromArray(B128, nib, no + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I256, 0);
            FloatVector s = sh.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(sh.and(0x80000000)).reinterpretAsFloats();
            IntVector th = (IntVector) ByteVector.fromArray(B128, nib, no + SCALES + 16).reinterpretAsShorts().convertShape(VectorOperators.S2I, I256, 0);
            FloatVector t = th.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(th.and(0x80000000)).reinterpretAsFloats();
            FloatVector sb = FloatVector.broadcast(F256, sums[b]);
            accA = va.add(ha).fma(s, accA);
            corrA = s.fma(sb, corrA);
            accB = vb.add(hb).fma(t, accB);
            corrB = t.fma(sb, corrB);
        }
        accA.sub(corrA.mul(8f)).intoArray(out, oo);
        accB.sub(corrB.mul(8f)).intoArray(out, oo + 8);
    }

    /**
     * Panel p on 128-bit vectors (NEON, SSE): rows 0-3, 4-7, 8-11, 12-15 of the panel in four vectors; bytes
     * come in eight at a time (the narrowest byte vector) and widen in two parts.
     */
    static void panel16x128(byte[] nib, int p, int blocks, float[] x, float[] y, float[] sums, float[] out, int oo) {
        FloatVector a0 = FloatVector.zero(F128), a1 = a0, a2 = a0, a3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0;
        int base = p * blocks;
        for (int b = 0; b < blocks; b++) {
            int no = (base + b) * PB, xo = b * 32, yo = b * 16;
            FloatVector v0 = FloatVector.zero(F128), v1 = v0, v2 = v0, v3 = v0, h0 = v0, h1 = v0, h2 = v0, h3 = v0;
            for (int j = 0; j < 16; j++) {
                FloatVector xj = FloatVector.broadcast(F128, x[xo + j]), yj = FloatVector.broadcast(F128, y[yo + j]);
                ByteVector lo = ByteVector.fromArray(B64, nib, no + j * 16), hi = ByteVector.fromArray(B64, nib, no + j * 16 + 8);
                IntVector q;
                q = (IntVector) lo.convertShape(VectorOperators.ZERO_EXTEND_B2I, I128, 0);
                v0 = ((FloatVector) q.convert(VectorOperators.I2F, 0)).fma(xj, v0);
                h0 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(yj, h0);
                q = (IntVector) lo.convertShape(VectorOperators.ZERO_EXTEND_B2I, I128, 1);
                v1 = ((FloatVector) q.convert(VectorOperators.I2F, 0)).fma(xj, v1);
                h1 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(yj, h1);
                q = (IntVector) hi.convertShape(VectorOperators.ZERO_EXTEND_B2I, I128, 0);
                v2 = ((FloatVector) q.convert(VectorOperators.I2F, 0)).fma(xj, v2);
                h2 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(yj, h2);
                q = (IntVector) hi.convertShape(VectorOperators.ZERO_EXTEND_B2I, I128, 1);
                v3 = ((FloatVector) q.convert(VectorOperators.I2F, 0)).fma(xj, v3);
                h3 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(yj, h3);
            }
            FloatVector sb = FloatVector.broadcast(F128, sums[b]);
            IntVector s0h = (IntVector) ByteVector.fromArray(B64, nib, no + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I128, 0);
            FloatVector s0 = s0h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(s0h.and(0x80000000)).reinterpretAsFloats();
            IntVector s1h = (IntVector) ByteVector.fromArray(B64, nib, no + SCALES + 8).reinterpretAsShorts().convertShape(VectorOperators.S2I, I128, 0);
            FloatVector s1 = s1h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(s1h.and(0x80000000)).reinterpretAsFloats();
            IntVector s2h = (IntVector) ByteVector.fromArray(B64, nib, no + SCALES + 16).reinterpretAsShorts().convertShape(VectorOperators.S2I, I128, 0);
            FloatVector s2 = s2h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(s2h.and(0x80000000)).reinterpretAsFloats();
            IntVector s3h = (IntVector) ByteVector.fromArray(B64, nib, no + SCALES + 24).reinterpretAsShorts().convertShape(VectorOperators.S2I, I128, 0);
            FloatVector s3 = s3h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(s3h.and(0x80000000)).reinterpretAsFloats();
            a0 = v0.add(h0).fma(s0, a0);
            a1 = v1.add(h1).fma(s1, a1);
            a2 = v2.add(h2).fma(s2, a2);
            a3 = v3.add(h3).fma(s3, a3);
            c0 = s0.fma(sb, c0);
            c1 = s1.fma(sb, c1);
            c2 = s2.fma(sb, c2);
            c3 = s3.fma(sb, c3);
        }
        a0.sub(c0.mul(8f)).intoArray(out, oo);
        a1.sub(c1.mul(8f)).intoArray(out, oo + 4);
        a2.sub(c2.mul(8f)).intoArray(out, oo + 8);
        a3.sub(c3.mul(8f)).intoArray(out, oo + 12);
    }

    /** The plain reference on the panel order: every kernel must agree with it. */
    static void panelScalar(byte[] nib, int p, int blocks, float[] x, float[] sums, float[] out, int oo) {
        for (int lane = 0; lane < P; lane++) {
            float total = 0;
            for (int b = 0; b < blocks; b++) {
                int pb = p * blocks + b;
                float part = 0;
                for (int j = 0; j < 16; j++) {
                    int q = nib[pb * PB + j * 16 + lane];
                    part += (q & 0x0F) * x[b * 32 + j] + ((q >> 4) & 0x0F) * x[b * 32 + 16 + j];
                }
                total += half(nib, pb * PB + SCALES + 2 * lane) * (part - 8f * sums[b]);
            }
            out[oo + lane] = total;
        }
    }

    // ---------------------------------------------------------------- one token, 8-bit activations

    /**
     * An activation vector quantized per block of 32 (llama.cpp's Q8_0): {@code x[c] ≈ q[c]·d[c / 32]} with
     * |q| ≤ 127; {@code corr[b] = 8·d[b]·Σ q} over the block, the −8 nibble offset's share.
     */
    public record Q8(short[] q, float[] d, float[] corr) {
        public static Q8 of(float[] x) {
            int blocks = x.length / 32;
            short[] q = new short[x.length];
            float[] d = new float[blocks], corr = new float[blocks];
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
                corr[b] = 8f * d[b] * sum;
            }
            return new Q8(q, d, corr);
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
            int half = n / 2;
            for (int i = 0; i < half; i++) q8Panel16x2(w.data(), a + i, a + half + i, w.blocksPerRow(), x.q(), x.d(), x.corr(), out, (a + i) * P, (a + half + i) * P);
            if ((n & 1) != 0) panelQ8(w, b - 1, x, out, (b - 1) * P);
        } else {
            for (int p = a; p < b; p++) panelQ8(w, p, x, out, p * P);
        }
        if (b * P < to) partialPanelQ8(w, b, x, out, b * P, to);
    }

    private static void partialPanelQ8(Q4Matrix w, int p, Q8 x, float[] out, int from, int to) {
        float[] tmp = new float[P];
        panelQ8(w, p, x, tmp, 0);
        System.arraycopy(tmp, from - p * P, out, from, to - from);
    }

    private static void panelQ8(Q4Matrix w, int p, Q8 x, float[] out, int oo) {
        switch (PATH) {
            case AVX512 -> q8Panel16x2(w.data(), p, -1, w.blocksPerRow(), x.q(), x.d(), x.corr(), out, oo, -1);
            case AVX2 -> q8Panel16x256(w.data(), p, w.blocksPerRow(), x.q(), x.d(), x.corr(), out, oo);
            case VECTOR128 -> q8Panel16x128(w.data(), p, w.blocksPerRow(), x.q(), x.d(), x.corr(), out, oo);
            default -> q8PanelScalar(w.data(), p, w.blocksPerRow(), x.q(), x.d(), x.corr(), out, oo);
        }
    }

    /**
     * Panels pa and pb (pb &lt; 0: pa alone) with 8-bit activations: sixteen rows in the 16-bit lanes of a
     * 256-bit vector, 32-bit and float work on 512-bit vectors once per block.
     */
    static void q8Panel16x2(byte[] nib, int pa, int pb, int blocks, short[] xq, float[] d, float[] corrs, float[] out, int oa, int ob) {
        boolean two = pb >= 0;
        FloatVector acc = FloatVector.zero(F512), corr = acc, accB = acc, corrB = acc;
        int base = pa * blocks, baseB = two ? pb * blocks : base;
        for (int b = 0; b < blocks; b++) {
            int no = (base + b) * PB, nb = (baseB + b) * PB, xo = b * 32;
            ShortVector s0 = ShortVector.zero(S256), s1 = s0, t0 = s0, t1 = s0;
            for (int j = 0; j < 8; j++) {
                ShortVector l = ShortVector.broadcast(S256, xq[xo + j]), h = ShortVector.broadcast(S256, xq[xo + 16 + j]);
                ShortVector q = (ShortVector) ByteVector.fromArray(B128, nib, no + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
                s0 = s0.add(q.and((short) 0x0F).mul(l)).add(q.lanewise(VectorOperators.LSHR, 4).mul(h));
                if (two) {
                    ShortVector r = (ShortVector) ByteVector.fromArray(B128, nib, nb + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
                    t0 = t0.add(r.and((short) 0x0F).mul(l)).add(r.lanewise(VectorOperators.LSHR, 4).mul(h));
                }
            }
            for (int j = 8; j < 16; j++) {
                ShortVector l = ShortVector.broadcast(S256, xq[xo + j]), h = ShortVector.broadcast(S256, xq[xo + 16 + j]);
                ShortVector q = (ShortVector) ByteVector.fromArray(B128, nib, no + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
                s1 = s1.add(q.and((short) 0x0F).mul(l)).add(q.lanewise(VectorOperators.LSHR, 4).mul(h));
                if (two) {
                    ShortVector r = (ShortVector) ByteVector.fromArray(B128, nib, nb + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
                    t1 = t1.add(r.and((short) 0x0F).mul(l)).add(r.lanewise(VectorOperators.LSHR, 4).mul(h));
                }
            }
            FloatVector db = FloatVector.broadcast(F512, d[b]), cb = FloatVector.broadcast(F512, corrs[b]);
            IntVector sh = (IntVector) ByteVector.fromArray(B256, nib, no + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I512, 0);
            FloatVector s = sh.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(sh.and(0x80000000)).reinterpretAsFloats();
            IntVector ia = ((IntVector) s0.convertShape(VectorOperators.S2I, I512, 0)).add((IntVector) s1.convertShape(VectorOperators.S2I, I512, 0));
            acc = ((FloatVector) ia.convert(VectorOperators.I2F, 0)).mul(db).fma(s, acc);
            corr = s.fma(cb, corr);
            if (two) {
                IntVector th = (IntVector) ByteVector.fromArray(B256, nib, nb + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I512, 0);
                FloatVector t = th.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(th.and(0x80000000)).reinterpretAsFloats();
                IntVector ib = ((IntVector) t0.convertShape(VectorOperators.S2I, I512, 0)).add((IntVector) t1.convertShape(VectorOperators.S2I, I512, 0));
                accB = ((FloatVector) ib.convert(VectorOperators.I2F, 0)).mul(db).fma(t, accB);
                corrB = t.fma(cb, corrB);
            }
        }
        acc.sub(corr).intoArray(out, oa);
        if (two) accB.sub(corrB).intoArray(out, ob);
    }

    /** One panel with 8-bit activations on 256-bit vectors (AVX2): the 32-bit and float work in two halves. */
    static void q8Panel16x256(byte[] nib, int p, int blocks, short[] xq, float[] d, float[] corrs, float[] out, int oo) {
        FloatVector accA = FloatVector.zero(F256), accB = accA, corrA = accA, corrB = accA;
        int base = p * blocks;
        for (int b = 0; b < blocks; b++) {
            int no = (base + b) * PB, xo = b * 32;
            ShortVector s0 = ShortVector.zero(S256), s1 = s0;
            for (int j = 0; j < 8; j++) {
                ShortVector l = ShortVector.broadcast(S256, xq[xo + j]), h = ShortVector.broadcast(S256, xq[xo + 16 + j]);
                ShortVector q = (ShortVector) ByteVector.fromArray(B128, nib, no + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
                s0 = s0.add(q.and((short) 0x0F).mul(l)).add(q.lanewise(VectorOperators.LSHR, 4).mul(h));
            }
            for (int j = 8; j < 16; j++) {
                ShortVector l = ShortVector.broadcast(S256, xq[xo + j]), h = ShortVector.broadcast(S256, xq[xo + 16 + j]);
                ShortVector q = (ShortVector) ByteVector.fromArray(B128, nib, no + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
                s1 = s1.add(q.and((short) 0x0F).mul(l)).add(q.lanewise(VectorOperators.LSHR, 4).mul(h));
            }
            FloatVector db = FloatVector.broadcast(F256, d[b]), cb = FloatVector.broadcast(F256, corrs[b]);
            IntVector lo = ((IntVector) s0.convertShape(VectorOperators.S2I, I256, 0)).add((IntVector) s1.convertShape(VectorOperators.S2I, I256, 0));
            IntVector hi = ((IntVector) s0.convertShape(VectorOperators.S2I, I256, 1)).add((IntVector) s1.convertShape(VectorOperators.S2I, I256, 1));
            IntVector sh = (IntVector) ByteVector.fromArray(B128, nib, no + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I256, 0);
            FloatVector s = sh.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(sh.and(0x80000000)).reinterpretAsFloats();
            IntVector th = (IntVector) ByteVector.fromArray(B128, nib, no + SCALES + 16).reinterpretAsShorts().convertShape(VectorOperators.S2I, I256, 0);
            FloatVector t = th.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(th.and(0x80000000)).reinterpretAsFloats();
            accA = ((FloatVector) lo.convert(VectorOperators.I2F, 0)).mul(db).fma(s, accA);
            corrA = s.fma(cb, corrA);
            accB = ((FloatVector) hi.convert(VectorOperators.I2F, 0)).mul(db).fma(t, accB);
            corrB = t.fma(cb, corrB);
        }
        accA.sub(corrA).intoArray(out, oo);
        accB.sub(corrB).intoArray(out, oo + 8);
    }

    /** One panel with 8-bit activations on 128-bit vectors (NEON, SSE): 8 rows per 16-bit vector, two per panel. */
    static void q8Panel16x128(byte[] nib, int p, int blocks, short[] xq, float[] d, float[] corrs, float[] out, int oo) {
        FloatVector a0 = FloatVector.zero(F128), a1 = a0, a2 = a0, a3 = a0, c0 = a0, c1 = a0, c2 = a0, c3 = a0;
        int base = p * blocks;
        for (int b = 0; b < blocks; b++) {
            int no = (base + b) * PB, xo = b * 32;
            ShortVector s0 = ShortVector.zero(S128), s1 = s0, t0 = s0, t1 = s0; // rows 0-7 / 8-15, first / second half block
            for (int j = 0; j < 8; j++) {
                ShortVector l = ShortVector.broadcast(S128, xq[xo + j]), h = ShortVector.broadcast(S128, xq[xo + 16 + j]);
                ShortVector q = (ShortVector) ByteVector.fromArray(B64, nib, no + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S128, 0);
                s0 = s0.add(q.and((short) 0x0F).mul(l)).add(q.lanewise(VectorOperators.LSHR, 4).mul(h));
                ShortVector r = (ShortVector) ByteVector.fromArray(B64, nib, no + j * 16 + 8).convertShape(VectorOperators.ZERO_EXTEND_B2S, S128, 0);
                t0 = t0.add(r.and((short) 0x0F).mul(l)).add(r.lanewise(VectorOperators.LSHR, 4).mul(h));
            }
            for (int j = 8; j < 16; j++) {
                ShortVector l = ShortVector.broadcast(S128, xq[xo + j]), h = ShortVector.broadcast(S128, xq[xo + 16 + j]);
                ShortVector q = (ShortVector) ByteVector.fromArray(B64, nib, no + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S128, 0);
                s1 = s1.add(q.and((short) 0x0F).mul(l)).add(q.lanewise(VectorOperators.LSHR, 4).mul(h));
                ShortVector r = (ShortVector) ByteVector.fromArray(B64, nib, no + j * 16 + 8).convertShape(VectorOperators.ZERO_EXTEND_B2S, S128, 0);
                t1 = t1.add(r.and((short) 0x0F).mul(l)).add(r.lanewise(VectorOperators.LSHR, 4).mul(h));
            }
            FloatVector db = FloatVector.broadcast(F128, d[b]), cb = FloatVector.broadcast(F128, corrs[b]);
            IntVector i0 = ((IntVector) s0.convertShape(VectorOperators.S2I, I128, 0)).add((IntVector) s1.convertShape(VectorOperators.S2I, I128, 0));
            IntVector i1 = ((IntVector) s0.convertShape(VectorOperators.S2I, I128, 1)).add((IntVector) s1.convertShape(VectorOperators.S2I, I128, 1));
            IntVector i2 = ((IntVector) t0.convertShape(VectorOperators.S2I, I128, 0)).add((IntVector) t1.convertShape(VectorOperators.S2I, I128, 0));
            IntVector i3 = ((IntVector) t0.convertShape(VectorOperators.S2I, I128, 1)).add((IntVector) t1.convertShape(VectorOperators.S2I, I128, 1));
            IntVector e0h = (IntVector) ByteVector.fromArray(B64, nib, no + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I128, 0);
            FloatVector e0 = e0h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(e0h.and(0x80000000)).reinterpretAsFloats();
            IntVector e1h = (IntVector) ByteVector.fromArray(B64, nib, no + SCALES + 8).reinterpretAsShorts().convertShape(VectorOperators.S2I, I128, 0);
            FloatVector e1 = e1h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(e1h.and(0x80000000)).reinterpretAsFloats();
            IntVector e2h = (IntVector) ByteVector.fromArray(B64, nib, no + SCALES + 16).reinterpretAsShorts().convertShape(VectorOperators.S2I, I128, 0);
            FloatVector e2 = e2h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(e2h.and(0x80000000)).reinterpretAsFloats();
            IntVector e3h = (IntVector) ByteVector.fromArray(B64, nib, no + SCALES + 24).reinterpretAsShorts().convertShape(VectorOperators.S2I, I128, 0);
            FloatVector e3 = e3h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(e3h.and(0x80000000)).reinterpretAsFloats();
            a0 = ((FloatVector) i0.convert(VectorOperators.I2F, 0)).mul(db).fma(e0, a0);
            a1 = ((FloatVector) i1.convert(VectorOperators.I2F, 0)).mul(db).fma(e1, a1);
            a2 = ((FloatVector) i2.convert(VectorOperators.I2F, 0)).mul(db).fma(e2, a2);
            a3 = ((FloatVector) i3.convert(VectorOperators.I2F, 0)).mul(db).fma(e3, a3);
            c0 = e0.fma(cb, c0);
            c1 = e1.fma(cb, c1);
            c2 = e2.fma(cb, c2);
            c3 = e3.fma(cb, c3);
        }
        a0.sub(c0).intoArray(out, oo);
        a1.sub(c1).intoArray(out, oo + 4);
        a2.sub(c2).intoArray(out, oo + 8);
        a3.sub(c3).intoArray(out, oo + 12);
    }

    /** The plain reference for 8-bit activations: integer sums per block, then the same float scaling. */
    static void q8PanelScalar(byte[] nib, int p, int blocks, short[] xq, float[] d, float[] corrs, float[] out, int oo) {
        for (int lane = 0; lane < P; lane++) {
            float total = 0;
            for (int b = 0; b < blocks; b++) {
                int pb = p * blocks + b;
                int sum = 0;
                for (int j = 0; j < 16; j++) {
                    int q = nib[pb * PB + j * 16 + lane];
                    sum += (q & 0x0F) * xq[b * 32 + j] + ((q >> 4) & 0x0F) * xq[b * 32 + 16 + j];
                }
                float s = half(nib, pb * PB + SCALES + 2 * lane);
                total += sum * d[b] * s - s * corrs[b];
            }
            out[oo + lane] = total;
        }
    }

    // ---------------------------------------------------------------- several tokens (prompt)

    /**
     * Activations of a batch of tokens, prepared once and shared by the threads that split the rows:
     * whole tiles of {@link #LANES} tokens transposed for the panel GEMM, the rest (a few tokens past the
     * last full tile, or a batch too small for a tile) with what the matvec kernel needs.
     */
    public static final class Batch {
        final int tokens, panelTokens;
        final float[] xt;
        final float[][] x, y, sums;
        final Q8[] q8;

        private Batch(float[][] x, int tokens, int cols, Activations activations) {
            this.tokens = tokens;
            int rest = tokens % LANES;
            this.panelTokens = !panelPays(tokens) ? 0 : rest > 0 && rest <= SINGLE_TOKEN_REST ? tokens - rest : tokens;
            this.xt = panelTokens > 0 ? packTokens(x, panelTokens, cols) : null;
            this.x = x;
            this.y = new float[tokens][];
            this.sums = new float[tokens][];
            this.q8 = new Q8[tokens];
            for (int t = panelTokens; t < tokens; t++) {
                if (activations == Activations.Q8) {
                    q8[t] = Q8.of(x[t]);
                } else {
                    y[t] = highMinus16Low(x[t]);
                    sums[t] = new float[cols / 32];
                    blockSums(x[t], sums[t]);
                }
            }
        }
    }

    /** Tokens past the panel GEMM's last full tile that are cheaper one by one on the matvec kernel. */
    static final int SINGLE_TOKEN_REST = 4;

    /**
     * Whether a batch of this many tokens goes through the panel GEMM: it computes whole tiles of
     * {@link #LANES} tokens, and below about three quarters of a tile the matvec kernel token by token
     * (memory-bound, and now fast) costs less.
     */
    public static boolean panelPays(int tokens) {
        return tokens > 1 && tokens * 4 >= LANES * 3;
    }

    /** Prepares x[0 .. tokens) for {@link #matmul}. */
    public static Batch batch(float[][] x, int tokens, int cols, Activations activations) {
        return new Batch(x, tokens, cols, activations);
    }

    /** out[t][r] = Σ_c w[r, c]·x[t][c] for every token of the batch and rows [from, to). */
    public static void matmul(Q4Matrix w, Batch batch, float[][] out, int from, int to) {
        if (batch.panelTokens > 0) matmulPacked(w, batch.xt, batch.panelTokens, out, from, to);
        for (int t = batch.panelTokens; t < batch.tokens; t++) {
            if (batch.q8[t] != null) {
                matvec(w, batch.q8[t], out[t], from, to);
            } else {
                matvec(w, batch.x[t], batch.y[t], batch.sums[t], out[t], from, to);
            }
        }
    }

    /** The same without a prepared batch (tests, one-off products). */
    public static void matmul(Q4Matrix w, float[][] x, int tokens, float[][] out, int from, int to, Activations activations) {
        matmul(w, batch(x, tokens, w.cols(), activations), out, from, to);
    }

    /**
     * A batch of activations transposed into tiles of {@link #LANES} tokens, the layout {@link #matmulPacked}
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

    /**
     * Batched (prompt) product over activations from {@link #packTokens}: out[t][r] = Σ_c w[r, c]·x[t][c] for
     * rows [from, to). Each panel of 16 rows is dequantized (with its scales) into a float buffer, k-major,
     * that stays in the cache; then, 8 rows at a time, each weight is broadcast and multiplied into two
     * tiles of {@link #LANES} tokens by one FMA each: the inner loop is FMAs on registers (16 accumulators),
     * the unpacking is paid once per 32·{@link #LANES} token products, and no horizontal sums are needed.
     */
    public static void matmulPacked(Q4Matrix w, float[] xt, int tokens, float[][] out, int from, int to) {
        if (from >= to) return;
        int cols = w.cols();
        int tiles = (tokens + LANES - 1) / LANES;
        float[] panel = panelBuffer(P * cols);
        float[] lanes = new float[LANES];
        for (int p = from / P; p * P < to; p++) {
            dequantize(w, p, panel);
            for (int half = 0; half < P; half += 8) {
                int row = p * P + half;
                if (row >= to || row + 8 <= from) continue;
                int tile = 0;
                for (; tile + 2 <= tiles; tile += 2) panel8x2(panel, half, cols, xt, tile, tokens, out, row, from, to, lanes);
                if (tile < tiles) panel8x1(panel, half, cols, xt, tile, tokens, out, row, from, to, lanes);
            }
        }
    }

    private static void panel8x2(float[] p, int off, int cols, float[] xt, int tile, int tokens, float[][] out, int row, int from, int to,
                                 float[] lanes) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
        int xa = tile * cols * LANES, xb = xa + cols * LANES;
        for (int k = 0; k < cols; k++) {
            FloatVector u = FloatVector.fromArray(F, xt, xa + k * LANES);
            FloatVector v = FloatVector.fromArray(F, xt, xb + k * LANES);
            int pk = k * P + off;
            FloatVector w = FloatVector.broadcast(F, p[pk]);
            a0 = w.fma(u, a0);
            b0 = w.fma(v, b0);
            w = FloatVector.broadcast(F, p[pk + 1]);
            a1 = w.fma(u, a1);
            b1 = w.fma(v, b1);
            w = FloatVector.broadcast(F, p[pk + 2]);
            a2 = w.fma(u, a2);
            b2 = w.fma(v, b2);
            w = FloatVector.broadcast(F, p[pk + 3]);
            a3 = w.fma(u, a3);
            b3 = w.fma(v, b3);
            w = FloatVector.broadcast(F, p[pk + 4]);
            a4 = w.fma(u, a4);
            b4 = w.fma(v, b4);
            w = FloatVector.broadcast(F, p[pk + 5]);
            a5 = w.fma(u, a5);
            b5 = w.fma(v, b5);
            w = FloatVector.broadcast(F, p[pk + 6]);
            a6 = w.fma(u, a6);
            b6 = w.fma(v, b6);
            w = FloatVector.broadcast(F, p[pk + 7]);
            a7 = w.fma(u, a7);
            b7 = w.fma(v, b7);
        }
        int t0 = tile * LANES, t1 = t0 + LANES;
        a0.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row, from, to);
        a1.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 1, from, to);
        a2.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 2, from, to);
        a3.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 3, from, to);
        a4.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 4, from, to);
        a5.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 5, from, to);
        a6.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 6, from, to);
        a7.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 7, from, to);
        b0.intoArray(lanes, 0);
        scatter(lanes, out, t1, tokens, row, from, to);
        b1.intoArray(lanes, 0);
        scatter(lanes, out, t1, tokens, row + 1, from, to);
        b2.intoArray(lanes, 0);
        scatter(lanes, out, t1, tokens, row + 2, from, to);
        b3.intoArray(lanes, 0);
        scatter(lanes, out, t1, tokens, row + 3, from, to);
        b4.intoArray(lanes, 0);
        scatter(lanes, out, t1, tokens, row + 4, from, to);
        b5.intoArray(lanes, 0);
        scatter(lanes, out, t1, tokens, row + 5, from, to);
        b6.intoArray(lanes, 0);
        scatter(lanes, out, t1, tokens, row + 6, from, to);
        b7.intoArray(lanes, 0);
        scatter(lanes, out, t1, tokens, row + 7, from, to);
    }

    private static void panel8x1(float[] p, int off, int cols, float[] xt, int tile, int tokens, float[][] out, int row, int from, int to,
                                 float[] lanes) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        int xa = tile * cols * LANES;
        for (int k = 0; k < cols; k++) {
            FloatVector u = FloatVector.fromArray(F, xt, xa + k * LANES);
            int pk = k * P + off;
            a0 = FloatVector.broadcast(F, p[pk]).fma(u, a0);
            a1 = FloatVector.broadcast(F, p[pk + 1]).fma(u, a1);
            a2 = FloatVector.broadcast(F, p[pk + 2]).fma(u, a2);
            a3 = FloatVector.broadcast(F, p[pk + 3]).fma(u, a3);
            a4 = FloatVector.broadcast(F, p[pk + 4]).fma(u, a4);
            a5 = FloatVector.broadcast(F, p[pk + 5]).fma(u, a5);
            a6 = FloatVector.broadcast(F, p[pk + 6]).fma(u, a6);
            a7 = FloatVector.broadcast(F, p[pk + 7]).fma(u, a7);
        }
        int t0 = tile * LANES;
        a0.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row, from, to);
        a1.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 1, from, to);
        a2.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 2, from, to);
        a3.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 3, from, to);
        a4.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 4, from, to);
        a5.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 5, from, to);
        a6.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 6, from, to);
        a7.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 7, from, to);
    }

    /** out[t0 + t][row] = lanes[t] for the tokens that exist, if the row is in [from, to). */
    private static void scatter(float[] lanes, float[][] out, int t0, int tokens, int row, int from, int to) {
        if (row < from || row >= to) return;
        for (int t = 0; t < LANES && t0 + t < tokens; t++) out[t0 + t][row] = lanes[t];
    }

    /** Panel p of w, dequantized k-major: panel[k·16 + r] = w[16p + r, k] (zero for padding rows). */
    static void dequantize(Q4Matrix w, int p, float[] panel) {
        byte[] nib = w.data();
        int blocks = w.blocksPerRow();
        for (int b = 0; b < blocks; b++) {
            int pb = p * blocks + b, no = pb * PB, lo = b * 32 * P, hi = lo + 16 * P;
            if (PATH == Path.AVX512) {
                IntVector sh = (IntVector) ByteVector.fromArray(B256, nib, no + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I512, 0);
                FloatVector s = sh.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(sh.and(0x80000000)).reinterpretAsFloats();
                FloatVector off = s.mul(-8f);
                for (int j = 0; j < 16; j++) {
                    IntVector q = (IntVector) ByteVector.fromArray(B128, nib, no + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
                    ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(s, off).intoArray(panel, lo + j * P);
                    ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(s, off).intoArray(panel, hi + j * P);
                }
            } else if (PATH == Path.AVX2) {
                for (int h = 0; h < P; h += 8) {
                    IntVector sh = (IntVector) ByteVector.fromArray(B128, nib, no + SCALES + 2 * h).reinterpretAsShorts().convertShape(VectorOperators.S2I, I256, 0);
                    FloatVector s = sh.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                        .reinterpretAsInts().or(sh.and(0x80000000)).reinterpretAsFloats();
                    FloatVector off = s.mul(-8f);
                    for (int j = 0; j < 16; j++) {
                        IntVector q = (IntVector) ByteVector.fromArray(B64, nib, no + j * 16 + h).convertShape(VectorOperators.ZERO_EXTEND_B2I, I256, 0);
                        ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(s, off).intoArray(panel, lo + j * P + h);
                        ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(s, off).intoArray(panel, hi + j * P + h);
                    }
                }
            } else if (PATH == Path.VECTOR128) {
                for (int h = 0; h < P; h += 8) {
                    IntVector sh = (IntVector) ByteVector.fromArray(B64, nib, no + SCALES + 2 * h).reinterpretAsShorts().convertShape(VectorOperators.S2I, I128, 0);
                    FloatVector s = sh.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                        .reinterpretAsInts().or(sh.and(0x80000000)).reinterpretAsFloats();
                    IntVector th = (IntVector) ByteVector.fromArray(B64, nib, no + SCALES + 2 * h + 8).reinterpretAsShorts().convertShape(VectorOperators.S2I, I128, 0);
                    FloatVector t = th.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                        .reinterpretAsInts().or(th.and(0x80000000)).reinterpretAsFloats();
                    FloatVector offS = s.mul(-8f), offT = t.mul(-8f);
                    for (int j = 0; j < 16; j++) {
                        ByteVector bytes = ByteVector.fromArray(B64, nib, no + j * 16 + h);
                        IntVector q = (IntVector) bytes.convertShape(VectorOperators.ZERO_EXTEND_B2I, I128, 0);
                        ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(s, offS).intoArray(panel, lo + j * P + h);
                        ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(s, offS).intoArray(panel, hi + j * P + h);
                        IntVector r = (IntVector) bytes.convertShape(VectorOperators.ZERO_EXTEND_B2I, I128, 1);
                        ((FloatVector) r.and(0x0F).convert(VectorOperators.I2F, 0)).fma(t, offT).intoArray(panel, lo + j * P + h + 4);
                        ((FloatVector) r.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(t, offT).intoArray(panel, hi + j * P + h + 4);
                    }
                }
            } else {
                for (int j = 0; j < 16; j++) {
                    for (int r = 0; r < P; r++) {
                        int q = nib[no + j * 16 + r];
                        float s = half(nib, no + SCALES + 2 * r);
                        panel[lo + j * P + r] = ((q & 0x0F) - 8) * s;
                        panel[hi + j * P + r] = (((q >> 4) & 0x0F) - 8) * s;
                    }
                }
            }
        }
    }

    /** The little-endian half float at d[o], as a float. */
    static float half(byte[] d, int o) {
        return Float.float16ToFloat((short) ((d[o] & 0xFF) | (d[o + 1] << 8)));
    }

    private static float[] panelBuffer(int n) {
        float[] p = PANEL_BUFFER.get();
        if (p.length < n) {
            p = new float[n];
            PANEL_BUFFER.set(p);
        }
        return p;
    }

    private static final ThreadLocal<float[]> PANEL_BUFFER = ThreadLocal.withInitial(() -> new float[0]);
}
