package dev.synthiabot.adapter.bench;

import dev.synthiabot.adapter.kernels.Q4Kernels;
import dev.synthiabot.adapter.kernels.Q4Matrix;
import dev.synthiabot.adapter.kernels.RowParallel;
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
 * The Q4 kernels on SynthIA-7B's largest matrix shape, 14336 x 4096 (29.4 MB of nibbles and 3.7 MB of half-float
 * scales = 33.0 MB per pass), for a batch of {@code tokens} (1: decode; 2-8: answers decoded together; 32: a prompt
 * chunk), rows split over two threads as the forward pass does. Three such matrices (99 MB) are used in turn so the
 * caches cannot hold them. Tokens per second of one matrix = tokens / (ms per op / 1000); for one token,
 * GB/s = 0.03303 / (ms per op / 1000). Run: scripts/benchmark-kernels
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class Q4MatVecJmh {
    @Param({"14336"})
    int rows;

    @Param({"4096"})
    int cols;

    @Param({"1", "2", "4", "8", "16", "32"})
    int tokens;

    Q4Matrix[] w;
    int next;
    Q4Kernels.Batch q8, f32;
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
        q8 = Q4Kernels.batch(x, tokens, cols, Q4Kernels.Activations.Q8);
        f32 = Q4Kernels.batch(x, tokens, cols, Q4Kernels.Activations.F32);
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

    /** 8-bit activations (the default): the matrix-vector kernels for few tokens, the 8-bit GEMM for many. */
    @Benchmark
    public float[][] q8() {
        Q4Matrix m = matrix();
        two.forRows(rows, (from, to) -> Q4Kernels.matmul(m, q8, out, from, to));
        return out;
    }

    /** Float activations: the float GEMM for every batch size. */
    @Benchmark
    public float[][] f32() {
        Q4Matrix m = matrix();
        two.forRows(rows, (from, to) -> Q4Kernels.matmul(m, f32, out, from, to));
        return out;
    }
}
