package dev.synthiabot.bot.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Optional;

/**
 * How long a waiting request will wait, from how long recent answers took: until a running answer is expected to
 * end (and free a place), then an average answer for each further round of {@code places}. A plain value: the caller locks.
 */
final class WaitEstimate {
    /** Moving average of answer durations in milliseconds; 0 until one has finished. */
    private double averageMillis;

    /** An answer ran to its end in {@code took} (stopped answers say nothing of how long answers take). */
    void answered(Duration took) {
        long ms = took.toMillis();
        averageMillis = averageMillis == 0 ? ms : 0.7 * averageMillis + 0.3 * ms;
    }

    /**
     * The wait of the request at {@code position} (1 = next) when every one of {@code places} is taken by the answers
     * that started at {@code runningSince}; empty until an answer has been timed.
     */
    Optional<Duration> of(int position, int places, Collection<Instant> runningSince, Instant now) {
        if (averageMillis == 0) return Optional.empty();
        // An answer running longer than the average is still expected to take a little while: a tenth of an average.
        long untilPlaceFrees = runningSince.size() < places ? 0 : runningSince.stream()
            .mapToLong(since -> Math.max((long) (averageMillis / 10), (long) averageMillis - Duration.between(since, now).toMillis()))
            .min().orElse(0);
        return Optional.of(Duration.ofMillis(untilPlaceFrees + (long) ((position - 1) / places * averageMillis)));
    }
}
