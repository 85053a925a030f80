package dev.synthiabot.adapter.kernels;

import static dev.synthiabot.adapter.kernels.KvCache.I;
import static dev.synthiabot.adapter.kernels.KvCache.S;
import static dev.synthiabot.adapter.kernels.VectorWidth.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * bfloat16 pages. The two vector kernels are written out for each stored type (here and in {@link F32KvCache}): widening
 * blocks into a float buffer for one shared float kernel measured 35-45% slower attention.
 */
final class Bf16KvCache extends KvCache {

    Bf16KvCache(int layers, int kvHeads, int headDim, int maxContext, int pagePositions) {
        super(layers, kvHeads, headDim, maxContext, pagePositions);
    }

    @Override
    public Precision precision() {
        return Precision.BF16;
    }

    @Override
    Object newPage(int length) {
        return new short[length];
    }

    @Override
    public void put(int layer, int head, int pos, float[] k, int ko, float[] v, int vo) {
        int pg = pos / page, local = pos % page;
        short[] K = (short[]) keyPages[layer * kvHeads + head][pg], V = (short[]) valuePages[layer * kvHeads + head][pg];
        int kb = keyIndex(local, 0), vb = local * headDim;
        for (int d = 0; d < headDim; d++) {
            K[kb + d * BLOCK] = toBf16(k[ko + d]);
            V[vb + d] = toBf16(v[vo + d]);
        }
    }

    @Override
    float[] keyBlock(int index, int b, float[] scratch) {
        widen((short[]) keyPages[index][b * BLOCK / page], (b * BLOCK % page) * headDim, scratch, BLOCK * headDim);
        return scratch;
    }

    @Override
    int keyBlockOffset(int b) {
        return 0;
    }

    @Override
    float[] valueBlock(int index, int p0, int rows, float[] scratch) {
        widen((short[]) valuePages[index][p0 / page], (p0 % page) * headDim, scratch, rows * headDim);
        return scratch;
    }

    @Override
    int valueBlockOffset(int p0) {
        return 0;
    }

    @Override
    void scoreBlock(int index, int b, float[] q, int q0, int q1, int q2, int q3, float scale,
                    float[] s0, float[] s1, float[] s2, float[] s3) {
        short[] K = (short[]) keyPages[index][b * BLOCK / page];
        int kb = (b * BLOCK % page) * headDim, at = b * BLOCK;
        for (int j = 0; j < BLOCK; j += F.length()) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0; d < headDim; d++) {
                FloatVector k = ((IntVector) ShortVector.fromArray(S, K, kb + d * BLOCK + j).convertShape(VectorOperators.S2I, I, 0))
                        .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
                a0 = k.fma(FloatVector.broadcast(F, q[q0 + d]), a0);
                a1 = k.fma(FloatVector.broadcast(F, q[q1 + d]), a1);
                a2 = k.fma(FloatVector.broadcast(F, q[q2 + d]), a2);
                a3 = k.fma(FloatVector.broadcast(F, q[q3 + d]), a3);
            }
            a0.mul(scale).intoArray(s0, at + j);
            a1.mul(scale).intoArray(s1, at + j);
            a2.mul(scale).intoArray(s2, at + j);
            a3.mul(scale).intoArray(s3, at + j);
        }
    }

    @Override
    void pair(int index, int p0, int p1, boolean first, boolean last, float[] x, float[] y, float rx, float ry,
              float[] partial, int po, float[] out, int ox, int oy, int dims) {
        short[] V = (short[]) valuePages[index][p0 / page];
        int vb = (p0 % page) * headDim;
        int lanes = F.length();
        for (int c = 0; c < dims; c += 4 * lanes) {
            int c1 = c + lanes, c2 = c + 2 * lanes, c3 = c + 3 * lanes;
            int px = po + c, py = po + dims + c;
            FloatVector a0, a1, a2, a3, b0, b1, b2, b3;
            if (first) {
                a0 = FloatVector.zero(F);
                a1 = a0;
                a2 = a0;
                a3 = a0;
                b0 = a0;
                b1 = a0;
                b2 = a0;
                b3 = a0;
            } else {
                a0 = FloatVector.fromArray(F, partial, px);
                a1 = FloatVector.fromArray(F, partial, px + lanes);
                a2 = FloatVector.fromArray(F, partial, px + 2 * lanes);
                a3 = FloatVector.fromArray(F, partial, px + 3 * lanes);
                b0 = FloatVector.fromArray(F, partial, py);
                b1 = FloatVector.fromArray(F, partial, py + lanes);
                b2 = FloatVector.fromArray(F, partial, py + 2 * lanes);
                b3 = FloatVector.fromArray(F, partial, py + 3 * lanes);
            }
            for (int p = p0, vo = vb + c; p < p1; p++, vo += headDim) {
                FloatVector s = FloatVector.broadcast(F, x[p]), t = FloatVector.broadcast(F, y[p]);
                FloatVector v = ((IntVector) ShortVector.fromArray(S, V, vo).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
                a0 = v.fma(s, a0);
                b0 = v.fma(t, b0);
                v = ((IntVector) ShortVector.fromArray(S, V, vo + lanes).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
                a1 = v.fma(s, a1);
                b1 = v.fma(t, b1);
                v = ((IntVector) ShortVector.fromArray(S, V, vo + 2 * lanes).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
                a2 = v.fma(s, a2);
                b2 = v.fma(t, b2);
                v = ((IntVector) ShortVector.fromArray(S, V, vo + 3 * lanes).convertShape(VectorOperators.S2I, I, 0)).lanewise(VectorOperators.LSHL, 16)
                    .reinterpretAsFloats();
                a3 = v.fma(s, a3);
                b3 = v.fma(t, b3);
            }
            if (last) {
                a0.mul(rx).intoArray(out, ox + c);
                a1.mul(rx).intoArray(out, ox + c1);
                a2.mul(rx).intoArray(out, ox + c2);
                a3.mul(rx).intoArray(out, ox + c3);
                b0.mul(ry).intoArray(out, oy + c);
                b1.mul(ry).intoArray(out, oy + c1);
                b2.mul(ry).intoArray(out, oy + c2);
                b3.mul(ry).intoArray(out, oy + c3);
            } else {
                a0.intoArray(partial, px);
                a1.intoArray(partial, px + lanes);
                a2.intoArray(partial, px + 2 * lanes);
                a3.intoArray(partial, px + 3 * lanes);
                b0.intoArray(partial, py);
                b1.intoArray(partial, py + lanes);
                b2.intoArray(partial, py + 2 * lanes);
                b3.intoArray(partial, py + 3 * lanes);
            }
        }
    }

    /** to[0, n) = the floats of from[fo, fo + n). */
    private static void widen(short[] from, int fo, float[] to, int n) {
        int i = 0;
        if (VECTOR) {
            for (; i + F.length() <= n; i += F.length()) {
                ((IntVector) ShortVector.fromArray(S, from, fo + i).convertShape(VectorOperators.S2I, I, 0))
                    .lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats().intoArray(to, i);
            }
        }
        for (; i < n; i++) to[i] = fromBf16(from[fo + i]);
    }

    @Override
    public float key(int layer, int head, int pos, int d) {
        return fromBf16(((short[]) keyPages[layer * kvHeads + head][pos / page])[keyIndex(pos % page, d)]);
    }

    @Override
    public float value(int layer, int head, int pos, int d) {
        return fromBf16(((short[]) valuePages[layer * kvHeads + head][pos / page])[(pos % page) * headDim + d]);
    }
}
