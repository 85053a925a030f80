package dev.synthiabot.adapter.kernels;

import static dev.synthiabot.adapter.kernels.Q4Matrix.P;
import static dev.synthiabot.adapter.kernels.Q4Matrix.PB;
import static dev.synthiabot.adapter.kernels.Q4Matrix.SCALES;
import static dev.synthiabot.adapter.kernels.Q4Matrix.half;
import static dev.synthiabot.adapter.kernels.VectorWidth.B128;
import static dev.synthiabot.adapter.kernels.VectorWidth.B256;
import static dev.synthiabot.adapter.kernels.VectorWidth.B64;
import static dev.synthiabot.adapter.kernels.VectorWidth.F128;
import static dev.synthiabot.adapter.kernels.VectorWidth.F256;
import static dev.synthiabot.adapter.kernels.VectorWidth.F512;
import static dev.synthiabot.adapter.kernels.VectorWidth.I128;
import static dev.synthiabot.adapter.kernels.VectorWidth.I256;
import static dev.synthiabot.adapter.kernels.VectorWidth.I512;
import static dev.synthiabot.adapter.kernels.VectorWidth.PATH;
import static dev.synthiabot.adapter.kernels.VectorWidth.S128;
import static dev.synthiabot.adapter.kernels.VectorWidth.S256;

import dev.synthiabot.adapter.kernels.VectorWidth.Path;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Matrix × vector kernels with 8-bit activations ({@link Q8Activations}) over {@link Q4Matrix}'s panels: exact
 * 16-bit integer products and half-block sums, the nibbles' −8 taken off the exact block sum (8·Σq), one int → float
 * conversion per block, then {@code acc = fma(sum·d, s, acc)}. Every kernel, and {@link Q8Gemm} for many tokens, does
 * exactly these float steps per row and token, so a token's result does not depend on which kernel or batch ran it.
 * Entry points, for a range of rows: {@link #matvec} (one token), {@link #matvec2} and {@link #matvec4} (several
 * tokens, each weight read once for all of them where the path allows).
 *
 * <p>The half-float scale widening and the per-row work are written out in every kernel on purpose: a helper
 * returning a vector that the JIT does not inline into these large methods boxes it (see {@link Q4Kernels}).
 */
final class Q8Matvec {
    private Q8Matvec() {}

    /**
     * out[r] = Σ_c w[r, c]·x[c] for rows [from, to) with x quantized to {@link Q8Activations}: per row and half block,
     * Σ nibble·q is at most 8·2·15·127 = 30480 and is summed exactly in 16-bit lanes; the two halves are
     * added as 32-bit integers, converted once per block and scaled by weight scale × activation scale. On AVX-512
     * whole panels four at a time (one from each quarter of the range), then in pairs; elsewhere panel by panel; the
     * panels cut by {@code from} and {@code to} through a scratch panel.
     */
    public static void matvec(Q4Matrix w, Q8Activations x, float[] out, int from, int to) {
        if (from >= to) return;
        int a = (from + P - 1) / P, b = to / P;
        if (a > b) {
            partialPanel(w, from / P, x, out, from, to);
            return;
        }
        if (from < a * P) partialPanel(w, a - 1, x, out, from, a * P);
        int n = b - a;
        if (PATH == Path.AVX512) {
            int quarter = n / 4;
            for (int i = 0; i < quarter; i++) {
                panel16x4(w.data(), a + i, a + quarter + i, a + 2 * quarter + i, a + 3 * quarter + i, w.blocksPerRow(),
                    x.q(), x.d(), x.sums(), out);
            }
            a += 4 * quarter;
            n -= 4 * quarter;
            int half = n / 2;
            for (int i = 0; i < half; i++) panel16x2(w.data(), a + i, a + half + i, w.blocksPerRow(), x.q(), x.d(), x.sums(), out, (a + i) * P, (a + half + i) * P);
            if ((n & 1) != 0) panel(w, b - 1, x, out, (b - 1) * P);
        } else {
            for (int p = a; p < b; p++) panel(w, p, x, out, p * P);
        }
        if (b * P < to) partialPanel(w, b, x, out, b * P, to);
    }

    /**
     * Two tokens' products with 8-bit activations for rows [from, to), each weight read once for both: on AVX-512 whole
     * panels in pairs from the two halves of the range, on AVX2 panel by panel; elsewhere, and for the panels at the
     * edges, one token at a time. Equal to two {@link #matvec(Q4Matrix, Q8Activations, float[], int, int)} calls, bit for bit.
     */
    static void matvec2(Q4Matrix w, Q8Activations x, Q8Activations y, float[] outX, float[] outY, int from, int to) {
        int a = (from + P - 1) / P, b = to / P;
        if ((PATH != Path.AVX512 && PATH != Path.AVX2) || b - a < 2) {
            matvec(w, x, outX, from, to);
            matvec(w, y, outY, from, to);
            return;
        }
        if (from < a * P) {
            partialPanel(w, a - 1, x, outX, from, a * P);
            partialPanel(w, a - 1, y, outY, from, a * P);
        }
        if (PATH == Path.AVX2) {
            for (int p = a; p < b; p++) panel16x256Tokens2(w.data(), p, w.blocksPerRow(), x, y, outX, outY, p * P);
        } else {
            int half = (b - a) / 2;
            for (int i = 0; i < half; i++) {
                panel16x2Tokens2(w.data(), a + i, a + half + i, w.blocksPerRow(), x, y, outX, outY, (a + i) * P, (a + half + i) * P);
            }
            if (((b - a) & 1) != 0) {
                panel(w, b - 1, x, outX, (b - 1) * P);
                panel(w, b - 1, y, outY, (b - 1) * P);
            }
        }
        if (b * P < to) {
            partialPanel(w, b, x, outX, b * P, to);
            partialPanel(w, b, y, outY, b * P, to);
        }
    }

    /**
     * Four tokens' products with 8-bit activations for rows [from, to): on AVX2 whole panels four tokens at a time (each
     * weight byte unpacked once for all four), elsewhere as two pairs. Equal to four
     * {@link #matvec(Q4Matrix, Q8Activations, float[], int, int)} calls, bit for bit.
     */
    static void matvec4(Q4Matrix w, Q8Activations[] x, float[][] out, int t, int from, int to) {
        int a = (from + P - 1) / P, b = to / P;
        if (PATH != Path.AVX2 || b - a < 1) {
            matvec2(w, x[t], x[t + 1], out[t], out[t + 1], from, to);
            matvec2(w, x[t + 2], x[t + 3], out[t + 2], out[t + 3], from, to);
            return;
        }
        for (int i = 0; i < 4; i++) {
            if (from < a * P) partialPanel(w, a - 1, x[t + i], out[t + i], from, a * P);
            if (b * P < to) partialPanel(w, b, x[t + i], out[t + i], b * P, to);
        }
        float[] acc = ACC4.get(64);
        for (int p = a; p < b; p++) {
            panel16x256Tokens4(w.data(), p, w.blocksPerRow(), x[t], x[t + 1], x[t + 2], x[t + 3], acc);
            for (int i = 0; i < 4; i++) System.arraycopy(acc, 16 * i, out[t + i], p * P, P);
        }
    }

    private static final ThreadBuffer ACC4 = new ThreadBuffer();

    private static void partialPanel(Q4Matrix w, int p, Q8Activations x, float[] out, int from, int to) {
        float[] tmp = new float[P];
        panel(w, p, x, tmp, 0);
        System.arraycopy(tmp, from - p * P, out, from, to - from);
    }

    // ---------------------------------------------------------------- the kernels: one panel (or two, or four)

    static void panel(Q4Matrix w, int p, Q8Activations x, float[] out, int oo) {
        switch (PATH) {
            case AVX512 -> panel16x2(w.data(), p, -1, w.blocksPerRow(), x.q(), x.d(), x.sums(), out, oo, -1);
            case AVX2 -> panel16x256(w.data(), p, w.blocksPerRow(), x.q(), x.d(), x.sums(), out, oo);
            case VECTOR128 -> panel16x128(w.data(), p, w.blocksPerRow(), x.q(), x.d(), x.sums(), out, oo);
            default -> panelScalar(w.data(), p, w.blocksPerRow(), x.q(), x.d(), x.sums(), out, oo);
        }
    }

    /**
     * Panels pa and pb (pb &lt; 0: pa alone) with 8-bit activations: sixteen rows in the 16-bit lanes of a
     * 256-bit vector, 32-bit and float work on 512-bit vectors once per block.
     */
    static void panel16x2(byte[] nib, int pa, int pb, int blocks, short[] xq, float[] d, int[] sums, float[] out, int oa, int ob) {
        boolean two = pb >= 0;
        FloatVector acc = FloatVector.zero(F512), accB = acc;
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
            FloatVector db = FloatVector.broadcast(F512, d[b]);
            int off = 8 * sums[b]; // the nibbles' −8, taken off the exact integer sum
            IntVector sh = (IntVector) ByteVector.fromArray(B256, nib, no + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I512, 0);
            FloatVector s = sh.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(sh.and(0x80000000)).reinterpretAsFloats();
            IntVector ia = ((IntVector) s0.convertShape(VectorOperators.S2I, I512, 0)).add((IntVector) s1.convertShape(VectorOperators.S2I, I512, 0));
            acc = ((FloatVector) ia.sub(off).convert(VectorOperators.I2F, 0)).mul(db).fma(s, acc);
            if (two) {
                IntVector th = (IntVector) ByteVector.fromArray(B256, nib, nb + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I512, 0);
                FloatVector t = th.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                    .reinterpretAsInts().or(th.and(0x80000000)).reinterpretAsFloats();
                IntVector ib = ((IntVector) t0.convertShape(VectorOperators.S2I, I512, 0)).add((IntVector) t1.convertShape(VectorOperators.S2I, I512, 0));
                accB = ((FloatVector) ib.sub(off).convert(VectorOperators.I2F, 0)).mul(db).fma(t, accB);
            }
        }
        acc.intoArray(out, oa);
        if (two) accB.intoArray(out, ob);
    }

    /**
     * Four panels (pa, pb, pc, pd: from the four quarters of the range) in one loop: four weight streams keep more
     * memory reads in flight than two (measured 34 vs 31 GB/s on two threads here); the activation broadcasts are
     * shared. Written out by hand, like the others.
     */
    static void panel16x4(byte[] nib, int pa, int pb, int pc, int pd, int blocks, short[] xq, float[] d, int[] sums, float[] out) {
        FloatVector acc0 = FloatVector.zero(F512), acc1 = acc0, acc2 = acc0, acc3 = acc0;
        int base0 = pa * blocks, base1 = pb * blocks, base2 = pc * blocks, base3 = pd * blocks;
        for (int b = 0; b < blocks; b++) {
            int xo = b * 32, no0 = (base0 + b) * PB, no1 = (base1 + b) * PB, no2 = (base2 + b) * PB, no3 = (base3 + b) * PB;
            ShortVector s0 = ShortVector.zero(S256), s1 = s0, s2 = s0, s3 = s0, t0 = s0, t1 = s0, t2 = s0, t3 = s0;
            for (int j = 0; j < 8; j++) {
                ShortVector l = ShortVector.broadcast(S256, xq[xo + j]), h = ShortVector.broadcast(S256, xq[xo + 16 + j]);
                ShortVector q;
                q = (ShortVector) ByteVector.fromArray(B128, nib, no0 + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
                s0 = s0.add(q.and((short) 0x0F).mul(l)).add(q.lanewise(VectorOperators.LSHR, 4).mul(h));
                q = (ShortVector) ByteVector.fromArray(B128, nib, no1 + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
                s1 = s1.add(q.and((short) 0x0F).mul(l)).add(q.lanewise(VectorOperators.LSHR, 4).mul(h));
                q = (ShortVector) ByteVector.fromArray(B128, nib, no2 + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
                s2 = s2.add(q.and((short) 0x0F).mul(l)).add(q.lanewise(VectorOperators.LSHR, 4).mul(h));
                q = (ShortVector) ByteVector.fromArray(B128, nib, no3 + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
                s3 = s3.add(q.and((short) 0x0F).mul(l)).add(q.lanewise(VectorOperators.LSHR, 4).mul(h));
            }
            for (int j = 8; j < 16; j++) {
                ShortVector l = ShortVector.broadcast(S256, xq[xo + j]), h = ShortVector.broadcast(S256, xq[xo + 16 + j]);
                ShortVector q;
                q = (ShortVector) ByteVector.fromArray(B128, nib, no0 + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
                t0 = t0.add(q.and((short) 0x0F).mul(l)).add(q.lanewise(VectorOperators.LSHR, 4).mul(h));
                q = (ShortVector) ByteVector.fromArray(B128, nib, no1 + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
                t1 = t1.add(q.and((short) 0x0F).mul(l)).add(q.lanewise(VectorOperators.LSHR, 4).mul(h));
                q = (ShortVector) ByteVector.fromArray(B128, nib, no2 + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
                t2 = t2.add(q.and((short) 0x0F).mul(l)).add(q.lanewise(VectorOperators.LSHR, 4).mul(h));
                q = (ShortVector) ByteVector.fromArray(B128, nib, no3 + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
                t3 = t3.add(q.and((short) 0x0F).mul(l)).add(q.lanewise(VectorOperators.LSHR, 4).mul(h));
            }
            FloatVector db = FloatVector.broadcast(F512, d[b]);
            int off = 8 * sums[b]; // the nibbles' −8, taken off the exact integer sum
            IntVector h0 = (IntVector) ByteVector.fromArray(B256, nib, no0 + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I512, 0);
            FloatVector e0 = h0.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(h0.and(0x80000000)).reinterpretAsFloats();
            IntVector i0 = ((IntVector) s0.convertShape(VectorOperators.S2I, I512, 0)).add((IntVector) t0.convertShape(VectorOperators.S2I, I512, 0));
            acc0 = ((FloatVector) i0.sub(off).convert(VectorOperators.I2F, 0)).mul(db).fma(e0, acc0);
            IntVector h1 = (IntVector) ByteVector.fromArray(B256, nib, no1 + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I512, 0);
            FloatVector e1 = h1.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(h1.and(0x80000000)).reinterpretAsFloats();
            IntVector i1 = ((IntVector) s1.convertShape(VectorOperators.S2I, I512, 0)).add((IntVector) t1.convertShape(VectorOperators.S2I, I512, 0));
            acc1 = ((FloatVector) i1.sub(off).convert(VectorOperators.I2F, 0)).mul(db).fma(e1, acc1);
            IntVector h2 = (IntVector) ByteVector.fromArray(B256, nib, no2 + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I512, 0);
            FloatVector e2 = h2.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(h2.and(0x80000000)).reinterpretAsFloats();
            IntVector i2 = ((IntVector) s2.convertShape(VectorOperators.S2I, I512, 0)).add((IntVector) t2.convertShape(VectorOperators.S2I, I512, 0));
            acc2 = ((FloatVector) i2.sub(off).convert(VectorOperators.I2F, 0)).mul(db).fma(e2, acc2);
            IntVector h3 = (IntVector) ByteVector.fromArray(B256, nib, no3 + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I512, 0);
            FloatVector e3 = h3.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(h3.and(0x80000000)).reinterpretAsFloats();
            IntVector i3 = ((IntVector) s3.convertShape(VectorOperators.S2I, I512, 0)).add((IntVector) t3.convertShape(VectorOperators.S2I, I512, 0));
            acc3 = ((FloatVector) i3.sub(off).convert(VectorOperators.I2F, 0)).mul(db).fma(e3, acc3);
        }
        acc0.intoArray(out, pa * P);
        acc1.intoArray(out, pb * P);
        acc2.intoArray(out, pc * P);
        acc3.intoArray(out, pd * P);
    }

    /**
     * Panels pa and pb for two tokens (x, y) in one loop (AVX-512): each weight byte is loaded and unpacked once for
     * both tokens, so a pair of prompt tokens costs the extra arithmetic, not another pass over the weights (measured
     * 2.7-2.8 ms against 3.4-4.3 ms for two single-token passes over 14336 x 4096 on two threads). The integer sums
     * are the single-token kernels' (the two half blocks added as 32-bit integers), so results are bit-identical.
     */
    static void panel16x2Tokens2(byte[] nib, int pa, int pb, int blocks, Q8Activations x, Q8Activations y, float[] outX, float[] outY, int oa, int ob) {
        short[] xq = x.q(), yq = y.q();
        float[] xd = x.d(), yd = y.d();
        int[] xs = x.sums(), ys = y.sums();
        FloatVector accAX = FloatVector.zero(F512), accBX = accAX, accAY = accAX, accBY = accAX;
        int base = pa * blocks, baseB = pb * blocks;
        for (int b = 0; b < blocks; b++) {
            int no = (base + b) * PB, nb = (baseB + b) * PB, xo = b * 32;
            IntVector iax = IntVector.zero(I512), ibx = iax, iay = iax, iby = iax;
            for (int half = 0; half < 16; half += 8) { // 16-bit sums over half a block, then added as 32-bit integers
                ShortVector ax = ShortVector.zero(S256), bx = ax, ay = ax, by = ax;
                for (int j = half; j < half + 8; j++) {
                    ShortVector lx = ShortVector.broadcast(S256, xq[xo + j]), hx = ShortVector.broadcast(S256, xq[xo + 16 + j]);
                    ShortVector ly = ShortVector.broadcast(S256, yq[xo + j]), hy = ShortVector.broadcast(S256, yq[xo + 16 + j]);
                    ShortVector q = (ShortVector) ByteVector.fromArray(B128, nib, no + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
                    ShortVector qlo = q.and((short) 0x0F), qhi = q.lanewise(VectorOperators.LSHR, 4);
                    ax = ax.add(qlo.mul(lx)).add(qhi.mul(hx));
                    ay = ay.add(qlo.mul(ly)).add(qhi.mul(hy));
                    ShortVector r = (ShortVector) ByteVector.fromArray(B128, nib, nb + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
                    ShortVector rlo = r.and((short) 0x0F), rhi = r.lanewise(VectorOperators.LSHR, 4);
                    bx = bx.add(rlo.mul(lx)).add(rhi.mul(hx));
                    by = by.add(rlo.mul(ly)).add(rhi.mul(hy));
                }
                iax = iax.add((IntVector) ax.convertShape(VectorOperators.S2I, I512, 0));
                ibx = ibx.add((IntVector) bx.convertShape(VectorOperators.S2I, I512, 0));
                iay = iay.add((IntVector) ay.convertShape(VectorOperators.S2I, I512, 0));
                iby = iby.add((IntVector) by.convertShape(VectorOperators.S2I, I512, 0));
            }
            IntVector sh = (IntVector) ByteVector.fromArray(B256, nib, no + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I512, 0);
            FloatVector s = sh.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(sh.and(0x80000000)).reinterpretAsFloats();
            IntVector th = (IntVector) ByteVector.fromArray(B256, nib, nb + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I512, 0);
            FloatVector t = th.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(th.and(0x80000000)).reinterpretAsFloats();
            FloatVector dx = FloatVector.broadcast(F512, xd[b]), dy = FloatVector.broadcast(F512, yd[b]);
            int ox = 8 * xs[b], oy = 8 * ys[b];
            accAX = ((FloatVector) iax.sub(ox).convert(VectorOperators.I2F, 0)).mul(dx).fma(s, accAX);
            accBX = ((FloatVector) ibx.sub(ox).convert(VectorOperators.I2F, 0)).mul(dx).fma(t, accBX);
            accAY = ((FloatVector) iay.sub(oy).convert(VectorOperators.I2F, 0)).mul(dy).fma(s, accAY);
            accBY = ((FloatVector) iby.sub(oy).convert(VectorOperators.I2F, 0)).mul(dy).fma(t, accBY);
        }
        accAX.intoArray(outX, oa);
        accBX.intoArray(outX, ob);
        accAY.intoArray(outY, oa);
        accBY.intoArray(outY, ob);
    }

    /** One panel with 8-bit activations on 256-bit vectors (AVX2): the 32-bit and float work in two halves. */
    static void panel16x256(byte[] nib, int p, int blocks, short[] xq, float[] d, int[] sums, float[] out, int oo) {
        FloatVector accA = FloatVector.zero(F256), accB = accA;
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
            FloatVector db = FloatVector.broadcast(F256, d[b]);
            int off = 8 * sums[b]; // the nibbles' −8, taken off the exact integer sum
            IntVector lo = ((IntVector) s0.convertShape(VectorOperators.S2I, I256, 0)).add((IntVector) s1.convertShape(VectorOperators.S2I, I256, 0));
            IntVector hi = ((IntVector) s0.convertShape(VectorOperators.S2I, I256, 1)).add((IntVector) s1.convertShape(VectorOperators.S2I, I256, 1));
            IntVector sh = (IntVector) ByteVector.fromArray(B128, nib, no + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I256, 0);
            FloatVector s = sh.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(sh.and(0x80000000)).reinterpretAsFloats();
            IntVector th = (IntVector) ByteVector.fromArray(B128, nib, no + SCALES + 16).reinterpretAsShorts().convertShape(VectorOperators.S2I, I256, 0);
            FloatVector t = th.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(th.and(0x80000000)).reinterpretAsFloats();
            accA = ((FloatVector) lo.sub(off).convert(VectorOperators.I2F, 0)).mul(db).fma(s, accA);
            accB = ((FloatVector) hi.sub(off).convert(VectorOperators.I2F, 0)).mul(db).fma(t, accB);
        }
        accA.intoArray(out, oo);
        accB.intoArray(out, oo + 8);
    }

    /**
     * One panel for two tokens (x, y) on 256-bit vectors (AVX2): each weight byte is loaded and unpacked once for both, so
     * a pair of tokens costs the extra arithmetic, not another pass over the weights. The integer sums and the float
     * steps per lane are {@link #panel16x256}'s, so each token's result is bit-identical to its own pass.
     */
    static void panel16x256Tokens2(byte[] nib, int p, int blocks, Q8Activations x, Q8Activations y, float[] outX, float[] outY, int oo) {
        short[] xq = x.q(), yq = y.q();
        float[] xd = x.d(), yd = y.d();
        int[] xs = x.sums(), ys = y.sums();
        FloatVector ax = FloatVector.zero(F256), bx = ax, ay = ax, by = ax;
        int base = p * blocks;
        for (int b = 0; b < blocks; b++) {
            int no = (base + b) * PB, xo = b * 32;
            IntVector lx = IntVector.zero(I256), hx = lx, ly = lx, hy = lx;
            for (int half = 0; half < 16; half += 8) { // 16-bit sums over half a block, then added as 32-bit integers
                ShortVector sx = ShortVector.zero(S256), sy = sx;
                for (int j = half; j < half + 8; j++) {
                    ShortVector q = (ShortVector) ByteVector.fromArray(B128, nib, no + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
                    ShortVector qlo = q.and((short) 0x0F), qhi = q.lanewise(VectorOperators.LSHR, 4);
                    sx = sx.add(qlo.mul(xq[xo + j])).add(qhi.mul(xq[xo + 16 + j]));
                    sy = sy.add(qlo.mul(yq[xo + j])).add(qhi.mul(yq[xo + 16 + j]));
                }
                lx = lx.add((IntVector) sx.convertShape(VectorOperators.S2I, I256, 0));
                hx = hx.add((IntVector) sx.convertShape(VectorOperators.S2I, I256, 1));
                ly = ly.add((IntVector) sy.convertShape(VectorOperators.S2I, I256, 0));
                hy = hy.add((IntVector) sy.convertShape(VectorOperators.S2I, I256, 1));
            }
            IntVector sh = (IntVector) ByteVector.fromArray(B128, nib, no + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I256, 0);
            FloatVector s = sh.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(sh.and(0x80000000)).reinterpretAsFloats();
            IntVector th = (IntVector) ByteVector.fromArray(B128, nib, no + SCALES + 16).reinterpretAsShorts().convertShape(VectorOperators.S2I, I256, 0);
            FloatVector t = th.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(th.and(0x80000000)).reinterpretAsFloats();
            FloatVector dx = FloatVector.broadcast(F256, xd[b]), dy = FloatVector.broadcast(F256, yd[b]);
            int ox = 8 * xs[b], oy = 8 * ys[b];
            ax = ((FloatVector) lx.sub(ox).convert(VectorOperators.I2F, 0)).mul(dx).fma(s, ax);
            bx = ((FloatVector) hx.sub(ox).convert(VectorOperators.I2F, 0)).mul(dx).fma(t, bx);
            ay = ((FloatVector) ly.sub(oy).convert(VectorOperators.I2F, 0)).mul(dy).fma(s, ay);
            by = ((FloatVector) hy.sub(oy).convert(VectorOperators.I2F, 0)).mul(dy).fma(t, by);
        }
        ax.intoArray(outX, oo);
        bx.intoArray(outX, oo + 8);
        ay.intoArray(outY, oo);
        by.intoArray(outY, oo + 8);
    }

    /**
     * One panel for four tokens on 256-bit vectors (AVX2): each weight byte is loaded and unpacked once for all four, and
     * the integer sums and float steps per lane are {@link #panel16x256}'s, so each token's result is bit-identical to
     * its own pass. The float accumulators outlive the registers (16 on AVX2) and are kept in {@code acc}
     * (4 tokens × 16 rows), touched once per block.
     */
    static void panel16x256Tokens4(byte[] nib, int p, int blocks, Q8Activations x0, Q8Activations x1, Q8Activations x2, Q8Activations x3, float[] acc) {
        short[] q0 = x0.q(), q1 = x1.q(), q2 = x2.q(), q3 = x3.q();
        java.util.Arrays.fill(acc, 0, 64, 0f);
        int base = p * blocks;
        for (int b = 0; b < blocks; b++) {
            int no = (base + b) * PB, xo = b * 32;
            IntVector l0 = IntVector.zero(I256), h0 = l0, l1 = l0, h1 = l0, l2 = l0, h2 = l0, l3 = l0, h3 = l0;
            for (int half = 0; half < 16; half += 8) { // 16-bit sums over half a block, then added as 32-bit integers
                ShortVector s0 = ShortVector.zero(S256), s1 = s0, s2 = s0, s3 = s0;
                for (int j = half; j < half + 8; j++) {
                    ShortVector q = (ShortVector) ByteVector.fromArray(B128, nib, no + j * 16).convertShape(VectorOperators.ZERO_EXTEND_B2S, S256, 0);
                    ShortVector qlo = q.and((short) 0x0F), qhi = q.lanewise(VectorOperators.LSHR, 4);
                    int lo = xo + j, hi = xo + 16 + j;
                    s0 = s0.add(qlo.mul(q0[lo])).add(qhi.mul(q0[hi]));
                    s1 = s1.add(qlo.mul(q1[lo])).add(qhi.mul(q1[hi]));
                    s2 = s2.add(qlo.mul(q2[lo])).add(qhi.mul(q2[hi]));
                    s3 = s3.add(qlo.mul(q3[lo])).add(qhi.mul(q3[hi]));
                }
                l0 = l0.add((IntVector) s0.convertShape(VectorOperators.S2I, I256, 0));
                h0 = h0.add((IntVector) s0.convertShape(VectorOperators.S2I, I256, 1));
                l1 = l1.add((IntVector) s1.convertShape(VectorOperators.S2I, I256, 0));
                h1 = h1.add((IntVector) s1.convertShape(VectorOperators.S2I, I256, 1));
                l2 = l2.add((IntVector) s2.convertShape(VectorOperators.S2I, I256, 0));
                h2 = h2.add((IntVector) s2.convertShape(VectorOperators.S2I, I256, 1));
                l3 = l3.add((IntVector) s3.convertShape(VectorOperators.S2I, I256, 0));
                h3 = h3.add((IntVector) s3.convertShape(VectorOperators.S2I, I256, 1));
            }
            IntVector sh = (IntVector) ByteVector.fromArray(B128, nib, no + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I256, 0);
            FloatVector s = sh.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(sh.and(0x80000000)).reinterpretAsFloats();
            IntVector th = (IntVector) ByteVector.fromArray(B128, nib, no + SCALES + 16).reinterpretAsShorts().convertShape(VectorOperators.S2I, I256, 0);
            FloatVector t = th.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(th.and(0x80000000)).reinterpretAsFloats();
            FloatVector d;
            d = FloatVector.broadcast(F256, x0.d()[b]);
            ((FloatVector) l0.sub(8 * x0.sums()[b]).convert(VectorOperators.I2F, 0)).mul(d).fma(s, FloatVector.fromArray(F256, acc, 0)).intoArray(acc, 0);
            ((FloatVector) h0.sub(8 * x0.sums()[b]).convert(VectorOperators.I2F, 0)).mul(d).fma(t, FloatVector.fromArray(F256, acc, 8)).intoArray(acc, 8);
            d = FloatVector.broadcast(F256, x1.d()[b]);
            ((FloatVector) l1.sub(8 * x1.sums()[b]).convert(VectorOperators.I2F, 0)).mul(d).fma(s, FloatVector.fromArray(F256, acc, 16)).intoArray(acc, 16);
            ((FloatVector) h1.sub(8 * x1.sums()[b]).convert(VectorOperators.I2F, 0)).mul(d).fma(t, FloatVector.fromArray(F256, acc, 24)).intoArray(acc, 24);
            d = FloatVector.broadcast(F256, x2.d()[b]);
            ((FloatVector) l2.sub(8 * x2.sums()[b]).convert(VectorOperators.I2F, 0)).mul(d).fma(s, FloatVector.fromArray(F256, acc, 32)).intoArray(acc, 32);
            ((FloatVector) h2.sub(8 * x2.sums()[b]).convert(VectorOperators.I2F, 0)).mul(d).fma(t, FloatVector.fromArray(F256, acc, 40)).intoArray(acc, 40);
            d = FloatVector.broadcast(F256, x3.d()[b]);
            ((FloatVector) l3.sub(8 * x3.sums()[b]).convert(VectorOperators.I2F, 0)).mul(d).fma(s, FloatVector.fromArray(F256, acc, 48)).intoArray(acc, 48);
            ((FloatVector) h3.sub(8 * x3.sums()[b]).convert(VectorOperators.I2F, 0)).mul(d).fma(t, FloatVector.fromArray(F256, acc, 56)).intoArray(acc, 56);
        }
    }

    /** One panel with 8-bit activations on 128-bit vectors (NEON, SSE): 8 rows per 16-bit vector, two per panel. */
    static void panel16x128(byte[] nib, int p, int blocks, short[] xq, float[] d, int[] sums, float[] out, int oo) {
        FloatVector a0 = FloatVector.zero(F128), a1 = a0, a2 = a0, a3 = a0;
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
            FloatVector db = FloatVector.broadcast(F128, d[b]);
            int off = 8 * sums[b]; // the nibbles' −8, taken off the exact integer sum
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
            a0 = ((FloatVector) i0.sub(off).convert(VectorOperators.I2F, 0)).mul(db).fma(e0, a0);
            a1 = ((FloatVector) i1.sub(off).convert(VectorOperators.I2F, 0)).mul(db).fma(e1, a1);
            a2 = ((FloatVector) i2.sub(off).convert(VectorOperators.I2F, 0)).mul(db).fma(e2, a2);
            a3 = ((FloatVector) i3.sub(off).convert(VectorOperators.I2F, 0)).mul(db).fma(e3, a3);
        }
        a0.intoArray(out, oo);
        a1.intoArray(out, oo + 4);
        a2.intoArray(out, oo + 8);
        a3.intoArray(out, oo + 12);
    }

    /** The plain reference for 8-bit activations: integer sums per block, then the same float scaling. */
    static void panelScalar(byte[] nib, int p, int blocks, short[] xq, float[] d, int[] sums, float[] out, int oo) {
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
                total = Math.fma((sum - 8 * sums[b]) * d[b], s, total); // the vector kernels' steps
            }
            out[oo + lane] = total;
        }
    }
}
