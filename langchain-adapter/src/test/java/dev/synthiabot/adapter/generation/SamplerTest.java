package dev.synthiabot.adapter.generation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] PROBS = {0.05f, 0.5f, 0.3f, 0.1f, 0.05f};

    private static SamplingParams params(double t, int k, double p, long seed) {
        return new SamplingParams(t, k, p, OptionalLong.of(seed), 10, List.of());
    }

    @Test
    void should_be_greedy_at_temperature_zero() {
        assertThat(new Sampler(params(0, 50, 1.0, 1), 5).next(PROBS)).isEqualTo(1);
    }

    @Test
    void should_only_draw_from_the_top_k() {
        Sampler s = new Sampler(params(1.0, 2, 1.0, 7), 5);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) seen.add(s.next(PROBS));

        assertThat(seen).containsExactlyInAnyOrder(1, 2);
    }

    @Test
    void should_only_draw_from_the_nucleus() {
        Sampler s = new Sampler(params(1.0, 0, 0.85, 7), 5);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) seen.add(s.next(PROBS));

        assertThat(seen).containsExactlyInAnyOrder(1, 2, 3); // 0.5 + 0.3 < 0.85 <= 0.5 + 0.3 + 0.1
    }

    @Test
    void should_follow_the_distribution_at_temperature_one() {
        Sampler s = new Sampler(params(1.0, 0, 1.0, 42), 5);
        int[] counts = new int[5];
        for (int i = 0; i < 20000; i++) counts[s.next(PROBS)]++;

        assertThat(counts[1] / 20000.0).isBetween(0.48, 0.52);
        assertThat(counts[2] / 20000.0).isBetween(0.28, 0.32);
    }

    @Test
    void should_sharpen_at_low_temperature() {
        Sampler s = new Sampler(params(0.25, 50, 1.0, 42), 5);
        int top = 0;
        for (int i = 0; i < 2000; i++) if (s.next(PROBS) == 1) top++;

        assertThat(top / 2000.0).isGreaterThan(0.85); // (0.5^4) / (0.5^4 + 0.3^4 + ...) ≈ 0.88
    }

    @Test
    void should_draw_from_the_top_k_at_their_tempered_weights() {
        Sampler s = new Sampler(params(0.5, 2, 1.0, 3), 5);
        int[] counts = new int[5];
        for (int i = 0; i < 20000; i++) counts[s.next(PROBS)]++;

        // 0.5^2 / (0.5^2 + 0.3^2) = 0.735; the other tokens are outside the top 2
        assertThat(counts[1] / 20000.0).isBetween(0.715, 0.755);
        assertThat(counts[1] + counts[2]).isEqualTo(20000);
    }

    @Test
    void should_cut_the_nucleus_on_the_tempered_weights() {
        Sampler s = new Sampler(params(0.5, 50, 0.7, 3), 5);
        Set<Integer> seen = new HashSet<>();
        for (int i = 0; i < 500; i++) seen.add(s.next(PROBS));

        // tempered: 0.25, 0.09, 0.01, 0.0025, 0.0025 of 0.355: token 1 alone is 0.704 >= 0.7
        assertThat(seen).containsExactly(1);
    }

    @Test
    void should_repeat_with_the_same_seed() {
        Sampler a = new Sampler(params(0.75, 50, 1.0, 9), 5);
        Sampler b = new Sampler(params(0.75, 50, 1.0, 9), 5);
        for (int i = 0; i < 100; i++) assertThat(a.next(PROBS)).isEqualTo(b.next(PROBS));
    }

    @Test
    void should_reject_invalid_parameters_naming_them() {
        assertThatThrownBy(() -> params(0.7, 50, 1.7, 1)).hasMessageContaining("topP: 1.7");
        assertThatThrownBy(() -> params(-1, 50, 1.0, 1)).hasMessageContaining("temperature: -1.0");
    }
}
