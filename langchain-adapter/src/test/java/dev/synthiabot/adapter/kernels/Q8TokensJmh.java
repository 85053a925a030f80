package dev.synthiabot.adapter.kernels;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The routes for a few tokens side by side on SynthIA-7B's 14336 x 4096 matrix (three in turn, from memory), two
 * threads, ms per pass: {@code route} what {@link Q4Kernels} picks now; {@code pairs} the matrix-vector kernels four,
 * two or one token at a time (the route before {@link Q8TokensMatvec}, with the GEMM from 16 tokens on AVX-512);
 * {@code fewTokens} {@link Q8TokensMatvec} for all tokens; {@code gemm} the 16-bit GEMM for all tokens (AVX-512).
 * Run: scripts/benchmark-kernels Q8TokensJmh (-p tokens=4,8 for some batch sizes only)
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class Q8TokensJmh {
    @Param({"14336"})
    int rows;

    @Param({"4096"})
    int cols;

    @Param({"1", "2", "4", "8", "16"})
    int tokens;

    Q4Matrix[] w;
    int next;
    Q4Kernels.Batch route;
    Q8Activations[] q8;
    Q8TokensMatvec.Packed few;
    Q8Int16Gemm.Packed int16;
    float[][] out;
    RowParallel two;

    @Setup
    public void setup() {
        Random r = new Random(42);
        w = new Q4Matrix[3];
        for (int m = 0; m < w.length; m++) {
            byte[] nib = new byte[rows * (cols / 2)];
            r.nextBytes(nib);
            float[] sc = new float[rows * (cols / 32)];
            for (int i = 0; i < sc.length; i++) sc[i] = r.nextFloat() * 0.01f;
            w[m] = Q4Matrix.ofRowMajor(rows, cols, nib, sc);
        }
        float[][] x = new float[tokens][cols];
        for (float[] v : x) for (int i = 0; i < cols; i++) v[i] = (float) r.nextGaussian();
        route = Q4Kernels.batch(x, tokens, cols, Q4Kernels.Activations.Q8);
        q8 = new Q8Activations[tokens];
        for (int t = 0; t < tokens; t++) q8[t] = Q8Activations.quantize(x[t]);
        few = Q8TokensMatvec.pack(q8, 0, tokens, cols);
        int16 = Q8Int16Gemm.pack(q8, tokens, cols);
        out = new float[tokens][rows];
        two = new RowParallel(2);
    }

    @TearDown
    public void close() {
        two.close();
    }

    private Q4Matrix matrix() {
        next = (next + 1) % w.length;
        return w[next];
    }

    @Benchmark
    public float[][] route() {
        Q4Matrix m = matrix();
        two.forRows(rows, (from, to) -> Q4Kernels.matmul(m, route, out, from, to));
        return out;
    }

    @Benchmark
    public float[][] pairs() {
        Q4Matrix m = matrix();
        if (tokens >= 16 && Q8Int16Gemm.available()) {
            two.forRows(rows, (from, to) -> Q8Int16Gemm.matmul(m, int16.xs(), int16.ds(), tokens, out, from, to));
            return out;
        }
        two.forRows(rows, (from, to) -> {
            int t = 0;
            for (; t + 3 < tokens; t += 4) Q8Matvec.matvec4(m, q8, out, t, from, to);
            for (; t + 1 < tokens; t += 2) Q8Matvec.matvec2(m, q8[t], q8[t + 1], out[t], out[t + 1], from, to);
            if (t < tokens) Q8Matvec.matvec(m, q8[t], out[t], from, to);
        });
        return out;
    }

    @Benchmark
    public float[][] fewTokens() {
        Q4Matrix m = matrix();
        two.forRows(rows, (from, to) -> Q8TokensMatvec.matmul(m, few, out, 0, from, to));
        return out;
    }

    @Benchmark
    public float[][] gemm() {
        Q4Matrix m = matrix();
        two.forRows(rows, (from, to) -> Q8Int16Gemm.matmul(m, int16.xs(), int16.ds(), tokens, out, from, to));
        return out;
    }
}
