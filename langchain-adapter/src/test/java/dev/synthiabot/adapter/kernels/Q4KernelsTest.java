package dev.synthiabot.adapter.kernels;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Every kernel against the plain scalar definition, on random shapes with ragged row and token counts. */
class Q4KernelsTest {

    private static float reference(Q4Matrix w, int row, float[] x) {
        double s = 0;
        for (int c = 0; c < w.cols(); c++) s += (double) w.get(row, c) * x[c];
        return (float) s;
    }

    /** The product of a batch prepared from {@code x} with the given activations. */
    private static void matmul(Q4Matrix w, float[][] x, int tokens, float[][] out, int from, int to, Q4Kernels.Activations activations) {
        Q4Kernels.matmul(w, Q4Kernels.batch(x, tokens, w.cols(), activations), out, from, to);
    }

    private static float[] random(Random r, int n) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) r.nextGaussian();
        return a;
    }

    @ParameterizedTest(name = "{0} x {1}, {2} tokens")
    @CsvSource({"1, 32, 1", "3, 64, 2", "7, 96, 9", "33, 256, 17", "64, 4096, 8", "130, 512, 3"})
    void should_match_the_scalar_reference(int rows, int cols, int tokens) {
        Random r = new Random(rows * 31L + cols);
        Q4Matrix w = Q4Matrix.quantize(random(r, rows * cols), rows, cols);
        float[][] x = new float[tokens][];
        for (int t = 0; t < tokens; t++) x[t] = random(r, cols);

        float[][] batch = new float[tokens][rows];
        matmul(w, x, tokens, batch, 0, rows, Q4Kernels.Activations.F32);

        for (int row = 0; row < rows; row++) {
            for (int t = 0; t < tokens; t++) {
                float rt = reference(w, row, x[t]);
                assertThat(batch[t][row]).as("matmul row %d token %d", row, t)
                    .isCloseTo(rt, org.assertj.core.data.Offset.offset(1e-4f * (1 + Math.abs(rt)) * (float) Math.sqrt(cols)));
            }
        }
    }

    @ParameterizedTest(name = "panel GEMM and matvec {0} x {1}, {2} tokens, rows [{3}, {4})")
    @CsvSource({"1, 32, 1, 0, 1", "9, 64, 2, 0, 9", "17, 96, 16, 0, 17", "24, 128, 17, 8, 24", "40, 256, 33, 3, 37", "16, 4096, 31, 0, 16", "14, 64, 12, 5, 14", "70, 128, 20, 16, 70", "100, 96, 3, 17, 31"})
    void panel_gemm_should_match_the_scalar_reference(int rows, int cols, int tokens, int from, int to) {
        Random r = new Random(rows * 131L + cols * 7L + tokens);
        Q4Matrix w = Q4Matrix.quantize(random(r, rows * cols), rows, cols);
        float[][] x = new float[tokens][];
        for (int t = 0; t < tokens; t++) x[t] = random(r, cols);
        float[][] out = new float[tokens][rows];
        for (float[] o : out) java.util.Arrays.fill(o, Float.NaN);

        PanelGemm.matmul(w, PanelGemm.pack(x, tokens, cols), tokens, out, from, to);

        for (int t = 0; t < tokens; t++) {
            for (int row = 0; row < rows; row++) {
                if (row < from || row >= to) {
                    assertThat(out[t][row]).as("row %d outside the range is untouched", row).isNaN();
                    continue;
                }
                float ref = reference(w, row, x[t]);
                assertThat(out[t][row]).as("row %d token %d (%d lanes)", row, t, VectorWidth.LANES)
                    .isCloseTo(ref, org.assertj.core.data.Offset.offset(1e-4f * (1 + Math.abs(ref)) * (float) Math.sqrt(cols)));
            }
        }
    }

    @org.junit.jupiter.api.Test
    void should_run_at_the_width_the_build_asks_for() {
        String bits = System.getProperty(VectorWidth.BITS_PROPERTY);
        int preferred = jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        int expected = bits == null ? preferred : Math.min(preferred, Integer.parseInt(bits));
        assertThat(VectorWidth.WIDTH).isEqualTo(expected);
        assertThat(VectorWidth.LANES).isEqualTo(expected / 32);
        assertThat(VectorWidth.PATH).isEqualTo(switch (expected) {
            case 512 -> VectorWidth.Path.AVX512;
            case 256 -> VectorWidth.Path.AVX2;
            case 128 -> VectorWidth.Path.VECTOR128;
            default -> VectorWidth.Path.SCALAR;
        });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> VectorWidth.species("96"))
            .hasMessage("synthia.kernels.bits must be 64, 128, 256 or 512, not 96");
    }

    @ParameterizedTest(name = "panel order keeps Jlama's values, {0} rows")
    @CsvSource({"7", "16", "20"})
    void should_keep_jlamas_values_in_the_panel_order(int rows) {
        int cols = 64;
        Random r = new Random(rows);
        byte[] nib = new byte[rows * cols / 2];
        r.nextBytes(nib);
        float[] sc = random(r, rows * cols / 32);
        Q4Matrix w = Q4Matrix.ofRowMajor(rows, cols, nib, sc);
        for (int row = 0; row < rows; row++) {
            for (int c = 0; c < cols; c++) {
                int block = row * 2 + c / 32, j = c % 32;
                int q = j < 16 ? nib[block * 16 + j] & 0x0F : (nib[block * 16 + j - 16] >> 4) & 0x0F;
                assertThat(w.get(row, c)).isEqualTo((q - 8) * Float.float16ToFloat(Float.floatToFloat16(sc[block])));
            }
        }
        // byte j of row r's block b sits at (panel·blocks + b)·256 + 16·j + r % 16
        assertThat(w.data()[(((rows - 1) / 16) * 2 + 1) * Q4Matrix.PANEL_BLOCK + 16 * 3 + (rows - 1) % 16]).isEqualTo(nib[((rows - 1) * 2 + 1) * 16 + 3]);
        assertThat(w.panels()).isEqualTo((rows + 15) / 16);
        assertThat(w.bytes()).isEqualTo(rows * cols / 2 + 2L * rows * 2);
    }

    @ParameterizedTest(name = "Q8 matvec {0} x {1}, rows [{2}, {3})")
    @CsvSource({"16, 32, 0, 16", "48, 64, 0, 48", "40, 256, 3, 37", "100, 96, 17, 31", "64, 4096, 0, 64", "130, 512, 5, 130"})
    void q8_matvec_should_stay_within_the_rounding_bound_of_its_activations(int rows, int cols, int from, int to) {
        Random r = new Random(rows * 17L + cols);
        Q4Matrix w = Q4Matrix.quantize(random(r, rows * cols), rows, cols);
        float[] x = random(r, cols);
        x[5] = 40f; // an outlier, as real activations have: its block gets a coarse scale
        Q8Activations q = Q8Activations.quantize(x);
        float[] out = new float[rows];
        java.util.Arrays.fill(out, Float.NaN);

        Q8Matvec.matvec(w, q, out, from, to);

        float[] scalar = new float[Q4Matrix.PANEL];
        for (int row = 0; row < rows; row++) {
            if (row < from || row >= to) {
                assertThat(out[row]).as("row %d outside the range is untouched", row).isNaN();
                continue;
            }
            // exact integer sums: the vector kernels agree with the scalar reference to float rounding
            Q8Matvec.panelScalar(w.data(), row / Q4Matrix.PANEL, w.blocksPerRow(), q.q(), q.d(), q.sums(), scalar, 0);
            float ref8 = scalar[row % Q4Matrix.PANEL];
            assertThat(out[row]).as("row %d vs the scalar Q8 reference (%s)", row, VectorWidth.PATH)
                .isCloseTo(ref8, org.assertj.core.data.Offset.offset(1e-5f * (1 + Math.abs(ref8)) * (float) Math.sqrt(cols)));
            // and the Q8 result is the float product up to half a quantization step per activation
            double exact = 0, bound = 0;
            for (int c = 0; c < cols; c++) {
                exact += (double) w.get(row, c) * x[c];
                bound += Math.abs(w.get(row, c)) * q.d()[c / 32] / 2;
            }
            assertThat((double) out[row]).as("row %d vs the float product", row).isCloseTo(exact, org.assertj.core.data.Offset.offset(bound * 1.01 + 1e-4));
        }
    }

    @org.junit.jupiter.api.Test
    void should_quantize_activations_per_block_of_32() {
        float[] x = new float[64];
        for (int i = 0; i < 32; i++) x[i] = i - 10.5f;
        x[40] = -3f; // the second block: one value, the rest zero
        Q8Activations q = Q8Activations.quantize(x);
        assertThat(q.d()[0]).isEqualTo(20.5f / 127f);
        assertThat(q.q()[31]).isEqualTo((short) 127);
        assertThat(q.q()[0]).isEqualTo((short) Math.round(-10.5f * (127f / 20.5f)));
        assertThat(q.q()[40]).isEqualTo((short) -127);
        assertThat(q.q()[41]).isZero();
        int sum = 0;
        for (int i = 0; i < 32; i++) sum += q.q()[i];
        assertThat(q.sums()[0]).isEqualTo(sum);
        assertThat(Q8Activations.quantize(new float[32]).d()[0]).isZero();
    }

    @org.junit.jupiter.api.Test
    void should_round_activations_exactly_as_math_round() {
        Random r = new Random(11);
        float[] x = new float[32 * 40];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian() * (1 + i % 7);
        // blocks whose largest magnitude is 127 scale by exactly 1: halves are ties, and the floats beside them are not
        float[] ties = {0.5f, -0.5f, 1.5f, -1.5f, 2.5f, -2.5f, 126.5f, -126.5f, 0.49999997f, -0.49999997f, 0.50000006f,
            -0.50000006f, 1.4999999f, -1.5000001f, 0f, -0f, 3f, -3f, 0.25f, -0.75f};
        for (int b = 0; b < 4; b++) {
            x[b * 32] = b % 2 == 0 ? 127f : -127f;
            for (int j = 1; j < 32; j++) x[b * 32 + j] = ties[(j + b * 5) % ties.length];
        }
        Q8Activations q = Q8Activations.quantize(x);
        for (int b = 0; b < x.length / 32; b++) {
            float max = 0;
            for (int j = 0; j < 32; j++) max = Math.max(max, Math.abs(x[b * 32 + j]));
            float inv = max > 0 ? 127f / max : 0f;
            int sum = 0;
            for (int j = 0; j < 32; j++) {
                int expected = Math.round(x[b * 32 + j] * inv);
                sum += expected;
                assertThat(q.q()[b * 32 + j]).as("block %d, value %s (%s)", b, x[b * 32 + j], VectorWidth.PATH).isEqualTo((short) expected);
            }
            assertThat(q.sums()[b]).isEqualTo(sum);
            assertThat(q.d()[b]).isEqualTo(max / 127f);
        }
    }

    @ParameterizedTest(name = "{0} tokens")
    @ValueSource(ints = {4, 19, 24, 40, 64, 70})
    void should_prepare_a_batch_on_several_threads_exactly_as_on_one(int tokens) {
        int rows = 64, cols = 4096; // enough activations for the threads to share the preparation
        Random r = new Random(tokens);
        Q4Matrix w = Q4Matrix.quantize(random(r, rows * cols), rows, cols);
        float[][] x = new float[tokens][];
        for (int t = 0; t < tokens; t++) x[t] = random(r, cols);
        float[][] serial = new float[tokens][rows], parallel = new float[tokens][rows];
        Q4Kernels.matmul(w, Q4Kernels.batch(x, tokens, cols, Q4Kernels.Activations.Q8), serial, 0, rows);
        try (RowParallel pool = new RowParallel(3)) {
            Q4Kernels.matmul(w, Q4Kernels.batch(x, tokens, cols, Q4Kernels.Activations.Q8, pool), parallel, 0, rows);
        }
        for (int t = 0; t < tokens; t++) assertThat(parallel[t]).as("token %d of %d", t, tokens).containsExactly(serial[t]);
    }

    @org.junit.jupiter.api.Test
    void should_widen_half_float_scales_of_every_kind_in_the_kernels() {
        float[] kinds = {0f, -0f, 1e-7f, -3e-6f, 6.1e-5f, -3.5e-3f, 0.0123f, -1.5f, 100f, 65504f};
        int rows = 40, cols = 64;
        Random r = new Random(3);
        byte[] nib = new byte[rows * cols / 2];
        r.nextBytes(nib);
        float[] sc = new float[rows * cols / 32];
        for (int i = 0; i < sc.length; i++) sc[i] = kinds[i % kinds.length];
        Q4Matrix w = Q4Matrix.ofRowMajor(rows, cols, nib, sc);
        float[][] x = new float[20][];
        for (int t = 0; t < x.length; t++) x[t] = random(r, cols);
        float[][] out = new float[x.length][rows];
        matmul(w, x, x.length, out, 0, rows, Q4Kernels.Activations.F32);
        float[] single8 = new float[rows];
        Q8Activations q8 = Q8Activations.quantize(x[0]);
        Q8Matvec.matvec(w, q8, single8, 0, rows);
        for (int row = 0; row < rows; row++) {
            float[] scalar = new float[Q4Matrix.PANEL];
            Q8Matvec.panelScalar(w.data(), row / Q4Matrix.PANEL, w.blocksPerRow(), q8.q(), q8.d(), q8.sums(), scalar, 0);
            assertThat(single8[row]).as("Q8 matvec row %d", row)
                .isCloseTo(scalar[row % Q4Matrix.PANEL], org.assertj.core.data.Offset.offset(1e-4f * (1 + Math.abs(scalar[row % Q4Matrix.PANEL])) * 8));
            for (int b = 0; b < 2; b++) assertThat(w.scale(row, b)).isEqualTo(Float.float16ToFloat(Float.floatToFloat16(sc[row * 2 + b])));
            for (int t = 0; t < x.length; t++) {
                float ref = reference(w, row, x[t]);
                float tol = 1e-4f * (1 + Math.abs(ref)) * 8;
                assertThat(out[t][row]).as("matmul row %d token %d", row, t).isCloseTo(ref, org.assertj.core.data.Offset.offset(tol));
            }
        }
    }

    @ParameterizedTest(name = "two tokens, {0} x {1}, rows [{2}, {3})")
    @CsvSource({"64, 128, 0, 64", "100, 256, 5, 97", "160, 64, 0, 160", "48, 512, 17, 47", "33, 96, 0, 33", "300, 64, 3, 290"})
    void should_give_two_tokens_with_8_bit_activations_exactly_their_single_token_products(int rows, int cols, int from, int to) {
        Random r = new Random(rows * 7L + from);
        Q4Matrix w = Q4Matrix.quantize(random(r, rows * cols), rows, cols);
        Q8Activations x = Q8Activations.quantize(random(r, cols)), y = Q8Activations.quantize(random(r, cols));
        float[] outX = new float[rows], outY = new float[rows], singleX = new float[rows], singleY = new float[rows];

        Q8Matvec.matvec2(w, x, y, outX, outY, from, to);
        Q8Matvec.matvec(w, x, singleX, from, to);
        Q8Matvec.matvec(w, y, singleY, from, to);

        assertThat(outX).as("first token (pairs of panels read once for both on AVX-512; %s here)", VectorWidth.PATH).containsExactly(singleX);
        assertThat(outY).as("second token").containsExactly(singleY);
    }

    @ParameterizedTest(name = "{0} tokens, {2} activations, rows [{1}, 100)")
    @CsvSource({"1, 0, Q8", "2, 3, Q8", "3, 0, Q8", "5, 17, Q8", "7, 3, Q8", "8, 0, Q8", "11, 5, Q8", "12, 0, Q8", "16, 3, Q8",
                "17, 16, Q8", "20, 0, Q8", "33, 7, Q8", "45, 3, Q8", "64, 0, Q8", "70, 5, Q8", "100, 16, Q8", "1, 0, F32", "3, 5, F32", "9, 0, F32", "17, 3, F32"})
    void should_give_each_token_of_any_batch_exactly_its_own_product(int tokens, int from, Q4Kernels.Activations activations) {
        int rows = 100, cols = 256;
        Random r = new Random(tokens * 13L + from);
        Q4Matrix w = Q4Matrix.quantize(random(r, rows * cols), rows, cols);
        float[][] x = new float[tokens][];
        for (int t = 0; t < tokens; t++) x[t] = random(r, cols);
        float[][] out = new float[tokens][rows];
        matmul(w, x, tokens, out, from, rows, activations);

        for (int t = 0; t < tokens; t++) {
            float[][] alone = new float[1][rows];
            matmul(w, new float[][] {x[t]}, 1, alone, from, rows, activations);
            // batched answers and prompts split anywhere rely on this: same token, same bits, whatever ran beside it
            assertThat(out[t]).as("token %d of %d (%s, %d lanes)", t, tokens, VectorWidth.PATH, VectorWidth.LANES).containsExactly(alone[0]);
            float[] d = Q8Activations.quantize(x[t]).d();
            for (int row = from; row < rows; row++) {
                double exact = 0, bound = 0; // float activations: rounding only; 8-bit: half a step per activation
                for (int c = 0; c < cols; c++) {
                    exact += (double) w.get(row, c) * x[t][c];
                    bound += activations == Q4Kernels.Activations.F32 ? 1e-5 * Math.abs(w.get(row, c) * x[t][c]) : Math.abs(w.get(row, c)) * d[c / 32] / 2;
                }
                assertThat((double) out[t][row]).as("token %d row %d against the float product", t, row)
                    .isCloseTo(exact, org.assertj.core.data.Offset.offset(bound * 1.01 + 1e-4));
            }
        }
    }

    @org.junit.jupiter.api.Test
    void should_compute_the_8_bit_gemm_exactly_as_the_matrix_vector_kernel() {
        int rows = 48, cols = 4096, tokens = 2 * VectorWidth.LANES + 1;
        Random r = new Random(5);
        Q4Matrix w = Q4Matrix.quantize(random(r, rows * cols), rows, cols);
        Q8Activations[] x = new Q8Activations[tokens];
        for (int t = 0; t < tokens; t++) {
            float[] v = random(r, cols);
            v[t * 7] = 60f; // an outlier per token: its block gets a coarse scale
            x[t] = Q8Activations.quantize(v);
        }
        float[][] packed = Q8Gemm.pack(x, tokens, cols);
        float[][] out = new float[tokens][rows];
        Q8Gemm.matmul(w, packed[0], packed[1], tokens, out, 0, rows);
        for (int t = 0; t < tokens; t++) {
            float[] single = new float[rows];
            Q8Matvec.matvec(w, x[t], single, 0, rows);
            assertThat(out[t]).as("token %d", t).containsExactly(single);
        }
    }

    /**
     * The 16-bit integer GEMM, called directly so it is checked on every machine (it is written for 512-bit vectors and
     * chosen only on AVX-512; elsewhere the Vector API runs it unaccelerated, slowly but exactly): one tile, pairs of
     * tiles and a pair plus one, partial tiles, a row range that cuts panels, an outlier per token.
     */
    @ParameterizedTest(name = "16-bit GEMM, {0} tokens, rows [{1}, {2})")
    @CsvSource({"1, 0, 48", "17, 0, 48", "32, 5, 40", "33, 0, 48", "64, 16, 48", "77, 3, 45", "96, 0, 17"})
    void should_compute_the_16_bit_gemm_exactly_as_the_matrix_vector_kernel(int tokens, int from, int to) {
        int rows = 48, cols = 256;
        Random r = new Random(tokens * 31L + from);
        Q4Matrix w = Q4Matrix.quantize(random(r, rows * cols), rows, cols);
        Q8Activations[] x = new Q8Activations[tokens];
        for (int t = 0; t < tokens; t++) {
            float[] v = random(r, cols);
            v[(t * 7) % cols] = 60f; // an outlier per token: its block gets a coarse scale
            x[t] = Q8Activations.quantize(v);
        }
        Q8Int16Gemm.Packed packed = Q8Int16Gemm.pack(x, tokens, cols);
        float[][] out = new float[tokens][rows];
        Q8Int16Gemm.matmul(w, packed.xs(), packed.ds(), tokens, out, from, to);
        for (int t = 0; t < tokens; t++) {
            float[] single = new float[rows];
            Q8Matvec.matvec(w, x[t], single, from, to);
            assertThat(out[t]).as("token %d", t).containsExactly(single);
        }
    }

    /**
     * The few-token kernel (several answers decoding together: one pass over the weights for all of them), called
     * directly at every batch size it serves so it is checked on every machine (written for 512-bit vectors and chosen
     * only on AVX-512; elsewhere the Vector API runs it unaccelerated, slowly but exactly): each token exactly its
     * single-token result, rows ranges that cut panels, an outlier per token.
     */
    @ParameterizedTest(name = "few-token kernel, {0} tokens, rows [{1}, {2})")
    @CsvSource({"1, 0, 48", "2, 5, 40", "3, 0, 48", "4, 16, 48", "5, 3, 45", "6, 0, 17", "7, 0, 48", "8, 1, 47", "9, 0, 48",
                "10, 16, 32", "11, 0, 48", "12, 7, 48", "13, 0, 48", "14, 0, 33", "15, 2, 48", "16, 0, 48", "17, 5, 43", "24, 0, 48", "32, 0, 48"})
    void should_compute_the_few_token_kernel_exactly_as_the_matrix_vector_kernel(int tokens, int from, int to) {
        int rows = 48, cols = 256;
        Random r = new Random(tokens * 37L + from);
        Q4Matrix w = Q4Matrix.quantize(random(r, rows * cols), rows, cols);
        Q8Activations[] x = new Q8Activations[tokens + 2];
        for (int t = 0; t < x.length; t++) {
            float[] v = random(r, cols);
            v[(t * 11) % cols] = -60f; // an outlier per token: its block gets a coarse scale
            x[t] = Q8Activations.quantize(v);
        }
        float[][] out = new float[tokens + 2][rows];
        for (float[] o : out) java.util.Arrays.fill(o, Float.NaN);
        Q8TokensMatvec.matmul(w, Q8TokensMatvec.pack(x, 1, tokens, cols), out, 1, from, to); // tokens [1, tokens + 1)
        for (int t = 1; t <= tokens; t++) {
            float[] single = new float[rows];
            java.util.Arrays.fill(single, Float.NaN);
            Q8Matvec.matvec(w, x[t], single, from, to);
            assertThat(out[t]).as("token %d of %d (%s)", t, tokens, VectorWidth.PATH).containsExactly(single);
        }
        assertThat(out[0]).as("tokens outside the packed range are untouched").containsOnly(Float.NaN);
        assertThat(out[tokens + 1]).containsOnly(Float.NaN);
    }

    /** The few-token kernel's 16-bit sums at their largest: every nibble 15 (or 0) against activations of ±127. */
    @ParameterizedTest(name = "few-token kernel at the 16-bit bound, weight byte {0}")
    @CsvSource({"-1", "0", "15", "-16", "90"})
    void should_keep_the_few_token_kernels_sums_exact_at_their_largest(int weightByte) {
        int rows = 32, cols = 128, tokens = 5;
        byte[] nib = new byte[rows * cols / 2];
        java.util.Arrays.fill(nib, (byte) weightByte);
        float[] sc = new float[rows * cols / 32];
        java.util.Arrays.fill(sc, 0.5f);
        Q4Matrix w = Q4Matrix.ofRowMajor(rows, cols, nib, sc);
        Q8Activations[] x = new Q8Activations[tokens];
        for (int t = 0; t < tokens; t++) {
            float[] v = new float[cols];
            for (int c = 0; c < cols; c++) v[c] = t == 0 ? 1f : t == 1 ? -1f : (c + t) % 3 == 0 ? -1f : 1f;
            x[t] = Q8Activations.quantize(v);
        }
        float[][] out = new float[tokens][rows];
        Q8TokensMatvec.matmul(w, Q8TokensMatvec.pack(x, 0, tokens, cols), out, 0, 0, rows);
        for (int t = 0; t < tokens; t++) {
            float[] single = new float[rows];
            Q8Matvec.matvec(w, x[t], single, 0, rows);
            assertThat(out[t]).as("token %d", t).containsExactly(single);
            float[] scalar = new float[Q4Matrix.PANEL];
            Q8Matvec.panelScalar(w.data(), 0, w.blocksPerRow(), x[t].q(), x[t].d(), x[t].sums(), scalar, 0);
            assertThat(single[0]).as("token %d against the scalar reference", t).isEqualTo(scalar[0]);
        }
    }

    @ParameterizedTest(name = "exp minus max, length {0}")
    @CsvSource({"1", "15", "16", "17", "100", "1000"})
    void should_exponentiate_like_math_exp(int n) {
        Random r = new Random(n);
        float[] x = new float[n + 3];
        for (int i = 0; i < x.length; i++) x[i] = (float) r.nextGaussian() * 8;
        float[] y = x.clone();
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) max = Math.max(max, x[i]);
        double sum = 0;
        for (int i = 0; i < n; i++) sum += Math.exp(x[i] - max);

        float got = VectorMath.expMinusMax(y, n);

        assertThat((double) got).isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-5 * sum));
        for (int i = 0; i < n; i++) {
            assertThat((double) y[i]).as("element %d", i).isCloseTo(Math.exp(x[i] - max), org.assertj.core.data.Offset.offset(1e-6));
        }
        for (int i = n; i < x.length; i++) assertThat(y[i]).as("past n untouched").isEqualTo(x[i]);
    }

    @ParameterizedTest(name = "rmsNorm and SwiGLU, length {0}")
    @CsvSource({"1", "15", "16", "17", "100"})
    void should_normalize_and_gate_like_the_scalar_definitions(int n) {
        Random r = new Random(n * 7L);
        float[] x = random(r, n), w = random(r, n), g = random(r, n), u = random(r, n);
        for (int i = 0; i < n; i++) g[i] *= 6; // large gates too: exp overflow must give silu(-large) = 0
        float[] out = new float[n], g2 = g.clone();
        VectorMath.rmsNorm(x, w, 1e-5f, out);
        VectorMath.swiglu(g2, u);
        double ss = 0;
        for (float f : x) ss += f * f;
        double inv = 1 / Math.sqrt(ss / n + 1e-5);
        for (int i = 0; i < n; i++) {
            assertThat((double) out[i]).isCloseTo(x[i] * inv * w[i], org.assertj.core.data.Offset.offset(1e-5 * (1 + Math.abs(x[i] * inv * w[i]))));
            double silu = g[i] / (1 + Math.exp(-g[i]));
            assertThat((double) g2[i]).isCloseTo(silu * u[i], org.assertj.core.data.Offset.offset(1e-5 * (1 + Math.abs(silu * u[i]))));
        }
        float[] big = {-200f, -100f, 0f, 100f, 200f, -200f, -100f, 0f, 100f, 200f, -200f, -100f, 0f, 100f, 200f, -90f, 90f};
        float[] ones = new float[big.length];
        java.util.Arrays.fill(ones, 1f);
        VectorMath.swiglu(big, ones);
        assertThat(big[0]).isEqualTo(-0f);
        assertThat(big[4]).isEqualTo(200f);
        for (float f : big) assertThat(f).isNotNaN();
    }

    @ParameterizedTest(name = "dot/axpy length {0}")
    @CsvSource({"1", "15", "16", "17", "128"})
    void should_compute_attention_helpers_with_tails(int n) {
        Random r = new Random(n);
        float[] a = random(r, n + 3), b = random(r, n + 5), y = random(r, n + 2), y0 = y.clone();
        double ref = 0;
        for (int i = 0; i < n; i++) ref += a[3 + i] * b[5 + i];

        assertThat(VectorMath.dotF32(a, 3, b, 5, n)).isCloseTo((float) ref, org.assertj.core.data.Offset.offset(1e-4f));
        VectorMath.axpy(0.5f, a, 3, y, 2, n);
        for (int i = 0; i < n; i++) assertThat(y[2 + i]).isCloseTo(y0[2 + i] + 0.5f * a[3 + i], org.assertj.core.data.Offset.offset(1e-5f));
        assertThat(y[0]).isEqualTo(y0[0]);
    }
}
