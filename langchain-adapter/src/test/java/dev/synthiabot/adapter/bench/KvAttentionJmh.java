package dev.synthiabot.adapter.bench;

import dev.synthiabot.adapter.kernels.KvCache;
import dev.synthiabot.adapter.kernels.VectorMath;
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
 * Attention of one generated token over a conversation's KV cache, all of SynthIA-7B's 32 layers × 8 KV heads
 * (4 query heads each, 128 dimensions), on one thread: scores, softmax, weighted sum of the values. Reads
 * positions × 128 KiB (bf16) or 256 KiB (f32) per call: GB/s = positions × 131072 (or 262144) / 1e9 / (ms / 1000).
 * Run: scripts/benchmark-kernels
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "-Xmx4g"})
public class KvAttentionJmh {
    static final int LAYERS = 32, KV_HEADS = 8, GROUP = 4, HEAD_DIM = 128;

    @Param({"256", "1024", "4000"})
    int positions;

    @Param({"BF16", "F32"})
    KvCache.Precision precision;

    KvCache cache;
    float[] q, out, s0, s1, s2, s3;

    @Setup
    public void setup() {
        Random r = new Random(42);
        cache = KvCache.create(precision, LAYERS, KV_HEADS, HEAD_DIM, 4096);
        cache.ensure(positions);
        float[] k = new float[HEAD_DIM], v = new float[HEAD_DIM];
        for (int p = 0; p < positions; p++) {
            for (int l = 0; l < LAYERS; l++) {
                for (int h = 0; h < KV_HEADS; h++) {
                    for (int d = 0; d < HEAD_DIM; d++) {
                        k[d] = (float) r.nextGaussian();
                        v[d] = (float) r.nextGaussian();
                    }
                    cache.put(l, h, p, k, 0, v, 0);
                }
            }
        }
        q = new float[KV_HEADS * GROUP * HEAD_DIM];
        for (int i = 0; i < q.length; i++) q[i] = (float) r.nextGaussian() * 0.1f;
        out = new float[q.length];
        int len = KvCache.scoresLength(positions);
        s0 = new float[len];
        s1 = new float[len];
        s2 = new float[len];
        s3 = new float[len];
    }

    @Benchmark
    public float oneTokenAllLayers() {
        float scale = (float) (1.0 / Math.sqrt(HEAD_DIM));
        for (int l = 0; l < LAYERS; l++) {
            for (int g = 0; g < KV_HEADS; g++) {
                int q0 = g * GROUP * HEAD_DIM;
                cache.scores(l, g, positions, q, q0, q0 + HEAD_DIM, q0 + 2 * HEAD_DIM, q0 + 3 * HEAD_DIM, scale, s0, s1, s2, s3);
                float r0 = 1f / VectorMath.expMinusMax(s0, positions), r1 = 1f / VectorMath.expMinusMax(s1, positions);
                float r2 = 1f / VectorMath.expMinusMax(s2, positions), r3 = 1f / VectorMath.expMinusMax(s3, positions);
                cache.weightedSum(l, g, positions, s0, s1, s2, s3, r0, r1, r2, r3, out, q0, q0 + HEAD_DIM, q0 + 2 * HEAD_DIM, q0 + 3 * HEAD_DIM);
            }
        }
        return out[0];
    }
}
