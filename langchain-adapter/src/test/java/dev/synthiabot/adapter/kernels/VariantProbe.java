package dev.synthiabot.adapter.kernels;

import java.util.Random;
import jdk.incubator.vector.*;

public final class VariantProbe {
    static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512;
    static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512;
    static final VectorSpecies<Byte> B128 = ByteVector.SPECIES_128;
    static final VectorSpecies<Byte> B512 = ByteVector.SPECIES_512;

    // A: current
    static float a(byte[] nib, float[] sc, int blocks, float[] x) {
        FloatVector acc = FloatVector.zero(F512);
        for (int b = 0; b < blocks; b++) {
            ByteVector q = ByteVector.fromArray(B128, nib, b * 16);
            FloatVector lo = (FloatVector) q.lanewise(VectorOperators.AND, (byte) 0x0F).convertShape(VectorOperators.B2F, F512, 0);
            FloatVector hi = (FloatVector) q.lanewise(VectorOperators.LSHR, 4).convertShape(VectorOperators.B2F, F512, 0);
            acc = lo.mul(FloatVector.fromArray(F512, x, b * 32)).add(hi.mul(FloatVector.fromArray(F512, x, b * 32 + 16))).fma(FloatVector.broadcast(F512, sc[b]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    // B: via B2I then I2F
    static float b(byte[] nib, float[] sc, int blocks, float[] x) {
        FloatVector acc = FloatVector.zero(F512);
        for (int b = 0; b < blocks; b++) {
            ByteVector q = ByteVector.fromArray(B128, nib, b * 16);
            IntVector qi = (IntVector) q.convertShape(VectorOperators.B2I, I512, 0);
            FloatVector lo = (FloatVector) qi.lanewise(VectorOperators.AND, 0x0F).convert(VectorOperators.I2F, 0);
            FloatVector hi = (FloatVector) qi.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.AND, 0x0F).convert(VectorOperators.I2F, 0);
            acc = lo.mul(FloatVector.fromArray(F512, x, b * 32)).add(hi.mul(FloatVector.fromArray(F512, x, b * 32 + 16))).fma(FloatVector.broadcast(F512, sc[b]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    // C: 4 blocks per iteration: load 64 bytes once, convert 4 parts
    static float c(byte[] nib, float[] sc, int blocks, float[] x) {
        FloatVector acc0 = FloatVector.zero(F512), acc1 = acc0;
        int b = 0;
        for (; b + 4 <= blocks; b += 4) {
            ByteVector q = ByteVector.fromArray(B512, nib, b * 16);
            ByteVector lo = q.lanewise(VectorOperators.AND, (byte) 0x0F);
            ByteVector hi = q.lanewise(VectorOperators.LSHR, 4);
            for (int k = 0; k < 4; k++) {
                FloatVector l = (FloatVector) lo.convertShape(VectorOperators.B2F, F512, k);
                FloatVector h = (FloatVector) hi.convertShape(VectorOperators.B2F, F512, k);
                int xo = (b + k) * 32;
                FloatVector part = l.mul(FloatVector.fromArray(F512, x, xo)).add(h.mul(FloatVector.fromArray(F512, x, xo + 16)));
                if ((k & 1) == 0) acc0 = part.fma(FloatVector.broadcast(F512, sc[b + k]), acc0);
                else acc1 = part.fma(FloatVector.broadcast(F512, sc[b + k]), acc1);
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    // D: no conversion at all (upper bound for the rest)
    static float d(byte[] nib, float[] sc, int blocks, float[] x) {
        FloatVector acc = FloatVector.zero(F512);
        for (int b = 0; b < blocks; b++) {
            acc = FloatVector.fromArray(F512, x, b * 32).mul(FloatVector.fromArray(F512, x, b * 32 + 16)).fma(FloatVector.broadcast(F512, sc[b] + nib[b * 16]), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    interface K { float run(byte[] n, float[] s, int blocks, float[] x); }

    public static void main(String[] args) {
        int rows = 256, cols = 4096, blocks = cols / 32;
        Random r = new Random(1);
        byte[] nib = new byte[rows * cols / 2];
        r.nextBytes(nib);
        float[] sc = new float[rows * blocks];
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = r.nextFloat();
        for (int i = 0; i < sc.length; i++) sc[i] = r.nextFloat();
        K[] ks = {VariantProbe::a, VariantProbe::b, VariantProbe::c, VariantProbe::d};
        String[] names = {"A current", "B B2I+I2F", "C 4-block", "D no-convert"};
        for (int round = 0; round < 3; round++) {
            for (int k = 0; k < ks.length; k++) {
                float sink = 0;
                long t0 = System.nanoTime();
                int reps = 400;
                for (int rep = 0; rep < reps; rep++) {
                    for (int row = 0; row < rows; row++) {
                        // Each row's data: use offset by reusing arrays with copyOfRange would cost; emulate with the same arrays.
                        sink += ks[k].run(nib, sc, blocks, x);
                    }
                }
                double ns = (System.nanoTime() - t0);
                double blocksDone = (double) reps * rows * blocks;
                if (round == 2) System.out.printf("%s: %.2f ns/block (%.1f GB/s equiv) %s%n", names[k], ns / blocksDone, blocksDone * 20 / ns, sink > 0 ? "" : "!");
            }
        }
    }
}
