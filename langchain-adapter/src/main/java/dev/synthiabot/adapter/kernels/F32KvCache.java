package dev.synthiabot.adapter.kernels;

import static dev.synthiabot.adapter.kernels.VectorWidth.F;

import jdk.incubator.vector.FloatVector;

/** float pages, read in place by the kernels. */
final class F32KvCache extends KvCache {

    F32KvCache(int layers, int kvHeads, int headDim, int maxContext, int pagePositions) {
        super(layers, kvHeads, headDim, maxContext, pagePositions);
    }

    @Override
    public Precision precision() {
        return Precision.F32;
    }

    @Override
    Object newPage(int length) {
        return new float[length];
    }

    @Override
    public void put(int layer, int head, int pos, float[] k, int ko, float[] v, int vo) {
        int pg = pos / page, local = pos % page;
        float[] K = (float[]) keyPages[layer * kvHeads + head][pg];
        int kb = keyIndex(local, 0);
        for (int d = 0; d < headDim; d++) K[kb + d * BLOCK] = k[ko + d];
        System.arraycopy(v, vo, (float[]) valuePages[layer * kvHeads + head][pg], local * headDim, headDim);
    }

    @Override
    float[] keyBlock(int index, int b, float[] scratch) {
        return (float[]) keyPages[index][b * BLOCK / page];
    }

    @Override
    int keyBlockOffset(int b) {
        return (b * BLOCK % page) * headDim;
    }

    @Override
    float[] valueBlock(int index, int p0, int rows, float[] scratch) {
        return (float[]) valuePages[index][p0 / page];
    }

    @Override
    int valueBlockOffset(int p0) {
        return (p0 % page) * headDim;
    }

    @Override
    void scoreBlock(int index, int b, float[] q, int q0, int q1, int q2, int q3, float scale,
                    float[] s0, float[] s1, float[] s2, float[] s3) {
        float[] K = (float[]) keyPages[index][b * BLOCK / page];
        int kb = (b * BLOCK % page) * headDim, at = b * BLOCK;
        for (int j = 0; j < BLOCK; j += F.length()) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0; d < headDim; d++) {
                FloatVector k = FloatVector.fromArray(F, K, kb + d * BLOCK + j);
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
        float[] V = (float[]) valuePages[index][p0 / page];
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
                FloatVector v = FloatVector.fromArray(F, V, vo);
                a0 = v.fma(s, a0);
                b0 = v.fma(t, b0);
                v = FloatVector.fromArray(F, V, vo + lanes);
                a1 = v.fma(s, a1);
                b1 = v.fma(t, b1);
                v = FloatVector.fromArray(F, V, vo + 2 * lanes);
                a2 = v.fma(s, a2);
                b2 = v.fma(t, b2);
                v = FloatVector.fromArray(F, V, vo + 3 * lanes);
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

    @Override
    public float key(int layer, int head, int pos, int d) {
        return ((float[]) keyPages[layer * kvHeads + head][pos / page])[keyIndex(pos % page, d)];
    }

    @Override
    public float value(int layer, int head, int pos, int d) {
        return ((float[]) valuePages[layer * kvHeads + head][pos / page])[(pos % page) * headDim + d];
    }
}
