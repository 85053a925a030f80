package dev.synthiabot.adapter.kernels;

import static dev.synthiabot.adapter.kernels.VectorWidth.F;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * A token's activations quantized per block of 32 (llama.cpp's Q8_0): {@code x[c] ≈ q[c]·d[c / 32]} with |q| ≤ 127;
 * {@code sums[b]} = Σ q over block b, for the nibbles' −8. The 8-bit kernels ({@link Q8Matvec}, {@link Q8Gemm},
 * {@link Q8Int16Gemm}) multiply these small integers by the weights' nibbles exactly.
 */
public record Q8Activations(short[] q, float[] d, int[] sums) {

    /** Quantizes {@code x} (a multiple of 32 long): each block's scale is its largest magnitude over 127. */
    public static Q8Activations quantize(float[] x) {
        int blocks = x.length / 32;
        short[] q = new short[x.length];
        float[] d = new float[blocks];
        int[] sums = new int[blocks];
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
            sums[b] = sum;
        }
        return new Q8Activations(q, d, sums);
    }
}
