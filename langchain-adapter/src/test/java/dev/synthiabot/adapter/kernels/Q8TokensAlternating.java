package dev.synthiabot.adapter.kernels;

import java.util.Arrays;
import java.util.Random;

/**
 * The few-token routes side by side, alternating pass by pass in one JVM, for machines whose speed drifts (a shared
 * VM): SynthIA-7B's 14336 x 4096 matrix (three in turn, from memory), two threads; for each batch size the median and
 * quartiles of ms per pass of {@code pairs} (the route before {@link Q8TokensMatvec}: {@link Q8Matvec} four, two or one
 * token at a time, the 16-bit GEMM from 16 tokens on AVX-512) and {@code route} (what {@link Q4Kernels} picks now).
 * Prints figures; asserts nothing. Run (after the test classes are built):
 * {@code java --add-modules jdk.incubator.vector -cp langchain-adapter/target/test-classes:langchain-adapter/target/classes
 * dev.synthiabot.adapter.kernels.Q8TokensAlternating [rounds] [tokens,...]}
 */
public final class Q8TokensAlternating {
    private Q8TokensAlternating() {}

    public static void main(String[] args) {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int[] sizes = Arrays.stream((args.length > 1 ? args[1] : "1,2,4,8,16").split(",")).mapToInt(Integer::parseInt).toArray();
        int rows = 14336, cols = 4096;
        Random r = new Random(42);
        Q4Matrix[] w = new Q4Matrix[3];
        for (int m = 0; m < w.length; m++) {
            byte[] nib = new byte[rows * (cols / 2)];
            r.nextBytes(nib);
            float[] sc = new float[rows * (cols / 32)];
            for (int i = 0; i < sc.length; i++) sc[i] = r.nextFloat() * 0.01f;
            w[m] = Q4Matrix.ofRowMajor(rows, cols, nib, sc);
        }
        System.out.printf("path %s, %d rounds of 3 passes each way per batch size%n", VectorWidth.PATH, rounds);
        System.out.println("| tokens | pairs ms (median, quartiles) | route ms (median, quartiles) | pairs / route |");
        System.out.println("|---|---|---|---|");
        try (RowParallel two = new RowParallel(2)) {
            for (int tokens : sizes) {
                float[][] x = new float[tokens][cols];
                for (float[] v : x) for (int i = 0; i < cols; i++) v[i] = (float) r.nextGaussian();
                Q4Kernels.Batch route = Q4Kernels.batch(x, tokens, cols, Q4Kernels.Activations.Q8);
                Q8Activations[] q8 = new Q8Activations[tokens];
                for (int t = 0; t < tokens; t++) q8[t] = Q8Activations.quantize(x[t]);
                Q8Int16Gemm.Packed int16 = Q8Int16Gemm.pack(q8, tokens, cols);
                float[][] out = new float[tokens][rows];
                double[] pairs = new double[rounds], routed = new double[rounds];
                for (int round = -10; round < rounds; round++) { // ten rounds of warm-up
                    long t0 = System.nanoTime();
                    for (Q4Matrix m : w) {
                        if (tokens >= 16 && Q8Int16Gemm.available()) {
                            two.forRows(rows, (from, to) -> Q8Int16Gemm.matmul(m, int16.xs(), int16.ds(), tokens, out, from, to));
                        } else {
                            two.forRows(rows, (from, to) -> {
                                int t = 0;
                                for (; t + 3 < tokens; t += 4) Q8Matvec.matvec4(m, q8, out, t, from, to);
                                for (; t + 1 < tokens; t += 2) Q8Matvec.matvec2(m, q8[t], q8[t + 1], out[t], out[t + 1], from, to);
                                if (t < tokens) Q8Matvec.matvec(m, q8[t], out[t], from, to);
                            });
                        }
                    }
                    long t1 = System.nanoTime();
                    for (Q4Matrix m : w) two.forRows(rows, (from, to) -> Q4Kernels.matmul(m, route, out, from, to));
                    long t2 = System.nanoTime();
                    if (round >= 0) {
                        pairs[round] = (t1 - t0) / 3e6;
                        routed[round] = (t2 - t1) / 3e6;
                    }
                }
                Arrays.sort(pairs);
                Arrays.sort(routed);
                double pm = pairs[rounds / 2], rm = routed[rounds / 2];
                System.out.printf("| %d | %.2f (%.2f-%.2f) | %.2f (%.2f-%.2f) | %.2fx |%n", tokens, pm, pairs[rounds / 4], pairs[3 * rounds / 4],
                    rm, routed[rounds / 4], routed[3 * rounds / 4], pm / rm);
            }
        }
    }
}
