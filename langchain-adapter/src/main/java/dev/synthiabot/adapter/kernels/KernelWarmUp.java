package dev.synthiabot.adapter.kernels;

import dev.synthiabot.adapter.kernels.Q4Kernels.Activations;
import dev.synthiabot.adapter.kernels.Q4Kernels.Batch;
import java.util.Random;

/**
 * Runs every kernel on small random matrices until the JIT has compiled it. Until then the Vector API runs
 * interpreted, boxing every vector, about a hundred times slower: without this the first prompt after start-up pays
 * seconds of it.
 */
public final class KernelWarmUp {
    private static boolean done;

    private KernelWarmUp() {}

    /**
     * Warms the kernels up once per JVM (later models reuse the compiled code); returns the milliseconds spent, 0 when
     * already done. {@link Q4Kernels#matmul} runs on one, two and four tokens and on batches of 19, 32 and 64, over whole
     * and partial panels, and the forward pass's other vector work ({@link VectorMath}) alongside.
     */
    public static synchronized long run() {
        if (done) return 0;
        done = true;
        long t0 = System.nanoTime();
        Random r = new Random(1);
        int rows = 64, cols = 256;
        float[] values = new float[rows * cols];
        for (int i = 0; i < values.length; i++) values[i] = (float) r.nextGaussian();
        Q4Matrix w = Q4Matrix.quantize(values, rows, cols);
        float[][] x = new float[64][cols];
        for (float[] row : x) for (int i = 0; i < cols; i++) row[i] = (float) r.nextGaussian();
        float[][] out = new float[x.length][rows];
        Batch one = Q4Kernels.batch(x, 1, cols, Activations.Q8), two = Q4Kernels.batch(x, 2, cols, Activations.Q8);
        Batch b32 = Q4Kernels.batch(x, 32, cols, Activations.Q8), b19 = Q4Kernels.batch(x, 19, cols, Activations.Q8);
        Batch b64 = Q4Kernels.batch(x, 64, cols, Activations.Q8), four = Q4Kernels.batch(x, 4, cols, Activations.Q8);
        for (int i = 0; i < 2000; i++) {
            Q4Kernels.matmul(w, one, out, 0, rows);
            Q4Kernels.matmul(w, one, out, 5, rows - 7); // partial panels too
            if (i % 2 == 0) Q4Kernels.matmul(w, two, out, 0, rows);
            if (i % 2 == 1) Q4Kernels.matmul(w, four, out, 0, rows); // several answers decoding together
            if (i % 10 == 0) {
                Q4Kernels.matmul(w, b32, out, 0, rows);
                Q4Kernels.matmul(w, b19, out, 0, rows - 1);
                Q4Kernels.matmul(w, b64, out, 0, rows);
            }
            VectorMath.axpy(VectorMath.dotF32(x[1], 0, x[2], 0, 128) * 1e-3f, x[3], 0, x[4], 0, 128);
            VectorMath.expMinusMax(x[5].clone(), 100 + i % 37);
            if (i % 4 == 0) {
                VectorMath.swiglu(x[6].clone(), x[7]);
                VectorMath.rmsNorm(x[8], x[9], 1e-5f, x[10]);
            }
        }
        return (System.nanoTime() - t0) / 1_000_000;
    }
}
