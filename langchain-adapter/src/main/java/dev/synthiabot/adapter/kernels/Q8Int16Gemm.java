package dev.synthiabot.adapter.kernels;

import static dev.synthiabot.adapter.kernels.Q4Matrix.P;
import static dev.synthiabot.adapter.kernels.Q4Matrix.PB;
import static dev.synthiabot.adapter.kernels.Q4Matrix.SCALES;
import static dev.synthiabot.adapter.kernels.VectorWidth.B256;
import static dev.synthiabot.adapter.kernels.VectorWidth.F512;
import static dev.synthiabot.adapter.kernels.VectorWidth.I512;
import static dev.synthiabot.adapter.kernels.VectorWidth.PATH;

import dev.synthiabot.adapter.kernels.VectorWidth.Path;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The many-token GEMM with 8-bit activations in 16-bit integer lanes, for AVX-512: a 512-bit multiply and add give 32
 * exact products where a float FMA gives 16. Measured on a Zen 5 core (JDK 25): the inner loop alone 186 GMAC/s against
 * 98 for {@link Q8Gemm}'s float tiles; the whole kernel on SynthIA's 14336 x 4096 matrix (JMH, two threads) 1.7x
 * {@link Q8Gemm} at 32 tokens and 2.0-2.1x at 64-128.
 *
 * <p>Exact, and bit-identical per token to {@link Q8Gemm} and the matrix-vector kernels: a block's products
 * (nibble − 8 in −8..7 times an activation in −127..127) and their running sums over 32 columns stay within
 * 32·8·127 = 32512, so they are exact in 16-bit lanes; each block's sum, converted to float, is the same integer the
 * other kernels compute, and the same float step follows per row and token: {@code acc = fma(sum·d, s, acc)}.
 *
 * <p>Layout: a panel of 16 rows unpacked k-major to shorts (128 KB for 4096 columns, in L2), each weight broadcast
 * against tiles of {@value #TILE} tokens: 16 rows × one tile, or 8 rows × two tiles (each broadcast feeds two
 * multiplies), 16 accumulators in registers either way. Where the time goes (one core, 32 tokens, per panel of
 * 4096 columns): the multiply-adds ~11 µs, each block's conversion and scaling ~3 µs, unpacking ~2 µs plus ~3.5 µs
 * waiting for the panel's 36 KB from memory (one sequential stream; two tiles per panel halve that per token).
 */
final class Q8Int16Gemm {
    private Q8Int16Gemm() {}

    static final VectorSpecies<Short> S = ShortVector.SPECIES_512;
    /** Tokens per tile: the 16-bit lanes of one 512-bit vector. */
    static final int TILE = 32;

    /** Whether this machine runs it: the 512-bit vectors it is written for. */
    static boolean available() {
        return PATH == Path.AVX512;
    }

    /**
     * out[t][r] = Σ_c w[r, c]·x[t][c] for rows [from, to), tokens [0, tokens) of activations packed by {@link #pack}:
     * {@code xs} the 8-bit values, {@code ds} the block scales, both in tiles of {@value #TILE} tokens.
     */
    static void matmul(Q4Matrix w, short[] xs, float[] ds, int tokens, float[][] out, int from, int to) {
        if (from >= to) return;
        int cols = w.cols(), blocks = w.blocksPerRow();
        int tiles = (tokens + TILE - 1) / TILE;
        short[] panel = PANEL.shorts(P * cols);
        float[] scales = SCALE_BUFFER.get(P * blocks), acc = ACC.get(2 * P * TILE), byToken = BY_TOKEN.get(P * TILE);
        for (int p = from / P; p * P < to; p++) {
            unpack(w, p, panel, scales);
            int tile = 0;
            for (; tile + 2 <= tiles; tile += 2) {
                java.util.Arrays.fill(acc, 0f);
                rows8x2(panel, scales, 0, cols, blocks, xs, ds, tile, acc);
                rows8x2(panel, scales, 8, cols, blocks, xs, ds, tile, acc);
                scatter(acc, 0, byToken, out, tile * TILE, tokens, p * P, from, to);
                scatter(acc, P * TILE, byToken, out, (tile + 1) * TILE, tokens, p * P, from, to);
            }
            if (tile < tiles) {
                java.util.Arrays.fill(acc, 0, P * TILE, 0f);
                rows16(panel, scales, cols, blocks, xs, ds, tile, acc);
                scatter(acc, 0, byToken, out, tile * TILE, tokens, p * P, from, to);
            }
        }
    }

    /** The panel's 16 rows × one tile: acc[i·TILE + t] for row i and token t of the tile. */
    private static void rows16(short[] p, float[] sc, int cols, int blocks, short[] xs, float[] ds, int tile, float[] acc) {
        short[] sums = SUMS.shorts(P * TILE);
        int xa = tile * cols * TILE, da = tile * blocks * TILE;
        for (int b = 0; b < blocks; b++) {
            ShortVector a0 = ShortVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            ShortVector a8 = a0, a9 = a0, a10 = a0, a11 = a0, a12 = a0, a13 = a0, a14 = a0, a15 = a0;
            for (int k = b * 32; k < b * 32 + 32; k++) {
                ShortVector u = ShortVector.fromArray(S, xs, xa + k * TILE);
                int pk = k * P;
                a0 = a0.add(u.mul(p[pk]));
                a1 = a1.add(u.mul(p[pk + 1]));
                a2 = a2.add(u.mul(p[pk + 2]));
                a3 = a3.add(u.mul(p[pk + 3]));
                a4 = a4.add(u.mul(p[pk + 4]));
                a5 = a5.add(u.mul(p[pk + 5]));
                a6 = a6.add(u.mul(p[pk + 6]));
                a7 = a7.add(u.mul(p[pk + 7]));
                a8 = a8.add(u.mul(p[pk + 8]));
                a9 = a9.add(u.mul(p[pk + 9]));
                a10 = a10.add(u.mul(p[pk + 10]));
                a11 = a11.add(u.mul(p[pk + 11]));
                a12 = a12.add(u.mul(p[pk + 12]));
                a13 = a13.add(u.mul(p[pk + 13]));
                a14 = a14.add(u.mul(p[pk + 14]));
                a15 = a15.add(u.mul(p[pk + 15]));
            }
            a0.intoArray(sums, 0);
            a1.intoArray(sums, TILE);
            a2.intoArray(sums, 2 * TILE);
            a3.intoArray(sums, 3 * TILE);
            a4.intoArray(sums, 4 * TILE);
            a5.intoArray(sums, 5 * TILE);
            a6.intoArray(sums, 6 * TILE);
            a7.intoArray(sums, 7 * TILE);
            a8.intoArray(sums, 8 * TILE);
            a9.intoArray(sums, 9 * TILE);
            a10.intoArray(sums, 10 * TILE);
            a11.intoArray(sums, 11 * TILE);
            a12.intoArray(sums, 12 * TILE);
            a13.intoArray(sums, 13 * TILE);
            a14.intoArray(sums, 14 * TILE);
            a15.intoArray(sums, 15 * TILE);
            scaleSums(sums, 0, P, ds, da + b * TILE, sc, b * P, acc, 0);
        }
    }

    /**
     * Rows [off, off + 8) of the panel × two tiles: each weight broadcast feeds two multiplies (16 accumulators, two
     * activation vectors and a weight in registers). acc[i·TILE + t] for the first tile, acc[(P + i)·TILE + t] the second.
     */
    private static void rows8x2(short[] p, float[] sc, int off, int cols, int blocks, short[] xs, float[] ds, int tile, float[] acc) {
        short[] sums = SUMS.shorts(P * TILE);
        int xa = tile * cols * TILE, xb = xa + cols * TILE, da = tile * blocks * TILE, db = da + blocks * TILE;
        for (int b = 0; b < blocks; b++) {
            ShortVector a0 = ShortVector.zero(S), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
            ShortVector b0 = a0, b1 = a0, b2 = a0, b3 = a0, b4 = a0, b5 = a0, b6 = a0, b7 = a0;
            for (int k = b * 32; k < b * 32 + 32; k++) {
                ShortVector u = ShortVector.fromArray(S, xs, xa + k * TILE), v = ShortVector.fromArray(S, xs, xb + k * TILE);
                int pk = k * P + off;
                short w = p[pk];
                a0 = a0.add(u.mul(w));
                b0 = b0.add(v.mul(w));
                w = p[pk + 1];
                a1 = a1.add(u.mul(w));
                b1 = b1.add(v.mul(w));
                w = p[pk + 2];
                a2 = a2.add(u.mul(w));
                b2 = b2.add(v.mul(w));
                w = p[pk + 3];
                a3 = a3.add(u.mul(w));
                b3 = b3.add(v.mul(w));
                w = p[pk + 4];
                a4 = a4.add(u.mul(w));
                b4 = b4.add(v.mul(w));
                w = p[pk + 5];
                a5 = a5.add(u.mul(w));
                b5 = b5.add(v.mul(w));
                w = p[pk + 6];
                a6 = a6.add(u.mul(w));
                b6 = b6.add(v.mul(w));
                w = p[pk + 7];
                a7 = a7.add(u.mul(w));
                b7 = b7.add(v.mul(w));
            }
            a0.intoArray(sums, 0);
            a1.intoArray(sums, TILE);
            a2.intoArray(sums, 2 * TILE);
            a3.intoArray(sums, 3 * TILE);
            a4.intoArray(sums, 4 * TILE);
            a5.intoArray(sums, 5 * TILE);
            a6.intoArray(sums, 6 * TILE);
            a7.intoArray(sums, 7 * TILE);
            b0.intoArray(sums, 8 * TILE);
            b1.intoArray(sums, 9 * TILE);
            b2.intoArray(sums, 10 * TILE);
            b3.intoArray(sums, 11 * TILE);
            b4.intoArray(sums, 12 * TILE);
            b5.intoArray(sums, 13 * TILE);
            b6.intoArray(sums, 14 * TILE);
            b7.intoArray(sums, 15 * TILE);
            scaleSums(sums, 0, 8, ds, da + b * TILE, sc, b * P + off, acc, off * TILE);
            scaleSums(sums, 8 * TILE, 8, ds, db + b * TILE, sc, b * P + off, acc, (P + off) * TILE);
        }
    }

    /**
     * One block's step for n rows of one tile: row i's 32 sums (sums[so + i·TILE ..]) as floats, then
     * acc[ao + i·TILE ..] = fma(sum·d, s, acc) with d the tokens' block scales (ds[d ..]) and s the row's (sc[s + i]).
     * The sums pass through memory, not as vectors: written out per row, the conversions are too many nodes for the JIT
     * to inline, and a vector argument of a call that is not inlined is boxed.
     */
    private static void scaleSums(short[] sums, int so, int n, float[] ds, int d, float[] sc, int s, float[] acc, int ao) {
        FloatVector dLow = FloatVector.fromArray(F512, ds, d), dHigh = FloatVector.fromArray(F512, ds, d + 16);
        for (int i = 0; i < n; i++) {
            ShortVector sum = ShortVector.fromArray(S, sums, so + i * TILE);
            FloatVector w = FloatVector.broadcast(F512, sc[s + i]);
            FloatVector low = (FloatVector) sum.convertShape(VectorOperators.S2F, F512, 0);
            FloatVector high = (FloatVector) sum.convertShape(VectorOperators.S2F, F512, 1);
            int o = ao + i * TILE;
            low.mul(dLow).fma(w, FloatVector.fromArray(F512, acc, o)).intoArray(acc, o);
            high.mul(dHigh).fma(w, FloatVector.fromArray(F512, acc, o + 16)).intoArray(acc, o + 16);
        }
    }

    /**
     * out[t0 + t][row + i] = acc[ao + i·TILE + t] for the rows in [from, to) and the tokens that exist. Transposed in a
     * small buffer first, so each token's 16 rows go out as one copy into its own row of {@code out}, not as 16 stores
     * spread over the tile's 32 rows: a profile put much of the kernel's time on such spread stores (JMH measured this
     * form's gain within the noise).
     */
    private static void scatter(float[] acc, int ao, float[] byToken, float[][] out, int t0, int tokens, int row, int from, int to) {
        int n = Math.min(TILE, tokens - t0);
        for (int i = 0; i < P; i++) for (int t = 0; t < n; t++) byToken[t * P + i] = acc[ao + i * TILE + t];
        int a = Math.max(from, row), b = Math.min(to, row + P);
        for (int t = 0; t < n; t++) System.arraycopy(byToken, t * P + a - row, out[t0 + t], a, b - a);
    }

    /** Panel p of w unpacked: panel[k·16 + r] = nibble − 8 of row 16p + r, column k; scales[b·16 + r] its block scale. */
    private static void unpack(Q4Matrix w, int p, short[] panel, float[] scales) {
        byte[] nib = w.data();
        int blocks = w.blocksPerRow();
        for (int b = 0; b < blocks; b++) {
            int no = (p * blocks + b) * PB, lo = b * 32 * P, hi = lo + 16 * P;
            for (int j = 0; j < 16; j += 2) { // bytes j and j + 1 of the 16 rows: columns j, j + 1, 16 + j, 17 + j
                ShortVector q = (ShortVector) ByteVector.fromArray(B256, nib, no + j * 16)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, S, 0);
                q.and((short) 0x0F).sub((short) 8).intoArray(panel, lo + j * P);
                q.lanewise(VectorOperators.LSHR, 4).sub((short) 8).intoArray(panel, hi + j * P);
            }
            IntVector h = (IntVector) ByteVector.fromArray(B256, nib, no + SCALES).reinterpretAsShorts()
                .convertShape(VectorOperators.S2I, I512, 0);
            h.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(h.and(0x80000000)).reinterpretAsFloats().intoArray(scales, b * P);
        }
    }

    /**
     * Tokens' 8-bit activations in the layout {@link #matmul} reads: {@code xs[(tile·cols + c)·TILE + t]} the value of
     * token tile·TILE + t at column c, {@code ds[(tile·blocks + b)·TILE + t]} its scale for block b; zero past the last token.
     */
    static Packed pack(Q8Activations[] x, int tokens, int cols) {
        Packed p = allocate(tokens, cols);
        pack(x, tokens, p, 0, cols / 32);
        return p;
    }

    /** Room for {@code tokens} tokens of {@code cols} columns in {@link #pack}'s layout. */
    static Packed allocate(int tokens, int cols) {
        int tiles = (tokens + TILE - 1) / TILE;
        return new Packed(new short[tiles * cols * TILE], new float[tiles * (cols / 32) * TILE], cols);
    }

    /**
     * Blocks [from, to) of the tokens' activations into {@code into}, laid out as {@link #pack} does: each thread of a
     * batch's preparation writes its own blocks, column by column (one token after another within a column, so the
     * writes are sequential).
     */
    static void pack(Q8Activations[] x, int tokens, Packed into, int from, int to) {
        int cols = into.cols(), blocks = cols / 32;
        short[] xs = into.xs();
        float[] ds = into.ds();
        for (int t0 = 0; t0 < tokens; t0 += TILE) {
            int tile = t0 / TILE, n = Math.min(TILE, tokens - t0);
            for (int c = from * 32; c < to * 32; c++) {
                int o = (tile * cols + c) * TILE;
                for (int t = 0; t < n; t++) xs[o + t] = x[t0 + t].q()[c];
            }
            for (int b = from; b < to; b++) {
                int o = (tile * blocks + b) * TILE;
                for (int t = 0; t < n; t++) ds[o + t] = x[t0 + t].d()[b];
            }
        }
    }

    /** A batch's activations as {@link #pack} lays them out, {@code cols} columns. */
    record Packed(short[] xs, float[] ds, int cols) {}

    private static final ThreadBuffer PANEL = new ThreadBuffer(), SCALE_BUFFER = new ThreadBuffer(), ACC = new ThreadBuffer(),
        SUMS = new ThreadBuffer(), BY_TOKEN = new ThreadBuffer();
}
