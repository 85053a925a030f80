package dev.synthiabot.adapter.bench;

import dev.synthiabot.adapter.kernels.Q4Kernels;
import dev.synthiabot.adapter.kernels.Q4Matrix;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Q4 matrix-vector kernel on SynthIA-7B's largest matrix shape (14336 x 4096: 36.7 MB of nibbles and
 * scales, more than the caches hold, so every call streams it from memory). GB/s = 0.0367 / (ms / 1000).
 * Run: scripts/benchmark-kernels
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector"})
public class Q4MatVecJmh {
    @Param({"14336"})
    int rows;

    @Param({"4096"})
    int cols;

    Q4Matrix w;
    float[] x, sums, out;

    @Setup
    public void setup() {
        Random r = new Random(42);
        byte[] nib = new byte[rows * (cols / 2)];
        r.nextBytes(nib);
        float[] sc = new float[rows * (cols / 32)];
        for (int i = 0; i < sc.length; i++) sc[i] = r.nextFloat() * 0.01f;
        w = Q4Matrix.ofRowMajor(rows, cols, nib, sc);
        x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = r.nextFloat() - 0.5f;
        sums = new float[cols / 32];
        Q4Kernels.blockSums(x, sums);
        out = new float[rows];
    }

    /** One thread streaming the whole matrix. */
    @Benchmark
    public float[] matvecOneThread() {
        Q4Kernels.matvec(w, x, sums, out, 0, rows);
        return out;
    }
}
