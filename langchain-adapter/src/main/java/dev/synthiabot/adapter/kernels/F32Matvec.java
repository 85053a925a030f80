package dev.synthiabot.adapter.kernels;

import static dev.synthiabot.adapter.kernels.Q4Kernels.*;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Matrix × vector kernels with float activations over {@link Q4Matrix}'s panels (one token, exact products):
 * sixteen rows per panel in the lanes of the vectors of each width. Entry point:
 * {@link Q4Kernels#matvec(Q4Matrix, float[], float[], float[], float[], int, int)}.
 *
 * <p>The half-float scale widening and the per-row work are written out in every kernel on purpose: a helper
 * returning a vector that the JIT does not inline into these large methods boxes it (see {@link Q4Kernels}).
 */
final class F32Matvec {
    private F32Matvec() {}

    /** The 16 rows of panel p into out[oo .. oo + 16), on this machine's path. */
    static void panel(Q4Matrix w, int p, float[] x, float[] y, float[] sums, float[] out, int oo) {
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
}
