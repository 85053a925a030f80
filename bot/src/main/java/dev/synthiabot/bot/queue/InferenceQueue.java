package dev.synthiabot.bot.queue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one queue in front of the model, which generates up to {@link #concurrency} answers at once (the model batches
 * them: see {@link #runUpTo}).
 *
 * <ul>
 *   <li>Bounded: past {@code capacity} waiting requests, new ones are refused (the user is told "busy").
 *   <li>Fair: users take turns (round robin), so one user's many requests don't starve the others.
 *   <li>At most {@code perUser} requests of one user queued or running; a cooldown between requests.
 *   <li>Each waiting request hears its position when it changes, with an estimate of the wait once an answer has
 *       finished (until a running answer is expected to end, then the average answer time for each round of
 *       {@code concurrency} ahead of it); a Cancel works while queued and running.
 *   <li>A request still running after {@code timeout} is stopped.
 * </ul>
 */
public final class InferenceQueue implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InferenceQueue.class);

    private final int capacity;
    private final int perUser;
    private final Duration cooldown;
    private final Duration timeout;
    private final Clock clock;

    private final Map<String, ArrayDeque<Ticket>> waitingByUser = new LinkedHashMap<>();
    private final List<String> turnOrder = new ArrayList<>();
    private final Map<String, Integer> activeByUser = new HashMap<>();
    private final Map<String, Instant> lastSubmit = new HashMap<>();
    private final Map<String, Ticket> byId = new HashMap<>();
    private int waiting;
    /** Running tickets and since when. */
    private final Map<Ticket, Instant> running = new LinkedHashMap<>();
    private int concurrency = 1;
    /** Moving average of how long completed answers ran, in milliseconds; 0 until one has. */
    private double averageMillis;
    private boolean closed;

    private final List<Thread> workers = new ArrayList<>();
    private final ExecutorService notifier = Executors.newSingleThreadExecutor(DaemonThreads.named("queue-notifier"));
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("queue-timer"));

    public InferenceQueue(int capacity, int perUser, Duration cooldown, Duration timeout, Clock clock) {
        this.capacity = capacity;
        this.perUser = perUser;
        this.cooldown = cooldown;
        this.timeout = timeout;
        this.clock = clock;
        startWorker();
    }

    /**
     * Lets up to {@code n} answers run at once (the model's own limit on answers generated together; until it is
     * known, one). Only grows.
     */
    public void runUpTo(int n) {
        synchronized (this) {
            if (closed || n <= concurrency) return;
            concurrency = n;
            while (workers.size() < n) startWorker();
        }
        publishPositions();
    }

    /** Must hold the lock, or be the constructor. */
    private void startWorker() {
        Thread t = new Thread(this::work, "inference-worker-" + (workers.size() + 1));
        t.setDaemon(true);
        workers.add(t);
        t.start();
    }


    /** Queues a job for a user, or says why not. */
    public Ticket submit(String userId, Job job) throws QueueRejection {
        Ticket t;
        synchronized (this) {
            if (closed) throw new QueueRejection(QueueRejection.Reason.SHUTTING_DOWN, 0);
            Instant now = clock.instant();
            Instant last = lastSubmit.get(userId);
            if (last != null && !cooldown.isZero()) {
                Duration since = Duration.between(last, now);
                if (since.compareTo(cooldown) < 0) {
                    throw new QueueRejection(QueueRejection.Reason.COOLDOWN, Math.max(1, cooldown.minus(since).toSeconds() + 1));
                }
            }
            if (activeByUser.getOrDefault(userId, 0) >= perUser) throw new QueueRejection(QueueRejection.Reason.USER_LIMIT, 0);
            if (waiting >= capacity) throw new QueueRejection(QueueRejection.Reason.BUSY, 0);
            t = new Ticket(UUID.randomUUID().toString().substring(0, 12), userId, job);
            job.onQueued(t);
            waitingByUser.computeIfAbsent(userId, u -> new ArrayDeque<>()).add(t);
            if (!turnOrder.contains(userId)) turnOrder.add(userId);
            activeByUser.merge(userId, 1, Integer::sum);
            lastSubmit.put(userId, now);
            byId.put(t.id(), t);
            waiting++;
            notifyAll();
        }
        publishPositions();
        return t;
    }

    /** Cancels a request by ticket id, if {@code userId} owns it. Returns whether something was cancelled. */
    public boolean cancel(String ticketId, String userId) {
        Ticket t;
        boolean wasWaiting;
        synchronized (this) {
            t = byId.get(ticketId);
            if (t == null || !t.userId().equals(userId) || !t.markStopped(Ticket.Outcome.CANCELLED)) return false;
            wasWaiting = removeWaiting(t);
        }
        if (wasWaiting) {
            finish(t, Ticket.Outcome.CANCELLED);
            notifier.execute(() -> t.job.onDropped(Ticket.Outcome.CANCELLED));
            publishPositions();
        } else {
            Thread r = t.runner;
            if (r != null) r.interrupt();
        }
        return true;
    }

    public synchronized Optional<Ticket> find(String ticketId) {
        return Optional.ofNullable(byId.get(ticketId));
    }

    public synchronized int waitingCount() {
        return waiting;
    }

    /** Answers being generated now (up to {@link #concurrency()}). */
    public synchronized int runningCount() {
        return running.size();
    }

    /** Answers that may be generated at once. */
    public synchronized int concurrency() {
        return concurrency;
    }

    private boolean removeWaiting(Ticket t) {
        ArrayDeque<Ticket> q = waitingByUser.get(t.userId());
        if (q == null || !q.remove(t)) return false;
        waiting--;
        if (q.isEmpty()) {
            waitingByUser.remove(t.userId());
            turnOrder.remove(t.userId());
        }
        return true;
    }

    private void work() {
        while (true) {
            Ticket t;
            synchronized (this) {
                while (waiting == 0 && !closed) {
                    try {
                        wait();
                    } catch (InterruptedException e) {
                        // only shutdown interrupts an idle worker
                    }
                }
                if (waiting == 0 && closed) return;
                t = takeNext();
                running.put(t, clock.instant());
                t.runner = Thread.currentThread();
            }
            publishPositions();
            run(t);
        }
    }

    /** The next ticket in round-robin order over users. Must hold the lock. */
    private Ticket takeNext() {
        String user = turnOrder.remove(0);
        ArrayDeque<Ticket> q = waitingByUser.get(user);
        Ticket t = q.poll();
        waiting--;
        if (q.isEmpty()) {
            waitingByUser.remove(user);
        } else {
            turnOrder.add(user); // back of the line for this user's next request
        }
        return t;
    }

    private void run(Ticket t) {
        ScheduledFuture<?> deadline = timer.schedule(() -> {
            if (t.markStopped(Ticket.Outcome.TIMED_OUT)) {
                Thread r = t.runner;
                if (r != null) r.interrupt();
            }
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        Ticket.Outcome outcome = Ticket.Outcome.DONE;
        try {
            t.job.run(t);
        } catch (Throwable e) {
            if (!t.isCancelled()) {
                log.warn("Request {} of user {} failed", t.id(), t.userId(), e);
                outcome = Ticket.Outcome.FAILED;
            }
        } finally {
            deadline.cancel(false);
            Thread.interrupted(); // clear a cancel's interrupt before the next job
            synchronized (this) {
                Instant since = running.remove(t);
                if (outcome == Ticket.Outcome.DONE && t.stopReason() == null) {
                    long ms = Duration.between(since, clock.instant()).toMillis();
                    averageMillis = averageMillis == 0 ? ms : 0.7 * averageMillis + 0.3 * ms;
                }
                t.runner = null;
            }
        }
        finish(t, t.stopReason() != null ? t.stopReason() : outcome);
    }

    private void finish(Ticket t, Ticket.Outcome outcome) {
        synchronized (this) {
            byId.remove(t.id());
            activeByUser.computeIfPresent(t.userId(), (u, n) -> n > 1 ? n - 1 : null);
        }
        t.done.complete(outcome);
    }

    /** Tells each waiting ticket its position if it changed (on the notifier thread, in order). */
    private void publishPositions() {
        List<Ticket> order = new ArrayList<>();
        double average;
        long ahead; // expected milliseconds until a running answer ends and frees a place (0: a place is free)
        int places, free;
        synchronized (this) {
            average = averageMillis;
            places = concurrency;
            free = Math.max(0, concurrency - running.size()); // the first `free` waiting start now: no position for them
            Instant now = clock.instant();
            ahead = running.size() < concurrency ? 0 : running.values().stream()
                .mapToLong(since -> Math.max((long) (average / 10), (long) average - Duration.between(since, now).toMillis()))
                .min().orElse(0);
            Map<String, ArrayDeque<Ticket>> copy = new LinkedHashMap<>();
            waitingByUser.forEach((u, q) -> copy.put(u, new ArrayDeque<>(q)));
            List<String> turns = new ArrayList<>(turnOrder);
            while (!turns.isEmpty()) {
                String u = turns.remove(0);
                ArrayDeque<Ticket> q = copy.get(u);
                order.add(q.poll());
                if (!q.isEmpty()) turns.add(u);
            }
        }
        for (int i = free; i < order.size(); i++) {
            Ticket t = order.get(i);
            int pos = i + 1 - free;
            if (t.position != pos) {
                t.position = pos;
                // the first `places` waiting start as places free up; each further round waits an average answer
                Optional<Duration> wait = average > 0 ? Optional.of(Duration.ofMillis(ahead + (long) (((pos - 1) / places) * average)))
                    : Optional.empty();
                notifier.execute(() -> {
                    if (!t.isCancelled() && !t.isRunning()) t.job.onPosition(pos, wait);
                });
            }
        }
    }

    /**
     * Stops taking work, drops waiting requests (their jobs hear SHUT_DOWN), lets the running ones
     * finish for up to {@code grace}, then stops them.
     */
    public void shutdown(Duration grace) {
        List<Ticket> dropped = new ArrayList<>();
        List<Ticket> current;
        List<Thread> threads;
        synchronized (this) {
            closed = true;
            for (ArrayDeque<Ticket> q : waitingByUser.values()) dropped.addAll(q);
            waitingByUser.clear();
            turnOrder.clear();
            waiting = 0;
            current = new ArrayList<>(running.keySet());
            threads = new ArrayList<>(workers);
            notifyAll();
        }
        for (Ticket t : dropped) {
            t.markStopped(Ticket.Outcome.SHUT_DOWN);
            finish(t, Ticket.Outcome.SHUT_DOWN);
            notifier.execute(() -> t.job.onDropped(Ticket.Outcome.SHUT_DOWN));
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (Ticket t : current) {
            try {
                t.completion().get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                if (t.markStopped(Ticket.Outcome.SHUT_DOWN)) {
                    Thread r = t.runner;
                    if (r != null) r.interrupt();
                }
            }
        }
        for (Ticket t : current) t.completion().completeOnTimeout(Ticket.Outcome.SHUT_DOWN, 10, TimeUnit.SECONDS).join();
        try {
            for (Thread w : threads) w.join(TimeUnit.SECONDS.toMillis(10));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        notifier.shutdown();
        timer.shutdownNow();
        try {
            notifier.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(5));
    }
}
