package dev.synthiabot.adapter.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synthiabot.adapter.kernels.KvCache.Precision;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The KV cache's storage and attention kernels against the plain definitions (double sums over the stored values),
 * for both precisions, on ragged position counts and head sizes. Also run at every narrower vector width.
 */
class KvCacheTest {
    private static final int LAYERS = 2, KV_HEADS = 3;

    private static KvCache filled(Precision precision, int headDim, int positions, Random r) {
        return filled(precision, headDim, positions, KvCache.PAGE, r);
    }

    private static KvCache filled(Precision precision, int headDim, int positions, int page, Random r) {
        KvCache c = KvCache.create(precision, LAYERS, KV_HEADS, headDim, 4096, page);
        float[] k = new float[KV_HEADS * headDim], v = new float[KV_HEADS * headDim];
        for (int p = 0; p < positions; p++) {
            c.ensure(p + 1); // grown as the forward pass grows it
            for (int l = 0; l < LAYERS; l++) {
                for (int i = 0; i < k.length; i++) {
                    k[i] = (float) r.nextGaussian();
                    v[i] = (float) r.nextGaussian();
                }
                for (int h = 0; h < KV_HEADS; h++) c.put(l, h, p, k, h * headDim, v, h * headDim);
            }
        }
        return c;
    }

    @ParameterizedTest(name = "{0}, head size {1}, {2} positions, pages of {3}")
    @CsvSource({"BF16, 16, 1, 256", "BF16, 16, 15, 16", "BF16, 24, 16, 16", "BF16, 128, 17, 256", "BF16, 128, 100, 32",
        "BF16, 20, 33, 16", "BF16, 128, 300, 256", "F32, 16, 1, 256", "F32, 24, 31, 16", "F32, 128, 48, 32", "F32, 20, 65, 48",
        "F32, 128, 270, 256"})
    void should_compute_scores_and_weighted_sums_as_defined(Precision precision, int headDim, int positions, int page) {
        Random r = new Random(headDim * 1000L + positions);
        KvCache c = filled(precision, headDim, positions, page, r);
        int heads = 4;
        float[] q = new float[(heads + 1) * headDim];
        for (int i = 0; i < q.length; i++) q[i] = (float) r.nextGaussian();
        int[] qo = {headDim, 0, 3 * headDim, 2 * headDim}; // any offsets, in any order
        float scale = 0.25f;
        int len = KvCache.scoresLength(positions);
        assertThat(len).isGreaterThanOrEqualTo(positions).isEqualTo((positions + 15) / 16 * 16);
        float[][] s = new float[4][len];
        float[][] w = new float[4][positions];
        float[] r4 = {0.5f, 1f, 2f, 0.125f};
        for (int layer = 0; layer < LAYERS; layer++) {
            for (int head = 0; head < KV_HEADS; head++) {
                c.scores(layer, head, positions, q, qo[0], qo[1], qo[2], qo[3], scale, s[0], s[1], s[2], s[3]);
                for (int i = 0; i < 4; i++) {
                    for (int p = 0; p < positions; p++) {
                        double ref = 0;
                        for (int d = 0; d < headDim; d++) ref += (double) q[qo[i] + d] * c.key(layer, head, p, d);
                        assertThat(s[i][p]).as("head %d position %d", i, p).isCloseTo((float) (ref * scale), org.assertj.core.data.Offset.offset(1e-4f * (1 + (float) Math.abs(ref))));
                    }
                }
                for (float[] wi : w) for (int p = 0; p < positions; p++) wi[p] = (float) r.nextGaussian();
                float[] out = new float[(heads + 1) * headDim];
                c.weightedSum(layer, head, positions, w[0], w[1], w[2], w[3], r4[0], r4[1], r4[2], r4[3], out, qo[0], qo[1], qo[2], qo[3]);
                for (int i = 0; i < 4; i++) {
                    for (int d = 0; d < headDim; d++) {
                        double ref = 0;
                        for (int p = 0; p < positions; p++) ref += (double) w[i][p] * c.value(layer, head, p, d);
                        ref *= r4[i];
                        assertThat(out[qo[i] + d]).as("head %d dim %d", i, d).isCloseTo((float) ref, org.assertj.core.data.Offset.offset(1e-4f * (1 + (float) Math.abs(ref))));
                    }
                }
                for (int d = 4 * headDim; d < 5 * headDim; d++) assertThat(out[d]).as("the fifth slot is nobody's").isZero();
            }
        }
    }

    @Test
    void should_accept_the_same_head_more_than_once_for_groups_under_four() {
        Random r = new Random(7);
        KvCache c = filled(Precision.BF16, 16, 20, r);
        float[] q = new float[32];
        for (int i = 0; i < q.length; i++) q[i] = (float) r.nextGaussian();
        float[] a = new float[32], b = new float[32];
        c.scores(1, 2, 20, q, 0, 16, 16, 16, 1f, a, b, b, b);
        float[] a2 = new float[32], b2 = new float[32], x = new float[32], y = new float[32];
        c.scores(1, 2, 20, q, 0, 16, 0, 0, 1f, a2, b2, x, y);
        assertThat(a).containsExactly(a2);
        assertThat(b).containsExactly(b2);
        float[] out = new float[32], out2 = new float[32];
        c.weightedSum(1, 2, 20, a, b, b, b, 1f, 2f, 2f, 2f, out, 0, 16, 16, 16);
        c.weightedSum(1, 2, 20, a, b, a, a, 1f, 2f, 1f, 1f, out2, 0, 16, 0, 0);
        assertThat(out).containsExactly(out2);
    }

    @Test
    void should_store_bfloat16_rounded_to_nearest_even() {
        assertThat(KvCache.toBf16(1f)).isEqualTo((short) 0x3F80);
        assertThat(KvCache.fromBf16(KvCache.toBf16(-2.5f))).isEqualTo(-2.5f);
        // 1 + 2^-8 is halfway between 1 and 1 + 2^-7: ties go to the even mantissa (1); just above goes up
        assertThat(KvCache.fromBf16(KvCache.toBf16(1f + 0x1p-8f))).isEqualTo(1f);
        assertThat(KvCache.fromBf16(KvCache.toBf16(1f + 0x1p-8f + 0x1p-20f))).isEqualTo(1f + 0x1p-7f);
        assertThat(KvCache.fromBf16(KvCache.toBf16(1f + 3 * 0x1p-8f))).isEqualTo(1f + 0x1p-6f); // tie, odd → up to even
        assertThat(KvCache.fromBf16(KvCache.toBf16(Float.NaN))).isNaN();
        assertThat(KvCache.fromBf16(KvCache.toBf16(Float.POSITIVE_INFINITY))).isEqualTo(Float.POSITIVE_INFINITY);
        assertThat(KvCache.fromBf16(KvCache.toBf16(-0f))).isEqualTo(-0f);
        // subnormals keep their spacing of 2^-133: within half of it
        assertThat(KvCache.fromBf16(KvCache.toBf16(1e-40f))).isCloseTo(1e-40f, org.assertj.core.data.Offset.offset(0x1p-134f));
        Random r = new Random(3);
        for (int i = 0; i < 10_000; i++) {
            float f = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(20) - 10));
            assertThat(Math.abs(KvCache.fromBf16(KvCache.toBf16(f)) - f)).isLessThanOrEqualTo(Math.abs(f) * 0x1p-8f);
        }
    }

    @ParameterizedTest
    @CsvSource({"BF16", "F32"})
    void should_keep_values_when_growing_and_copy_a_prefix(Precision precision) {
        Random r = new Random(11);
        KvCache c = filled(precision, 24, 70, 32, r); // grown page by page: three pages of 32 positions
        assertThat(c.allocatedBytes()).isEqualTo(96 * KvCache.bytesPerPosition(precision, LAYERS, KV_HEADS, 24));
        float k = c.key(1, 2, 69, 23), v = c.value(0, 1, 5, 0);
        c.ensure(1000);
        assertThat(c.allocatedBytes()).isEqualTo(1024 * KvCache.bytesPerPosition(precision, LAYERS, KV_HEADS, 24));
        assertThat(c.key(1, 2, 69, 23)).isEqualTo(k);
        assertThat(c.value(0, 1, 5, 0)).isEqualTo(v);
        assertThat(KvCache.create(precision, 1, 1, 16, 4096).allocatedBytes()).isZero();

        KvCache copy = KvCache.create(precision, LAYERS, KV_HEADS, 24, 4096, 32);
        c.copyPrefixTo(copy, 37);
        for (int l = 0; l < LAYERS; l++) {
            for (int h = 0; h < KV_HEADS; h++) {
                for (int p = 0; p < 37; p++) {
                    for (int d = 0; d < 24; d++) {
                        assertThat(copy.key(l, h, p, d)).isEqualTo(c.key(l, h, p, d));
                        assertThat(copy.value(l, h, p, d)).isEqualTo(c.value(l, h, p, d));
                    }
                }
            }
        }
        assertThat(KvCache.bytesPerPosition(Precision.BF16, 32, 8, 128)).isEqualTo(128 * 1024); // SynthIA-7B
        assertThat(KvCache.bytesPerPosition(Precision.F32, 32, 8, 128)).isEqualTo(256 * 1024);
        assertThatThrownBy(() -> KvCache.create(precision, 1, 1, 16, 100).ensure(101)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> KvCache.create(precision, 1, 1, 16, 100, 24)).isInstanceOf(IllegalArgumentException.class);
        c.clear();
        assertThat(c.allocatedBytes()).isZero();
    }

    @Test
    void should_store_what_was_put() {
        KvCache f = KvCache.create(Precision.F32, 1, 2, 16, 64), b = KvCache.create(Precision.BF16, 1, 2, 16, 64);
        f.ensure(20);
        b.ensure(20);
        float[] k = new float[32], v = new float[32];
        for (int i = 0; i < 32; i++) {
            k[i] = i + 0.1f;
            v[i] = -i - 0.3f;
        }
        f.put(0, 1, 19, k, 16, v, 16);
        b.put(0, 1, 19, k, 16, v, 16);
        for (int d = 0; d < 16; d++) {
            assertThat(f.key(0, 1, 19, d)).isEqualTo(k[16 + d]);
            assertThat(f.value(0, 1, 19, d)).isEqualTo(v[16 + d]);
            assertThat(b.key(0, 1, 19, d)).isEqualTo(KvCache.fromBf16(KvCache.toBf16(k[16 + d])));
            assertThat(b.value(0, 1, 19, d)).isEqualTo(KvCache.fromBf16(KvCache.toBf16(v[16 + d])));
            assertThat(f.key(0, 0, 19, d)).isZero();
        }
    }
}
