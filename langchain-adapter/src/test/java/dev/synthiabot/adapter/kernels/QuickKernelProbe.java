package dev.synthiabot.adapter.kernels;

import java.util.Random;

public final class QuickKernelProbe {
    public static void main(String[] a) throws Exception {
        int rows = 14336, cols = 4096;
        Random rnd = new Random(1);
        byte[] nib = new byte[rows * cols / 2];
        rnd.nextBytes(nib);
        float[] sc = new float[rows * cols / 32];
        for (int i = 0; i < sc.length; i++) sc[i] = rnd.nextFloat() * 0.01f;
        Q4Matrix w = new Q4Matrix(rows, cols, nib, sc);
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = rnd.nextFloat() - 0.5f;
        float[] sums = new float[cols / 32];
        Q4Kernels.blockSums(x, sums);
        float[] out = new float[rows];
        System.out.println("path " + Q4Kernels.PATH);
        for (int iter = 0; iter < 30; iter++) {
            long t0 = System.nanoTime();
            Q4Kernels.matvec(w, x, sums, out, 0, rows);
            long t = System.nanoTime() - t0;
            if (iter % 5 == 4) System.out.printf("1 thread: %.2f ms, %.2f GB/s%n", t / 1e6, w.bytes() / (t / 1e9) / 1e9);
        }
        float ref = Q4Kernels.dotScalar(nib, sc, 5 * (cols / 32), cols / 32, x, sums);
        System.out.println("check " + out[5] + " vs " + ref);
        int T = 64;
        float[][] xs = new float[T][cols];
        float[][] outs = new float[T][rows];
        for (float[] xt : xs) for (int i = 0; i < cols; i++) xt[i] = rnd.nextFloat() - 0.5f;
        for (int iter = 0; iter < 6; iter++) {
            long t0 = System.nanoTime();
            Q4Kernels.matmul(w, xs, T, outs, 0, rows);
            long t = System.nanoTime() - t0;
            System.out.printf("matmul %d tokens, 1 thread: %.1f ms = %.2f ms/token, %.1f GFLOP/s%n", T, t / 1e6, t / 1e6 / T, 2.0 * rows * cols * T / t);
        }
        float[] s7 = new float[cols / 32];
        Q4Kernels.blockSums(xs[7], s7);
        System.out.println("matmul check " + outs[7][11] + " vs " + Q4Kernels.dotScalar(nib, sc, 11 * (cols / 32), cols / 32, xs[7], s7));
        Thread[] ts = new Thread[2];
        for (int iter = 0; iter < 20; iter++) {
            long t0 = System.nanoTime();
            for (int k = 0; k < 2; k++) {
                int from = k * rows / 2, to = (k + 1) * rows / 2;
                ts[k] = new Thread(() -> Q4Kernels.matvec(w, x, sums, out, from, to));
                ts[k].start();
            }
            for (Thread t : ts) t.join();
            long t = System.nanoTime() - t0;
            if (iter % 5 == 4) System.out.printf("2 threads: %.2f ms, %.2f GB/s%n", t / 1e6, w.bytes() / (t / 1e9) / 1e9);
        }
    }
}
