package dev.synthiabot.adapter.kernels;

import static dev.synthiabot.adapter.kernels.Q4Matrix.P;
import static dev.synthiabot.adapter.kernels.Q4Matrix.PB;
import static dev.synthiabot.adapter.kernels.Q4Matrix.SCALES;
import static dev.synthiabot.adapter.kernels.Q4Matrix.half;
import static dev.synthiabot.adapter.kernels.VectorWidth.B128;
import static dev.synthiabot.adapter.kernels.VectorWidth.B64;
import static dev.synthiabot.adapter.kernels.VectorWidth.F;
import static dev.synthiabot.adapter.kernels.VectorWidth.I256;
import static dev.synthiabot.adapter.kernels.VectorWidth.I512;
import static dev.synthiabot.adapter.kernels.VectorWidth.LANES;
import static dev.synthiabot.adapter.kernels.VectorWidth.PATH;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The GEMM for many tokens with 8-bit activations ({@link Q8Activations}), bit-identical per token to the matrix-vector
 * kernels ({@link Q8Matvec}): a token's result does not depend on how many tokens were computed with it, so an answer
 * is the same alone or batched with others, and a prompt gives the same next token whether it was computed at once
 * or partly found in the KV cache.
 *
 * <p>How it stays exact: the nibbles minus 8 (−8..7) and the activations' 8-bit values (−127..127) are small integers,
 * so their products and their sums over a block of 32 (at most 32·8·127 = 32512) are exact in float arithmetic, in any
 * order: each block's float sum is the integer kernels' exact sum. Per block, both then do the same float steps per
 * row and token: {@code acc = fma(sum·d, s, acc)} (d: the token's block scale, s: the row's). The layout is the float
 * prompt GEMM's ({@link PanelGemm}): a panel of 16 rows unpacked k-major into a buffer that stays in the cache, each
 * weight broadcast against tiles of {@link VectorWidth#LANES} tokens, 8 accumulators per block in registers; the running
 * sums live in a small buffer, updated once per block.
 */
final class Q8Gemm {
    private Q8Gemm() {}

    /**
     * out[t][r] = Σ_c w[r, c]·x[t][c] for rows [from, to), tokens [0, tokens) of activations packed by {@link #pack}:
     * {@code qt} the 8-bit values as floats, {@code dt} the block scales, both in tiles of {@link VectorWidth#LANES}.
     */
    static void matmul(Q4Matrix w, float[] qt, float[] dt, int tokens, float[][] out, int from, int to) {
        if (from >= to) return;
        int cols = w.cols(), blocks = w.blocksPerRow();
        int tiles = (tokens + LANES - 1) / LANES;
        float[] panel = PANEL.get(P * cols), scales = SCALE_BUFFER.get(P * blocks), acc = ACC.get(8 * LANES);
        for (int p = from / P; p * P < to; p++) {
            unpack(w, p, panel, scales);
            for (int quad = 0; quad < P; quad += 4) {
                int row = p * P + quad;
                if (row >= to || row + 4 <= from) continue;
                int tile = 0;
                for (; tile + 2 <= tiles; tile += 2) {
                    java.util.Arrays.fill(acc, 0f);
                    rows4x2(panel, scales, quad, cols, blocks, qt, dt, tile, acc);
                    scatter(acc, 0, out, tile * LANES, tokens, row, from, to);
                    scatter(acc, 4 * LANES, out, (tile + 1) * LANES, tokens, row, from, to);
                }
                if (tile < tiles) {
                    java.util.Arrays.fill(acc, 0f);
                    rows4x1(panel, scales, quad, cols, blocks, qt, dt, tile, acc);
                    scatter(acc, 0, out, tile * LANES, tokens, row, from, to);
                }
            }
        }
    }

    /**
     * Four rows (from {@code off} in the panel) × two tiles of tokens: 8 accumulators, two activation vectors and a
     * broadcast weight stay in registers even on AVX2's 16, and each weight broadcast feeds two FMAs (eight rows, or
     * one tile, would spill or wait on loads). acc[i·LANES ..]: row i of the first tile, acc[(4 + i)·LANES ..] of the second.
     */
    private static void rows4x2(float[] p, float[] sc, int off, int cols, int blocks, float[] qt, float[] dt, int tile, float[] acc) {
        int xa = tile * cols * LANES, xb = xa + cols * LANES;
        int da = tile * blocks * LANES, db = da + blocks * LANES;
        for (int b = 0; b < blocks; b++) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
            for (int k = b * 32; k < b * 32 + 32; k++) {
                FloatVector u = FloatVector.fromArray(F, qt, xa + k * LANES);
                FloatVector v = FloatVector.fromArray(F, qt, xb + k * LANES);
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
            }
            FloatVector du = FloatVector.fromArray(F, dt, da + b * LANES), dv = FloatVector.fromArray(F, dt, db + b * LANES);
            int s = b * P + off;
            scale(a0, du, sc[s], acc, 0);
            scale(a1, du, sc[s + 1], acc, LANES);
            scale(a2, du, sc[s + 2], acc, 2 * LANES);
            scale(a3, du, sc[s + 3], acc, 3 * LANES);
            scale(b0, dv, sc[s], acc, 4 * LANES);
            scale(b1, dv, sc[s + 1], acc, 5 * LANES);
            scale(b2, dv, sc[s + 2], acc, 6 * LANES);
            scale(b3, dv, sc[s + 3], acc, 7 * LANES);
        }
    }

    private static void rows4x1(float[] p, float[] sc, int off, int cols, int blocks, float[] qt, float[] dt, int tile, float[] acc) {
        int xa = tile * cols * LANES, da = tile * blocks * LANES;
        for (int b = 0; b < blocks; b++) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int k = b * 32; k < b * 32 + 32; k++) {
                FloatVector u = FloatVector.fromArray(F, qt, xa + k * LANES);
                int pk = k * P + off;
                a0 = FloatVector.broadcast(F, p[pk]).fma(u, a0);
                a1 = FloatVector.broadcast(F, p[pk + 1]).fma(u, a1);
                a2 = FloatVector.broadcast(F, p[pk + 2]).fma(u, a2);
                a3 = FloatVector.broadcast(F, p[pk + 3]).fma(u, a3);
            }
            FloatVector du = FloatVector.fromArray(F, dt, da + b * LANES);
            int s = b * P + off;
            scale(a0, du, sc[s], acc, 0);
            scale(a1, du, sc[s + 1], acc, LANES);
            scale(a2, du, sc[s + 2], acc, 2 * LANES);
            scale(a3, du, sc[s + 3], acc, 3 * LANES);
        }
    }

    /** acc[o ..] = fma(sum·d, s, acc[o ..]): the matrix-vector kernels' step per block, lane by lane. */
    private static void scale(FloatVector sum, FloatVector d, float s, float[] acc, int o) {
        sum.mul(d).fma(FloatVector.broadcast(F, s), FloatVector.fromArray(F, acc, o)).intoArray(acc, o);
    }

    /** out[t0 + t][row + i] = acc[o + i·LANES + t] for the four rows in [from, to) and the tokens that exist. */
    private static void scatter(float[] acc, int o, float[][] out, int t0, int tokens, int row, int from, int to) {
        for (int i = 0; i < 4; i++) {
            int r = row + i;
            if (r < from || r >= to) continue;
            for (int t = 0; t < LANES && t0 + t < tokens; t++) out[t0 + t][r] = acc[o + i * LANES + t];
        }
    }

    /** Panel p of w unpacked: panel[k·16 + r] = nibble − 8 of row 16p + r, column k; scales[b·16 + r] its block scale. */
    static void unpack(Q4Matrix w, int p, float[] panel, float[] scales) {
        byte[] nib = w.data();
        int blocks = w.blocksPerRow();
        for (int b = 0; b < blocks; b++) {
            int no = (p * blocks + b) * PB, lo = b * 32 * P, hi = lo + 16 * P;
            for (int j = 0; j < 16; j++) {
                int n = no + j * 16, l = lo + j * P, h = hi + j * P;
                switch (PATH) {
                    case AVX512 -> {
                        IntVector q = (IntVector) ByteVector.fromArray(B128, nib, n).convertShape(VectorOperators.ZERO_EXTEND_B2I, I512, 0);
                        ((FloatVector) q.and(0x0F).sub(8).convert(VectorOperators.I2F, 0)).intoArray(panel, l);
                        ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0)).intoArray(panel, h);
                    }
                    case AVX2 -> {
                        for (int r = 0; r < P; r += 8) {
                            IntVector q = (IntVector) ByteVector.fromArray(B64, nib, n + r).convertShape(VectorOperators.ZERO_EXTEND_B2I, I256, 0);
                            ((FloatVector) q.and(0x0F).sub(8).convert(VectorOperators.I2F, 0)).intoArray(panel, l + r);
                            ((FloatVector) q.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0)).intoArray(panel, h + r);
                        }
                    }
                    default -> {
                        for (int r = 0; r < P; r++) {
                            int q = nib[n + r];
                            panel[l + r] = (q & 0x0F) - 8;
                            panel[h + r] = ((q >> 4) & 0x0F) - 8;
                        }
                    }
                }
            }
            for (int r = 0; r < P; r++) scales[b * P + r] = half(nib, no + SCALES + 2 * r);
        }
    }

    /**
     * Tokens' 8-bit activations in the layout {@link #matmul} reads: {@code qt[(tile·cols + c)·LANES + t]} the value of
     * token tile·LANES + t at column c, {@code dt[(tile·blocks + b)·LANES + t]} its scale for block b; zero past the last token.
     */
    static float[][] pack(Q8Activations[] x, int tokens, int cols) {
        float[][] packed = allocate(tokens, cols);
        pack(x, tokens, packed, 0, cols / 32);
        return packed;
    }

    /** Room for {@code tokens} tokens of {@code cols} columns in {@link #pack}'s layout: {qt, dt}. */
    static float[][] allocate(int tokens, int cols) {
        int tiles = (tokens + LANES - 1) / LANES;
        return new float[][] {new float[tiles * cols * LANES], new float[tiles * (cols / 32) * LANES]};
    }

    /** Blocks [from, to) of the tokens' activations into {@code into} ({qt, dt}), laid out as {@link #pack} does. */
    static void pack(Q8Activations[] x, int tokens, float[][] into, int from, int to) {
        float[] qt = into[0], dt = into[1];
        int cols = qt.length / ((tokens + LANES - 1) / LANES * LANES), blocks = cols / 32;
        for (int i = 0; i < tokens; i++) {
            int tile = i / LANES, t = i % LANES;
            short[] q = x[i].q();
            float[] d = x[i].d();
            int base = tile * cols * LANES;
            for (int c = from * 32; c < to * 32; c++) qt[base + c * LANES + t] = q[c];
            for (int b = from; b < to; b++) dt[(tile * blocks + b) * LANES + t] = d[b];
        }
    }

    private static final ThreadBuffer PANEL = new ThreadBuffer(), SCALE_BUFFER = new ThreadBuffer(), ACC = new ThreadBuffer();
}
