package dev.synthiabot.adapter.kernels;

import static dev.synthiabot.adapter.kernels.Q4Matrix.P;
import static dev.synthiabot.adapter.kernels.Q4Matrix.PB;
import static dev.synthiabot.adapter.kernels.Q4Matrix.SCALES;
import static dev.synthiabot.adapter.kernels.Q4Matrix.half;
import static dev.synthiabot.adapter.kernels.VectorWidth.B128;
import static dev.synthiabot.adapter.kernels.VectorWidth.B256;
import static dev.synthiabot.adapter.kernels.VectorWidth.B64;
import static dev.synthiabot.adapter.kernels.VectorWidth.F;
import static dev.synthiabot.adapter.kernels.VectorWidth.I128;
import static dev.synthiabot.adapter.kernels.VectorWidth.I256;
import static dev.synthiabot.adapter.kernels.VectorWidth.I512;
import static dev.synthiabot.adapter.kernels.VectorWidth.LANES;
import static dev.synthiabot.adapter.kernels.VectorWidth.PATH;

import dev.synthiabot.adapter.kernels.VectorWidth.Path;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * The prompt GEMM: {@link Q4Matrix} panels dequantized into a float buffer, each weight broadcast against
 * tiles of {@link VectorWidth#LANES} tokens packed by {@link #pack}. Reached through
 * {@link Q4Kernels#matmul(Q4Matrix, Q4Kernels.Batch, float[][], int, int)} with float activations.
 *
 * <p>The half-float scale widening and the per-row work are written out in every kernel on purpose: a helper
 * returning a vector that the JIT does not inline into these large methods boxes it (see {@link Q4Kernels}).
 */
final class PanelGemm {
    private PanelGemm() {}

    /**
     * Batched (prompt) product over activations from {@link #pack}: out[t][r] = Σ_c w[r, c]·x[t][c] for
     * rows [from, to). Each panel of 16 rows is dequantized (with its scales) into a float buffer, k-major,
     * that stays in the cache; then, 8 rows at a time, each weight is broadcast and multiplied into two
     * tiles of {@link VectorWidth#LANES} tokens by one FMA each: the inner loop is FMAs on registers (16 accumulators),
     * the unpacking is paid once per 32·{@link VectorWidth#LANES} token products, and no horizontal sums are needed.
     */
    static void matmul(Q4Matrix w, float[] xt, int tokens, float[][] out, int from, int to) {
        if (from >= to) return;
        int cols = w.cols();
        int tiles = (tokens + LANES - 1) / LANES;
        float[] panel = PANEL.get(P * cols);
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

    private static final ThreadBuffer PANEL = new ThreadBuffer();

    /**
     * A batch of activations transposed into tiles of {@link VectorWidth#LANES} tokens, the layout {@link #matmul} reads:
     * {@code xt[(tile·cols + c)·LANES + t] = x[tile·LANES + t][c]}, zero past the last token.
     */
    static float[] pack(float[][] x, int tokens, int cols) {
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
