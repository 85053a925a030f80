package dev.synthiabot.adapter.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Q4 weight × F32 activation kernels on the Java Vector API, chosen at startup from the preferred
 * vector width: 512-bit (AVX-512), 256-bit (AVX2), 128-bit (NEON and others) or scalar.
 *
 * <p>Σ_j (q_j − 8)·x_j·s = s·(Σ_j q_j·x_j − 8·Σ_j x_j): the nibbles are used as they are (0..15) and the
 * −8 is applied once per block with the block's activation sum, which the caller computes once per
 * activation vector and shares across all rows.
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
    static final VectorSpecies<Float> F128 = FloatVector.SPECIES_128;
    static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    static final VectorSpecies<Byte> B64 = ByteVector.SPECIES_64;

    /** Which implementation runs on this machine. */
    public enum Path { AVX512, AVX2, VECTOR128, SCALAR }

    public static final Path PATH = WIDTH >= 512 ? Path.AVX512 : WIDTH == 256 ? Path.AVX2 : WIDTH == 128 ? Path.VECTOR128 : Path.SCALAR;

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
        float[][] x = new float[TILE * 4][cols];
        for (float[] row : x) for (int i = 0; i < cols; i++) row[i] = (float) r.nextGaussian();
        float[] sums = new float[w.blocksPerRow()];
        blockSums(x[0], sums);
        float[] y = highMinus16Low(x[0]);
        float[] out = new float[rows];
        float[][] batch = new float[x.length][rows];
        float[] xt32 = packTokens(x, 32, cols), xt17 = packTokens(x, 17, cols);
        for (int i = 0; i < 2000; i++) {
            matvec(w, x[0], y, sums, out, 0, rows);
            matvec(w, x[0], y, sums, out, 4, rows - 4); // the single-group and row-by-row paths too
            if (i % 10 == 0) {
                matmulPacked(w, xt32, 32, batch, 0, rows);
                matmulPacked(w, xt17, 17, batch, 0, rows - 1);
                matmul(w, x, TILE, batch, 0, rows - 1);
                matmul(w, x, 3, batch, 0, rows);
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

    /** Per-block sums of an activation vector (length cols / 32), needed by {@link #dot}. */
    public static void blockSums(float[] x, float[] sums) {
        for (int b = 0; b < sums.length; b++) {
            float s = 0;
            int base = b * 32;
            for (int j = 0; j < 32; j++) s += x[base + j];
            sums[b] = s;
        }
    }

    /** out[r] = Σ_c w[r, c]·x[c] for rows [from, to). {@code sums} from {@link #blockSums}. */
    public static void matvec(Q4Matrix w, float[] x, float[] sums, float[] out, int from, int to) {
        matvec(w, x, highMinus16Low(x), sums, out, from, to);
    }

    /**
     * The same with {@code y = highMinus16Low(x)} computed once by the caller (several threads share one
     * activation vector).
     */
    public static void matvec(Q4Matrix w, float[] x, float[] y, float[] sums, float[] out, int from, int to) {
        int r = from;
        if (PATH == Path.AVX512) {
            for (; r < to && (r & (Q4Matrix.GROUP - 1)) != 0; r++) out[r] = dot(w, r, x, sums);
            int end = r;
            while (end + 4 <= to && w.groupSize(end) == 4) end += 4;
            // Full groups in [r, end): two at a time from the two halves of the range, so the loop reads two
            // distant sequential streams (the prefetchers keep more memory requests in flight: ~20% faster
            // than one stream when the matrix comes from RAM), then an odd group alone.
            int pairs = (end - r) / 8, mid = r + pairs * 4;
            for (int i = 0; i < pairs; i++) dot4x512x2(w.nibbles(), w.scales(), r + 4 * i, mid + 4 * i, w.blocksPerRow(), x, y, sums, out);
            r = mid + pairs * 4;
            for (; r + 4 <= end; r += 4) dot4x512(w.nibbles(), w.scales(), r, w.blocksPerRow(), x, y, sums, out);
        }
        for (; r < to; r++) out[r] = dot(w, r, x, sums);
    }

    /**
     * Whether a batch of this many tokens goes through the panel GEMM ({@link #matmulPacked}): it computes
     * whole tiles of {@link #LANES} tokens, so on AVX-512 a batch of up to 8 tokens is cheaper on the 8-token
     * tile kernel below.
     */
    public static boolean panelPays(int tokens) {
        return PATH == Path.AVX512 ? tokens > TILE : tokens > 1;
    }

    /** Tokens per tile of {@link #matmul}'s small-batch kernel: each dequantized weight block is used this many times. */
    static final int TILE = 8;

    /**
     * Batched (prompt) product: out[t][r] = Σ_c w[r, c]·x[t][c] for tokens [0, tokens) and rows [from, to).
     * Each block of weights is dequantized once per tile of {@value #TILE} tokens, so the cost per token is
     * mostly FMAs rather than unpacking.
     */
    public static void matmul(Q4Matrix w, float[][] x, int tokens, float[][] out, int from, int to) {
        if (panelPays(tokens)) {
            matmulPacked(w, packTokens(x, tokens, w.cols()), tokens, out, from, to);
            return;
        }
        if (PATH != Path.AVX512) {
            float[] sums = new float[w.blocksPerRow()];
            for (int t = 0; t < tokens; t++) {
                blockSums(x[t], sums);
                for (int r = from; r < to; r++) out[t][r] = dot(w, r, x[t], sums);
            }
            return;
        }
        for (int t0 = 0; t0 < tokens; t0 += TILE) {
            int n = Math.min(TILE, tokens - t0);
            int r = from;
            for (; r + 2 <= to; r += 2) tile2x512(w, r, x, t0, n, out);
            for (; r < to; r++) tile512(w, r, x, t0, n, out);
        }
    }

    /**
     * One row against a tile of 8 tokens; accumulators are locals (an array of vectors would be boxed).
     * Missing tokens of a short tile point at a zero row and their results are dropped.
     */
    private static void tile512(Q4Matrix w, int row, float[][] x, int t0, int n, float[][] out) {
        byte[] nib = w.nibbles();
        float[] sc = w.scales();
        int blocks = w.blocksPerRow(), first = w.blockIndex(row, 0), stride = w.groupSize(row);
        float[] zero = ZERO.get();
        if (zero.length < blocks * 32) {
            zero = new float[blocks * 32];
            ZERO.set(zero);
        }
        float[] x0 = x[t0], x1 = n > 1 ? x[t0 + 1] : zero, x2 = n > 2 ? x[t0 + 2] : zero, x3 = n > 3 ? x[t0 + 3] : zero;
        float[] x4 = n > 4 ? x[t0 + 4] : zero, x5 = n > 5 ? x[t0 + 5] : zero, x6 = n > 6 ? x[t0 + 6] : zero, x7 = n > 7 ? x[t0 + 7] : zero;
        FloatVector a0 = FloatVector.zero(F512), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int b = 0; b < blocks; b++) {
            int k = first + b * stride;
            float s = sc[k];
            IntVector q = (IntVector) ByteVector.fromArray(B128, nib, k * 16).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            FloatVector vs = FloatVector.broadcast(F512, s);
            FloatVector off = FloatVector.broadcast(F512, -8f * s);
            FloatVector lo = ((FloatVector) q.lanewise(VectorOperators.AND, 0x0F).convert(VectorOperators.I2F, 0)).fma(vs, off);
            FloatVector hi = ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(vs, off);
            int xl = b * 32, xh = xl + 16;
            a0 = lo.fma(FloatVector.fromArray(F512, x0, xl), hi.fma(FloatVector.fromArray(F512, x0, xh), a0));
            a1 = lo.fma(FloatVector.fromArray(F512, x1, xl), hi.fma(FloatVector.fromArray(F512, x1, xh), a1));
            a2 = lo.fma(FloatVector.fromArray(F512, x2, xl), hi.fma(FloatVector.fromArray(F512, x2, xh), a2));
            a3 = lo.fma(FloatVector.fromArray(F512, x3, xl), hi.fma(FloatVector.fromArray(F512, x3, xh), a3));
            a4 = lo.fma(FloatVector.fromArray(F512, x4, xl), hi.fma(FloatVector.fromArray(F512, x4, xh), a4));
            a5 = lo.fma(FloatVector.fromArray(F512, x5, xl), hi.fma(FloatVector.fromArray(F512, x5, xh), a5));
            a6 = lo.fma(FloatVector.fromArray(F512, x6, xl), hi.fma(FloatVector.fromArray(F512, x6, xh), a6));
            a7 = lo.fma(FloatVector.fromArray(F512, x7, xl), hi.fma(FloatVector.fromArray(F512, x7, xh), a7));
        }
        out[t0][row] = a0.reduceLanes(VectorOperators.ADD);
        if (n > 1) out[t0 + 1][row] = a1.reduceLanes(VectorOperators.ADD);
        if (n > 2) out[t0 + 2][row] = a2.reduceLanes(VectorOperators.ADD);
        if (n > 3) out[t0 + 3][row] = a3.reduceLanes(VectorOperators.ADD);
        if (n > 4) out[t0 + 4][row] = a4.reduceLanes(VectorOperators.ADD);
        if (n > 5) out[t0 + 5][row] = a5.reduceLanes(VectorOperators.ADD);
        if (n > 6) out[t0 + 6][row] = a6.reduceLanes(VectorOperators.ADD);
        if (n > 7) out[t0 + 7][row] = a7.reduceLanes(VectorOperators.ADD);
    }

    /** Two rows against a tile of 8 tokens: each activation vector loaded serves both rows (16 accumulators). */
    private static void tile2x512(Q4Matrix w, int row, float[][] x, int t0, int n, float[][] out) {
        byte[] nib = w.nibbles();
        float[] sc = w.scales();
        int blocks = w.blocksPerRow();
        int fa = w.blockIndex(row, 0), sa_ = w.groupSize(row), fc = w.blockIndex(row + 1, 0), sc_ = w.groupSize(row + 1);
        float[] zero = zeros(blocks * 32);
        float[] x0 = x[t0], x1 = n > 1 ? x[t0 + 1] : zero, x2 = n > 2 ? x[t0 + 2] : zero, x3 = n > 3 ? x[t0 + 3] : zero;
        float[] x4 = n > 4 ? x[t0 + 4] : zero, x5 = n > 5 ? x[t0 + 5] : zero, x6 = n > 6 ? x[t0 + 6] : zero, x7 = n > 7 ? x[t0 + 7] : zero;
        FloatVector a0 = FloatVector.zero(F512), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector c0 = a0, c1 = a0, c2 = a0, c3 = a0, c4 = a0, c5 = a0, c6 = a0, c7 = a0;
        for (int b = 0; b < blocks; b++) {
            int ka = fa + b * sa_, kc = fc + b * sc_;
            float sa = sc[ka], sb = sc[kc];
            IntVector qa = (IntVector) ByteVector.fromArray(B128, nib, ka * 16).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            IntVector qb = (IntVector) ByteVector.fromArray(B128, nib, kc * 16).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            FloatVector vsa = FloatVector.broadcast(F512, sa), offa = FloatVector.broadcast(F512, -8f * sa);
            FloatVector vsb = FloatVector.broadcast(F512, sb), offb = FloatVector.broadcast(F512, -8f * sb);
            FloatVector la = ((FloatVector) qa.and(0x0F).convert(VectorOperators.I2F, 0)).fma(vsa, offa);
            FloatVector ha = ((FloatVector) qa.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(vsa, offa);
            FloatVector lb = ((FloatVector) qb.and(0x0F).convert(VectorOperators.I2F, 0)).fma(vsb, offb);
            FloatVector hb = ((FloatVector) qb.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(vsb, offb);
            int xl = b * 32, xh = xl + 16;
            FloatVector v, u;
            v = FloatVector.fromArray(F512, x0, xl); u = FloatVector.fromArray(F512, x0, xh);
            a0 = la.fma(v, ha.fma(u, a0)); c0 = lb.fma(v, hb.fma(u, c0));
            v = FloatVector.fromArray(F512, x1, xl); u = FloatVector.fromArray(F512, x1, xh);
            a1 = la.fma(v, ha.fma(u, a1)); c1 = lb.fma(v, hb.fma(u, c1));
            v = FloatVector.fromArray(F512, x2, xl); u = FloatVector.fromArray(F512, x2, xh);
            a2 = la.fma(v, ha.fma(u, a2)); c2 = lb.fma(v, hb.fma(u, c2));
            v = FloatVector.fromArray(F512, x3, xl); u = FloatVector.fromArray(F512, x3, xh);
            a3 = la.fma(v, ha.fma(u, a3)); c3 = lb.fma(v, hb.fma(u, c3));
            v = FloatVector.fromArray(F512, x4, xl); u = FloatVector.fromArray(F512, x4, xh);
            a4 = la.fma(v, ha.fma(u, a4)); c4 = lb.fma(v, hb.fma(u, c4));
            v = FloatVector.fromArray(F512, x5, xl); u = FloatVector.fromArray(F512, x5, xh);
            a5 = la.fma(v, ha.fma(u, a5)); c5 = lb.fma(v, hb.fma(u, c5));
            v = FloatVector.fromArray(F512, x6, xl); u = FloatVector.fromArray(F512, x6, xh);
            a6 = la.fma(v, ha.fma(u, a6)); c6 = lb.fma(v, hb.fma(u, c6));
            v = FloatVector.fromArray(F512, x7, xl); u = FloatVector.fromArray(F512, x7, xh);
            a7 = la.fma(v, ha.fma(u, a7)); c7 = lb.fma(v, hb.fma(u, c7));
        }
        float[] ra = {a0.reduceLanes(VectorOperators.ADD), a1.reduceLanes(VectorOperators.ADD), a2.reduceLanes(VectorOperators.ADD),
            a3.reduceLanes(VectorOperators.ADD), a4.reduceLanes(VectorOperators.ADD), a5.reduceLanes(VectorOperators.ADD),
            a6.reduceLanes(VectorOperators.ADD), a7.reduceLanes(VectorOperators.ADD)};
        float[] rc = {c0.reduceLanes(VectorOperators.ADD), c1.reduceLanes(VectorOperators.ADD), c2.reduceLanes(VectorOperators.ADD),
            c3.reduceLanes(VectorOperators.ADD), c4.reduceLanes(VectorOperators.ADD), c5.reduceLanes(VectorOperators.ADD),
            c6.reduceLanes(VectorOperators.ADD), c7.reduceLanes(VectorOperators.ADD)};
        for (int t = 0; t < n; t++) {
            out[t0 + t][row] = ra[t];
            out[t0 + t][row + 1] = rc[t];
        }
    }

    /** Tokens per tile of the panel GEMM: one float vector holds one weight's products with this many tokens. */
    public static final int LANES = F.length();

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

    /** Rows dequantized at once by the panel GEMM: 8 rows x 2 token tiles = 16 accumulators in registers. */
    static final int PANEL_ROWS = 8;

    /**
     * Batched (prompt) product over activations from {@link #packTokens}: out[t][r] = Σ_c w[r, c]·x[t][c] for
     * rows [from, to). Eight rows at a time are dequantized (with their scales) into a float panel that stays in
     * the cache; then each weight is broadcast and multiplied into two tiles of {@link #LANES} tokens by one
     * FMA each, so the inner loop is FMAs on registers (16 accumulators), the unpacking is paid once per
     * 32·{@link #LANES} token products, and no horizontal sums are needed.
     */
    public static void matmulPacked(Q4Matrix w, float[] xt, int tokens, float[][] out, int from, int to) {
        int cols = w.cols();
        int tiles = (tokens + LANES - 1) / LANES;
        float[] panel = panel(PANEL_ROWS * cols);
        float[] lanes = new float[LANES];
        int r = from;
        for (; r + PANEL_ROWS <= to; r += PANEL_ROWS) {
            dequantize(w, r, PANEL_ROWS, panel);
            int tile = 0;
            for (; tile + 2 <= tiles; tile += 2) panel8x2(panel, cols, xt, tile, tokens, out, r, lanes);
            if (tile < tiles) panel8x1(panel, cols, xt, tile, tokens, out, r, lanes);
        }
        for (; r < to; r++) {
            dequantize(w, r, 1, panel);
            for (int tile = 0; tile < tiles; tile++) panel1x1(panel, 0, cols, xt, tile, tokens, out, r, lanes);
        }
    }

    private static void panel8x2(float[] p, int cols, float[] xt, int tile, int tokens, float[][] out, int row, float[] lanes) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
        int xa = tile * cols * LANES, xb = xa + cols * LANES;
        int p1 = cols, p2 = 2 * cols, p3 = 3 * cols, p4 = 4 * cols, p5 = 5 * cols, p6 = 6 * cols, p7 = 7 * cols;
        for (int k = 0; k < cols; k++) {
            FloatVector u = FloatVector.fromArray(F, xt, xa + k * LANES);
            FloatVector v = FloatVector.fromArray(F, xt, xb + k * LANES);
            FloatVector w = FloatVector.broadcast(F, p[k]);
            a0 = w.fma(u, a0);
            b0 = w.fma(v, b0);
            w = FloatVector.broadcast(F, p[p1 + k]);
            a1 = w.fma(u, a1);
            b1 = w.fma(v, b1);
            w = FloatVector.broadcast(F, p[p2 + k]);
            a2 = w.fma(u, a2);
            b2 = w.fma(v, b2);
            w = FloatVector.broadcast(F, p[p3 + k]);
            a3 = w.fma(u, a3);
            b3 = w.fma(v, b3);
            w = FloatVector.broadcast(F, p[p4 + k]);
            a4 = w.fma(u, a4);
            b4 = w.fma(v, b4);
            w = FloatVector.broadcast(F, p[p5 + k]);
            a5 = w.fma(u, a5);
            b5 = w.fma(v, b5);
            w = FloatVector.broadcast(F, p[p6 + k]);
            a6 = w.fma(u, a6);
            b6 = w.fma(v, b6);
            w = FloatVector.broadcast(F, p[p7 + k]);
            a7 = w.fma(u, a7);
            b7 = w.fma(v, b7);
        }
        int t0 = tile * LANES, t1 = t0 + LANES;
        a0.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row);
        a1.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 1);
        a2.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 2);
        a3.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 3);
        a4.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 4);
        a5.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 5);
        a6.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 6);
        a7.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 7);
        b0.intoArray(lanes, 0);
        scatter(lanes, out, t1, tokens, row);
        b1.intoArray(lanes, 0);
        scatter(lanes, out, t1, tokens, row + 1);
        b2.intoArray(lanes, 0);
        scatter(lanes, out, t1, tokens, row + 2);
        b3.intoArray(lanes, 0);
        scatter(lanes, out, t1, tokens, row + 3);
        b4.intoArray(lanes, 0);
        scatter(lanes, out, t1, tokens, row + 4);
        b5.intoArray(lanes, 0);
        scatter(lanes, out, t1, tokens, row + 5);
        b6.intoArray(lanes, 0);
        scatter(lanes, out, t1, tokens, row + 6);
        b7.intoArray(lanes, 0);
        scatter(lanes, out, t1, tokens, row + 7);
    }

    private static void panel8x1(float[] p, int cols, float[] xt, int tile, int tokens, float[][] out, int row, float[] lanes) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        int xa = tile * cols * LANES;
        int p1 = cols, p2 = 2 * cols, p3 = 3 * cols, p4 = 4 * cols, p5 = 5 * cols, p6 = 6 * cols, p7 = 7 * cols;
        for (int k = 0; k < cols; k++) {
            FloatVector u = FloatVector.fromArray(F, xt, xa + k * LANES);
            a0 = FloatVector.broadcast(F, p[k]).fma(u, a0);
            a1 = FloatVector.broadcast(F, p[p1 + k]).fma(u, a1);
            a2 = FloatVector.broadcast(F, p[p2 + k]).fma(u, a2);
            a3 = FloatVector.broadcast(F, p[p3 + k]).fma(u, a3);
            a4 = FloatVector.broadcast(F, p[p4 + k]).fma(u, a4);
            a5 = FloatVector.broadcast(F, p[p5 + k]).fma(u, a5);
            a6 = FloatVector.broadcast(F, p[p6 + k]).fma(u, a6);
            a7 = FloatVector.broadcast(F, p[p7 + k]).fma(u, a7);
        }
        int t0 = tile * LANES;
        a0.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row);
        a1.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 1);
        a2.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 2);
        a3.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 3);
        a4.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 4);
        a5.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 5);
        a6.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 6);
        a7.intoArray(lanes, 0);
        scatter(lanes, out, t0, tokens, row + 7);
    }

    private static void panel1x1(float[] p, int po, int cols, float[] xt, int tile, int tokens, float[][] out, int row, float[] lanes) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0;
        int xa = tile * cols * LANES;
        int k = 0;
        for (; k + 2 <= cols; k += 2) {
            a0 = FloatVector.broadcast(F, p[po + k]).fma(FloatVector.fromArray(F, xt, xa + k * LANES), a0);
            a1 = FloatVector.broadcast(F, p[po + k + 1]).fma(FloatVector.fromArray(F, xt, xa + (k + 1) * LANES), a1);
        }
        a0.add(a1).intoArray(lanes, 0);
        scatter(lanes, out, tile * LANES, tokens, row);
    }

    /** out[t0 + t][row] = lanes[t] for the tokens that exist. */
    private static void scatter(float[] lanes, float[][] out, int t0, int tokens, int row) {
        for (int t = 0; t < LANES && t0 + t < tokens; t++) out[t0 + t][row] = lanes[t];
    }

    /** Rows [row, row + rows) of w, dequantized into panel[i·cols + c]. */
    static void dequantize(Q4Matrix w, int row, int rows, float[] panel) {
        byte[] nib = w.nibbles();
        float[] sc = w.scales();
        int blocks = w.blocksPerRow(), cols = w.cols();
        for (int i = 0; i < rows; i++) {
            int first = w.blockIndex(row + i, 0), stride = w.groupSize(row + i), po = i * cols;
            if (PATH == Path.AVX512) {
                for (int b = 0; b < blocks; b++) {
                    int k = first + b * stride;
                    float s = sc[k];
                    FloatVector vs = FloatVector.broadcast(F512, s), off = FloatVector.broadcast(F512, -8f * s);
                    IntVector q = (IntVector) ByteVector.fromArray(B128, nib, k * 16).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
                    ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(vs, off).intoArray(panel, po + b * 32);
                    ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(vs, off).intoArray(panel, po + b * 32 + 16);
                }
            } else if (PATH == Path.AVX2) {
                for (int b = 0; b < blocks; b++) {
                    int k = first + b * stride;
                    float s = sc[k];
                    FloatVector vs = FloatVector.broadcast(F256, s), off = FloatVector.broadcast(F256, -8f * s);
                    for (int h = 0; h < 2; h++) {
                        IntVector q = (IntVector) ByteVector.fromArray(B64, nib, k * 16 + h * 8)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2I, IntVector.SPECIES_256, 0);
                        ((FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0)).fma(vs, off).intoArray(panel, po + b * 32 + h * 8);
                        ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).fma(vs, off)
                            .intoArray(panel, po + b * 32 + 16 + h * 8);
                    }
                }
            } else {
                for (int b = 0; b < blocks; b++) {
                    int k = first + b * stride;
                    float s = sc[k];
                    for (int j = 0; j < 16; j++) {
                        int q = nib[k * 16 + j];
                        panel[po + b * 32 + j] = ((q & 0x0F) - 8) * s;
                        panel[po + b * 32 + 16 + j] = (((q >> 4) & 0x0F) - 8) * s;
                    }
                }
            }
        }
    }

    private static float[] panel(int n) {
        float[] p = PANEL.get();
        if (p.length < n) {
            p = new float[n];
            PANEL.set(p);
        }
        return p;
    }

    private static final ThreadLocal<float[]> PANEL = ThreadLocal.withInitial(() -> new float[0]);

    private static float[] zeros(int n) {
        float[] zero = ZERO.get();
        if (zero.length < n) {
            zero = new float[n];
            ZERO.set(zero);
        }
        return zero;
    }

    private static final ThreadLocal<float[]> ZERO = ThreadLocal.withInitial(() -> new float[0]);

    /**
     * Four rows at once (one full interleaved group of {@link Q4Matrix}, so the weights are one sequential
     * stream): the activations are loaded once per block and four accumulator chains run in parallel.
     * Written out by hand: a helper taking vectors as arguments may not be inlined, and vectors that cross
     * a real call are boxed, which costs more than the arithmetic.
     */
    static void dot4x512(byte[] nib, float[] sc, int row, int blocks, float[] x, float[] y, float[] sums, float[] out) {
        FloatVector a0 = FloatVector.zero(F512), a1 = a0, a2 = a0, a3 = a0;
        FloatVector corr = FloatVector.zero(F128); // lane i: Σ_b scale(row + i, b)·Σx_b
        int first = row * blocks;
        for (int b = 0; b < blocks; b++) {
            int k = first + b * 4;
            // A byte holds v = lo + 16·hi: Σ lo·xl + hi·xh = Σ v·xl + hi·(xh − 16·xl) = Σ v·xl + hi·y, one mask fewer.
            FloatVector xl = FloatVector.fromArray(F512, x, b * 32);
            FloatVector yv = FloatVector.fromArray(F512, y, b * 16);
            IntVector q0 = (IntVector) ByteVector.fromArray(B128, nib, k * 16).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            IntVector q1 = (IntVector) ByteVector.fromArray(B128, nib, k * 16 + 16).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            IntVector q2 = (IntVector) ByteVector.fromArray(B128, nib, k * 16 + 32).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            IntVector q3 = (IntVector) ByteVector.fromArray(B128, nib, k * 16 + 48).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            FloatVector v0 = (FloatVector) q0.convert(VectorOperators.I2F, 0);
            FloatVector h0 = (FloatVector) q0.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0);
            FloatVector v1 = (FloatVector) q1.convert(VectorOperators.I2F, 0);
            FloatVector h1 = (FloatVector) q1.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0);
            FloatVector v2 = (FloatVector) q2.convert(VectorOperators.I2F, 0);
            FloatVector h2 = (FloatVector) q2.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0);
            FloatVector v3 = (FloatVector) q3.convert(VectorOperators.I2F, 0);
            FloatVector h3 = (FloatVector) q3.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0);
            a0 = v0.fma(xl, h0.mul(yv)).fma(FloatVector.broadcast(F512, sc[k]), a0);
            a1 = v1.fma(xl, h1.mul(yv)).fma(FloatVector.broadcast(F512, sc[k + 1]), a1);
            a2 = v2.fma(xl, h2.mul(yv)).fma(FloatVector.broadcast(F512, sc[k + 2]), a2);
            a3 = v3.fma(xl, h3.mul(yv)).fma(FloatVector.broadcast(F512, sc[k + 3]), a3);
            corr = FloatVector.fromArray(F128, sc, k).fma(FloatVector.broadcast(F128, sums[b]), corr);
        }
        out[row] = a0.reduceLanes(VectorOperators.ADD) - 8f * corr.lane(0);
        out[row + 1] = a1.reduceLanes(VectorOperators.ADD) - 8f * corr.lane(1);
        out[row + 2] = a2.reduceLanes(VectorOperators.ADD) - 8f * corr.lane(2);
        out[row + 3] = a3.reduceLanes(VectorOperators.ADD) - 8f * corr.lane(3);
    }

    /** {@link #dot4x512} on two groups (rows [ra, ra + 4) and [rb, rb + 4)) in one loop: two weight streams. */
    static void dot4x512x2(byte[] nib, float[] sc, int ra, int rb, int blocks, float[] x, float[] y, float[] sums, float[] out) {
        FloatVector a0 = FloatVector.zero(F512), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        FloatVector ca = FloatVector.zero(F128), cb = ca;
        int fa = ra * blocks, fb = rb * blocks;
        for (int b = 0; b < blocks; b++) {
            int ka = fa + b * 4, kb = fb + b * 4;
            FloatVector xl = FloatVector.fromArray(F512, x, b * 32);
            FloatVector yv = FloatVector.fromArray(F512, y, b * 16);
            IntVector q;
            q = (IntVector) ByteVector.fromArray(B128, nib, ka * 16).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            a0 = ((FloatVector) q.convert(VectorOperators.I2F, 0)).fma(xl, ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(yv))
                .fma(FloatVector.broadcast(F512, sc[ka]), a0);
            q = (IntVector) ByteVector.fromArray(B128, nib, ka * 16 + 16).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            a1 = ((FloatVector) q.convert(VectorOperators.I2F, 0)).fma(xl, ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(yv))
                .fma(FloatVector.broadcast(F512, sc[ka + 1]), a1);
            q = (IntVector) ByteVector.fromArray(B128, nib, ka * 16 + 32).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            a2 = ((FloatVector) q.convert(VectorOperators.I2F, 0)).fma(xl, ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(yv))
                .fma(FloatVector.broadcast(F512, sc[ka + 2]), a2);
            q = (IntVector) ByteVector.fromArray(B128, nib, ka * 16 + 48).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            a3 = ((FloatVector) q.convert(VectorOperators.I2F, 0)).fma(xl, ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(yv))
                .fma(FloatVector.broadcast(F512, sc[ka + 3]), a3);
            q = (IntVector) ByteVector.fromArray(B128, nib, kb * 16).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            a4 = ((FloatVector) q.convert(VectorOperators.I2F, 0)).fma(xl, ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(yv))
                .fma(FloatVector.broadcast(F512, sc[kb]), a4);
            q = (IntVector) ByteVector.fromArray(B128, nib, kb * 16 + 16).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            a5 = ((FloatVector) q.convert(VectorOperators.I2F, 0)).fma(xl, ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(yv))
                .fma(FloatVector.broadcast(F512, sc[kb + 1]), a5);
            q = (IntVector) ByteVector.fromArray(B128, nib, kb * 16 + 32).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            a6 = ((FloatVector) q.convert(VectorOperators.I2F, 0)).fma(xl, ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(yv))
                .fma(FloatVector.broadcast(F512, sc[kb + 2]), a6);
            q = (IntVector) ByteVector.fromArray(B128, nib, kb * 16 + 48).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            a7 = ((FloatVector) q.convert(VectorOperators.I2F, 0)).fma(xl, ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0)).mul(yv))
                .fma(FloatVector.broadcast(F512, sc[kb + 3]), a7);
            FloatVector sb = FloatVector.broadcast(F128, sums[b]);
            ca = FloatVector.fromArray(F128, sc, ka).fma(sb, ca);
            cb = FloatVector.fromArray(F128, sc, kb).fma(sb, cb);
        }
        out[ra] = a0.reduceLanes(VectorOperators.ADD) - 8f * ca.lane(0);
        out[ra + 1] = a1.reduceLanes(VectorOperators.ADD) - 8f * ca.lane(1);
        out[ra + 2] = a2.reduceLanes(VectorOperators.ADD) - 8f * ca.lane(2);
        out[ra + 3] = a3.reduceLanes(VectorOperators.ADD) - 8f * ca.lane(3);
        out[rb] = a4.reduceLanes(VectorOperators.ADD) - 8f * cb.lane(0);
        out[rb + 1] = a5.reduceLanes(VectorOperators.ADD) - 8f * cb.lane(1);
        out[rb + 2] = a6.reduceLanes(VectorOperators.ADD) - 8f * cb.lane(2);
        out[rb + 3] = a7.reduceLanes(VectorOperators.ADD) - 8f * cb.lane(3);
    }

    /** y[16b + j] = x[32b + 16 + j] − 16·x[32b + j]: the high-half activations as {@link #dot4x512} uses them. */
    public static float[] highMinus16Low(float[] x) {
        float[] y = new float[x.length / 2];
        for (int b = 0; b < x.length / 32; b++) {
            for (int j = 0; j < 16; j++) y[b * 16 + j] = x[b * 32 + 16 + j] - 16f * x[b * 32 + j];
        }
        return y;
    }

    /** Σ_c w[row, c]·x[c]. */
    public static float dot(Q4Matrix w, int row, float[] x, float[] sums) {
        return switch (PATH) {
            case AVX512 -> dot512(w.nibbles(), w.scales(), w.blockIndex(row, 0), w.groupSize(row), w.blocksPerRow(), x, sums);
            case AVX2 -> dot256(w.nibbles(), w.scales(), w.blockIndex(row, 0), w.groupSize(row), w.blocksPerRow(), x, sums);
            default -> dotScalar(w.nibbles(), w.scales(), w.blockIndex(row, 0), w.groupSize(row), w.blocksPerRow(), x, sums);
        };
    }

    static float dot512(byte[] nib, float[] sc, int firstBlock, int stride, int blocks, float[] x, float[] sums) {
        FloatVector acc = FloatVector.zero(F512);
        float correction = 0;
        int nOff = firstBlock * 16;
        int sOff = firstBlock;
        for (int b = 0; b < blocks; b++, nOff += 16 * stride, sOff += stride) {
            float s = sc[sOff];
            IntVector q = (IntVector) ByteVector.fromArray(B128, nib, nOff).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
            FloatVector lo = (FloatVector) q.and(0x0F).convert(VectorOperators.I2F, 0);
            FloatVector hi = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).convert(VectorOperators.I2F, 0);
            int xo = b * 32;
            FloatVector part = lo.mul(FloatVector.fromArray(F512, x, xo)).add(hi.mul(FloatVector.fromArray(F512, x, xo + 16)));
            acc = part.fma(FloatVector.broadcast(F512, s), acc);
            correction += s * sums[b];
        }
        return acc.reduceLanes(VectorOperators.ADD) - 8f * correction;
    }

    static float dot256(byte[] nib, float[] sc, int firstBlock, int stride, int blocks, float[] x, float[] sums) {
        FloatVector acc = FloatVector.zero(F256);
        float correction = 0;
        int nOff = firstBlock * 16;
        int sOff = firstBlock;
        for (int b = 0; b < blocks; b++, nOff += 16 * stride, sOff += stride) {
            float s = sc[sOff];
            int xo = b * 32;
            FloatVector part = FloatVector.zero(F256);
            for (int h = 0; h < 2; h++) {
                ByteVector q = ByteVector.fromArray(B64, nib, nOff + h * 8);
                FloatVector lo = (FloatVector) q.lanewise(VectorOperators.AND, (byte) 0x0F).convertShape(VectorOperators.B2F, F256, 0);
                FloatVector hi = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).convertShape(VectorOperators.B2F, F256, 0);
                part = lo.fma(FloatVector.fromArray(F256, x, xo + h * 8), part);
                part = hi.fma(FloatVector.fromArray(F256, x, xo + 16 + h * 8), part);
            }
            acc = part.fma(FloatVector.broadcast(F256, s), acc);
            correction += s * sums[b];
        }
        return acc.reduceLanes(VectorOperators.ADD) - 8f * correction;
    }

    /** The plain reference: every kernel must agree with it. */
    static float dotScalar(byte[] nib, float[] sc, int firstBlock, int stride, int blocks, float[] x, float[] sums) {
        float total = 0;
        for (int b = 0; b < blocks; b++) {
            int block = firstBlock + b * stride;
            float s = sc[block];
            float part = 0;
            for (int j = 0; j < 16; j++) {
                int q = nib[block * 16 + j];
                part += (q & 0x0F) * x[b * 32 + j] + ((q >> 4) & 0x0F) * x[b * 32 + 16 + j];
            }
            total += s * (part - 8f * sums[b]);
        }
        return total;
    }
}
