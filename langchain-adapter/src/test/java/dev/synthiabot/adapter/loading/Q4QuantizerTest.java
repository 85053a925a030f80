package dev.synthiabot.adapter.loading;

import static org.assertj.core.api.Assertions.assertThat;

import com.github.tjake.jlama.tensor.FloatBufferTensor;
import com.github.tjake.jlama.tensor.Q4ByteBufferTensor;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Our parallel Q4 quantizer against Jlama's own, byte for byte: the Q4 files must be what Jlama would write. */
class Q4QuantizerTest {
    @Test
    void should_quantize_exactly_as_jlama_does() {
        int rows = 48, cols = 256;
        float[] x = new float[rows * cols];
        SplittableRandom r = new SplittableRandom(11);
        for (int i = 0; i < x.length; i++) x[i] = (float) (r.nextGaussian() * 0.02);
        java.util.Arrays.fill(x, 0, 32, 0f); // an all-zero block: scale 0
        for (int i = 32; i < 64; i++) x[i] = i % 2 == 0 ? 0.5f : -0.5f; // a tie between +max and -max
        x[64] = -3f; // a negative extreme: the scale's sign follows it
        x[96] = Float.MIN_VALUE; // subnormal
        for (int i = 128; i < 160; i++) x[i] = Float.float16ToFloat(Float.floatToFloat16(x[i])); // fp16-exact values, as converted weights are

        byte[] q = new byte[rows * cols / 2];
        float[] scales = new float[rows * cols / 32];
        for (int row = 0; row < rows; row++) Q4Quantizer.quantizeRow(x, row, cols, q, scales);

        FloatBufferTensor source = new FloatBufferTensor(rows, cols);
        for (int i = 0; i < x.length; i++) source.set(x[i], i / cols, i % cols);
        try (Q4ByteBufferTensor jlama = new Q4ByteBufferTensor(source)) {
            byte[] expected = new byte[q.length];
            jlama.getMemorySegment().asByteBuffer().order(ByteOrder.LITTLE_ENDIAN).get(expected);
            float[] expectedScales = new float[scales.length];
            for (int i = 0; i < scales.length; i++) expectedScales[i] = jlama.getBlockF().get(i / (cols / 32), i % (cols / 32));

            assertThat(q).isEqualTo(expected);
            assertThat(scales).isEqualTo(expectedScales);
        }
    }
}
