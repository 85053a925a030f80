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
 * The Q4 matrix-vector kernels on SynthIA-7B's largest matrix shape, 14336 x 4096: 29.4 MB of nibbles and
 * 3.7 MB of half-float scales = 33.0 MB streamed per call. Three such matrices (99 MB) are used in turn so
 * the caches (32 MB of L3 here) cannot hold them: every call streams from memory, as decode does.
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

    Q4Matrix[] w;
    int next;
    float[] x, y, sums, out;
    Q4Kernels.Q8 q8;
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
        x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (float) r.nextGaussian();
        sums = new float[cols / 32];
        Q4Kernels.blockSums(x, sums);
        y = Q4Kernels.highMinus16Low(x);
        q8 = Q4Kernels.Q8.of(x);
        out = new float[rows];
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

    /** Float activations, one thread. */
    @Benchmark
    public float[] f32OneThread() {
        Q4Kernels.matvec(matrix(), x, y, sums, out, 0, rows);
        return out;
    }

    /** 8-bit activations (the default for generated tokens), one thread. */
    @Benchmark
    public float[] q8OneThread() {
        Q4Kernels.matvec(matrix(), q8, out, 0, rows);
        return out;
    }

    /** Float activations, rows split over two threads. */
    @Benchmark
    public float[] f32TwoThreads() {
        Q4Matrix m = matrix();
        two.forRows(rows, (from, to) -> Q4Kernels.matvec(m, x, y, sums, out, from, to));
        return out;
    }

    /** 8-bit activations, rows split over two threads. */
    @Benchmark
    public float[] q8TwoThreads() {
        Q4Matrix m = matrix();
        two.forRows(rows, (from, to) -> Q4Kernels.matvec(m, q8, out, from, to));
        return out;
    }
}
