package dev.synthiabot.bot.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class WaitEstimateTest {
    private static final Instant NOW = Instant.parse("2026-01-01T00:10:00Z");

    @Test
    void should_know_nothing_before_an_answer_was_timed() {
        assertThat(new WaitEstimate().of(1, 1, List.of(NOW), NOW)).isEmpty();
    }

    @Test
    void should_wait_for_the_first_place_to_free_then_a_round_per_places_ahead() {
        WaitEstimate estimate = new WaitEstimate();
        estimate.answered(Duration.ofSeconds(60));
        List<Instant> twoRunning = List.of(NOW.minusSeconds(20), NOW.minusSeconds(45)); // the older frees first: in 15 s

        assertThat(estimate.of(1, 2, twoRunning, NOW)).contains(Duration.ofSeconds(15));
        assertThat(estimate.of(2, 2, twoRunning, NOW)).contains(Duration.ofSeconds(15));
        assertThat(estimate.of(3, 2, twoRunning, NOW)).contains(Duration.ofSeconds(75));
    }

    @Test
    void should_not_wait_for_a_place_while_one_is_free() {
        WaitEstimate estimate = new WaitEstimate();
        estimate.answered(Duration.ofSeconds(60));
        assertThat(estimate.of(1, 2, List.of(NOW), NOW)).contains(Duration.ZERO);
    }

    @Test
    void should_expect_an_overdue_answer_to_take_a_tenth_of_an_average_more() {
        WaitEstimate estimate = new WaitEstimate();
        estimate.answered(Duration.ofSeconds(60));
        assertThat(estimate.of(1, 1, List.of(NOW.minusSeconds(300)), NOW)).contains(Duration.ofSeconds(6));
    }

    @Test
    void should_follow_recent_answers_more_than_old_ones() {
        WaitEstimate estimate = new WaitEstimate();
        estimate.answered(Duration.ofSeconds(60));
        estimate.answered(Duration.ofSeconds(160)); // 0.7 * 60 + 0.3 * 160 = 90
        // the running answer just started: 90 s until it frees the place, then one more answer ahead
        assertThat(estimate.of(2, 1, List.of(NOW), NOW)).contains(Duration.ofSeconds(180));
    }
}
