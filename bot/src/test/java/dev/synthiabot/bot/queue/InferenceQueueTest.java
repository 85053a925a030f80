package dev.synthiabot.bot.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class InferenceQueueTest {
    private final CountDownLatch gate = new CountDownLatch(1);
    private final List<String> ran = new CopyOnWriteArrayList<>();
    private InferenceQueue queue;

    /** A job that records its name and, if it is the first, waits at the gate (holding the worker). */
    private Job job(String name, List<Integer> positions) {
        return new Job() {
            @Override
            public void onPosition(int position, java.util.Optional<Duration> estimatedWait) {
                positions.add(position);
            }

            @Override
            public void run(Ticket ticket) throws Exception {
                ran.add(name);
                if (name.equals("blocker")) gate.await(10, TimeUnit.SECONDS);
            }
        };
    }

    private Job job(String name) {
        return job(name, new CopyOnWriteArrayList<>());
    }

    @AfterEach
    void close() {
        gate.countDown();
        queue.shutdown(Duration.ofSeconds(2));
    }

    private static void awaitRunning(Ticket t) {
        await().atMost(Duration.ofSeconds(10)).until(t::isRunning);
    }

    @Test
    void should_take_turns_between_users() throws Exception {
        queue = new InferenceQueue(10, 5, Duration.ZERO, Duration.ofMinutes(1), Clock.systemUTC());
        queue.runUpTo(1);
        Ticket blocker = queue.submit("x", job("blocker"));
        awaitRunning(blocker);
        queue.submit("a", job("a1"));
        Ticket last = queue.submit("a", job("a2"));
        queue.submit("b", job("b1"));

        gate.countDown();
        last.completion().get(10, TimeUnit.SECONDS);
        assertThat(queue.find(last.id())).as("a finished ticket is forgotten").isEmpty();

        assertThat(ran).containsExactly("blocker", "a1", "b1", "a2");
    }

    @Test
    void should_hold_requests_until_the_model_is_ready_then_run_them_in_turn() throws Exception {
        queue = new InferenceQueue(10, 5, Duration.ZERO, Duration.ofMinutes(1), Clock.systemUTC());
        List<Integer> firstPositions = new CopyOnWriteArrayList<>();
        List<Integer> secondPositions = new CopyOnWriteArrayList<>();
        queue.submit("a", job("a1", firstPositions));
        Ticket second = queue.submit("b", job("b1", secondPositions));

        await().atMost(Duration.ofSeconds(10)).until(() -> secondPositions.contains(2));
        assertThat(firstPositions).as("while loading, even the first waits: it is next in line").containsExactly(1);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(ran::isEmpty);
        assertThat(queue.runningCount()).isZero();

        queue.runUpTo(1);
        second.completion().get(10, TimeUnit.SECONDS);
        assertThat(ran).containsExactly("a1", "b1");
        assertThat(secondPositions).as("once the first runs, the second is next").containsExactly(2, 1);
    }

    @Test
    void should_estimate_the_wait_from_how_long_answers_took() throws Exception {
        MutableClock clock = new MutableClock();
        queue = new InferenceQueue(10, 5, Duration.ZERO, Duration.ofMinutes(10), clock);
        queue.runUpTo(1);
        Ticket timed = queue.submit("x", new Job() {
            @Override
            public void run(Ticket ticket) {
                clock.advance(Duration.ofSeconds(60)); // the answer "took" a minute
            }
        });
        timed.completion().get(10, TimeUnit.SECONDS);
        Ticket blocker = queue.submit("x", job("blocker"));
        awaitRunning(blocker);
        List<java.util.Optional<Duration>> waitsA = new CopyOnWriteArrayList<>(), waitsB = new CopyOnWriteArrayList<>();
        queue.submit("a", estimating(waitsA));
        queue.submit("b", estimating(waitsB));

        await().atMost(Duration.ofSeconds(10)).until(() -> !waitsA.isEmpty() && !waitsB.isEmpty());
        // the running answer is expected to need a minute more, and one minute per answer ahead
        assertThat(waitsA).containsExactly(java.util.Optional.of(Duration.ofSeconds(60)));
        assertThat(waitsB).containsExactly(java.util.Optional.of(Duration.ofSeconds(120)));
    }

    @Test
    void should_run_as_many_answers_at_once_as_the_model_takes_and_estimate_waits_per_round() throws Exception {
        MutableClock clock = new MutableClock();
        queue = new InferenceQueue(10, 5, Duration.ZERO, Duration.ofMinutes(10), clock);
        queue.runUpTo(1);
        queue.submit("x", new Job() {
            @Override
            public void run(Ticket ticket) {
                clock.advance(Duration.ofSeconds(60)); // answers "take" a minute
            }
        }).completion().get(10, TimeUnit.SECONDS);
        queue.runUpTo(2);
        CountDownLatch bothRunning = new CountDownLatch(2);
        CountDownLatch release = new CountDownLatch(1);
        Job holding = new Job() {
            @Override
            public void run(Ticket ticket) throws Exception {
                bothRunning.countDown();
                release.await(10, TimeUnit.SECONDS);
            }
        };
        Ticket a = queue.submit("a", holding), b = queue.submit("b", holding);
        assertThat(bothRunning.await(10, TimeUnit.SECONDS)).as("two answers at once").isTrue();
        assertThat(queue.runningCount()).isEqualTo(2);
        assertThat(queue.concurrency()).isEqualTo(2);

        List<java.util.Optional<Duration>> waitsC = new CopyOnWriteArrayList<>(), waitsD = new CopyOnWriteArrayList<>(),
            waitsE = new CopyOnWriteArrayList<>();
        queue.submit("c", estimating(waitsC));
        queue.submit("d", estimating(waitsD));
        queue.submit("e", estimating(waitsE));
        await().atMost(Duration.ofSeconds(10)).until(() -> !waitsC.isEmpty() && !waitsD.isEmpty() && !waitsE.isEmpty());
        // both places are taken for a minute more; c and d start when they free up, e a round (a minute) later
        assertThat(waitsC).containsExactly(java.util.Optional.of(Duration.ofSeconds(60)));
        assertThat(waitsD).containsExactly(java.util.Optional.of(Duration.ofSeconds(60)));
        assertThat(waitsE).containsExactly(java.util.Optional.of(Duration.ofSeconds(120)));
        release.countDown();
        a.completion().get(10, TimeUnit.SECONDS);
        b.completion().get(10, TimeUnit.SECONDS);
    }

    @Test
    void should_give_no_estimate_before_an_answer_has_finished() throws Exception {
        queue = new InferenceQueue(10, 5, Duration.ZERO, Duration.ofMinutes(1), Clock.systemUTC());
        queue.runUpTo(1);
        Ticket blocker = queue.submit("x", job("blocker"));
        awaitRunning(blocker);
        List<java.util.Optional<Duration>> waits = new CopyOnWriteArrayList<>();
        queue.submit("a", estimating(waits));
        await().atMost(Duration.ofSeconds(10)).until(() -> !waits.isEmpty());
        assertThat(waits).containsExactly(java.util.Optional.empty());
    }

    private static Job estimating(List<java.util.Optional<Duration>> waits) {
        return new Job() {
            @Override
            public void onPosition(int position, java.util.Optional<Duration> estimatedWait) {
                waits.add(estimatedWait);
            }

            @Override
            public void run(Ticket ticket) {}
        };
    }

    /** A clock that moves only when told to. */
    private static final class MutableClock extends Clock {
        private volatile java.time.Instant now = java.time.Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public java.time.ZoneId getZone() {
            return java.time.ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public java.time.Instant instant() {
            return now;
        }
    }

    @Test
    void should_refuse_when_full_per_user_or_too_soon() throws Exception {
        queue = new InferenceQueue(1, 1, Duration.ofSeconds(30), Duration.ofMinutes(1), Clock.systemUTC());
        queue.runUpTo(1);
        Ticket blocker = queue.submit("x", job("blocker"));
        awaitRunning(blocker);
        queue.submit("a", job("a1"));

        assertThatThrownBy(() -> queue.submit("b", job("b1"))).isInstanceOf(QueueRejection.class)
            .extracting(e -> ((QueueRejection) e).reason()).isEqualTo(QueueRejection.Reason.BUSY);
        assertThatThrownBy(() -> queue.submit("x", job("x2"))).isInstanceOf(QueueRejection.class)
            .extracting(e -> ((QueueRejection) e).reason()).isEqualTo(QueueRejection.Reason.COOLDOWN);
    }

    @Test
    void should_limit_requests_per_user() throws Exception {
        queue = new InferenceQueue(10, 1, Duration.ZERO, Duration.ofMinutes(1), Clock.systemUTC());
        queue.runUpTo(1);
        Ticket blocker = queue.submit("x", job("blocker"));
        awaitRunning(blocker);

        assertThatThrownBy(() -> queue.submit("x", job("again"))).isInstanceOf(QueueRejection.class)
            .extracting(e -> ((QueueRejection) e).reason()).isEqualTo(QueueRejection.Reason.USER_LIMIT);
    }

    @Test
    void should_report_positions_as_the_queue_moves() throws Exception {
        queue = new InferenceQueue(10, 5, Duration.ZERO, Duration.ofMinutes(1), Clock.systemUTC());
        queue.runUpTo(1);
        Ticket blocker = queue.submit("x", job("blocker"));
        awaitRunning(blocker);
        CountDownLatch releaseA = new CountDownLatch(1), releaseB = new CountDownLatch(1);
        List<Integer> third = new CopyOnWriteArrayList<>();
        Ticket a = queue.submit("a", waitingJob(releaseA));
        Ticket b = queue.submit("b", waitingJob(releaseB));
        Ticket t = queue.submit("c", job("c1", third));

        await().atMost(Duration.ofSeconds(10)).until(() -> third.contains(3));
        gate.countDown(); // blocker done: a runs, c moves up
        awaitRunning(a);
        await().atMost(Duration.ofSeconds(10)).until(() -> third.contains(2));
        releaseA.countDown(); // a done: b runs, c is next
        awaitRunning(b);
        await().atMost(Duration.ofSeconds(10)).until(() -> third.contains(1));
        releaseB.countDown();
        t.completion().get(10, TimeUnit.SECONDS);

        assertThat(third).containsExactly(3, 2, 1);
    }

    /** A job that runs until {@code release} opens (so the test decides when the queue moves). */
    private static Job waitingJob(CountDownLatch release) {
        return ticket -> release.await(10, TimeUnit.SECONDS);
    }

    @Test
    void should_cancel_while_queued_and_while_running() throws Exception {
        queue = new InferenceQueue(10, 5, Duration.ZERO, Duration.ofMinutes(1), Clock.systemUTC());
        queue.runUpTo(1);
        Ticket blocker = queue.submit("x", job("blocker"));
        awaitRunning(blocker);
        Ticket queued = queue.submit("a", job("a1"));

        assertThat(queue.cancel(queued.id(), "someone-else")).isFalse();
        assertThat(queue.cancel(queued.id(), "a")).isTrue();
        assertThat(queued.completion().get(5, TimeUnit.SECONDS)).isEqualTo(Ticket.Outcome.CANCELLED);
        assertThat(queue.cancel(blocker.id(), "x")).isTrue(); // interrupts the gate wait
        assertThat(blocker.completion().get(5, TimeUnit.SECONDS)).isEqualTo(Ticket.Outcome.CANCELLED);
        assertThat(ran).containsExactly("blocker");
    }

    @Test
    void should_stop_a_request_that_runs_past_the_timeout() throws Exception {
        queue = new InferenceQueue(10, 5, Duration.ZERO, Duration.ofMillis(200), Clock.systemUTC());
        queue.runUpTo(1);
        Ticket blocker = queue.submit("x", job("blocker"));

        assertThat(blocker.completion().get(5, TimeUnit.SECONDS)).isEqualTo(Ticket.Outcome.TIMED_OUT);
    }

    @Test
    void should_let_a_user_ask_again_once_the_cooldown_has_passed() throws Exception {
        MutableClock clock = new MutableClock();
        queue = new InferenceQueue(10, 5, Duration.ofSeconds(30), Duration.ofMinutes(1), clock);
        queue.runUpTo(1);
        queue.submit("a", job("a1")).completion().get(10, TimeUnit.SECONDS);
        clock.advance(Duration.ofSeconds(20));
        assertThatThrownBy(() -> queue.submit("a", job("a2"))).isInstanceOf(QueueRejection.class)
            .extracting(e -> ((QueueRejection) e).retryAfterSeconds()).isEqualTo(11L);
        clock.advance(Duration.ofSeconds(10));
        assertThat(queue.submit("a", job("a3")).completion().get(10, TimeUnit.SECONDS)).isEqualTo(Ticket.Outcome.DONE);
        assertThat(ran).containsExactly("a1", "a3");
    }

    @Test
    void should_drop_waiting_requests_and_stop_running_ones_at_shutdown() throws Exception {
        queue = new InferenceQueue(10, 5, Duration.ZERO, Duration.ofMinutes(1), Clock.systemUTC());
        queue.runUpTo(1);
        Ticket blocker = queue.submit("x", job("blocker"));
        awaitRunning(blocker);
        List<Ticket.Outcome> dropped = new CopyOnWriteArrayList<>();
        Ticket waiting = queue.submit("a", new Job() {
            @Override
            public void run(Ticket ticket) {
                ran.add("a1");
            }

            @Override
            public void onDropped(Ticket.Outcome outcome) {
                dropped.add(outcome);
            }
        });

        queue.shutdown(Duration.ofMillis(100)); // the blocker does not finish in time: it is stopped

        assertThat(waiting.completion().get(5, TimeUnit.SECONDS)).isEqualTo(Ticket.Outcome.SHUT_DOWN);
        assertThat(blocker.completion().get(5, TimeUnit.SECONDS)).isEqualTo(Ticket.Outcome.SHUT_DOWN);
        await().atMost(Duration.ofSeconds(5)).until(() -> dropped.contains(Ticket.Outcome.SHUT_DOWN));
        assertThat(ran).containsExactly("blocker");
        assertThatThrownBy(() -> queue.submit("b", job("b1"))).isInstanceOf(QueueRejection.class)
            .extracting(e -> ((QueueRejection) e).reason()).isEqualTo(QueueRejection.Reason.SHUTTING_DOWN);
    }
}
