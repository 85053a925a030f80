package dev.synthiabot.bot.queue;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
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
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one queue in front of the model, which generates up to {@link #concurrency} answers at once (the model batches
 * them: see {@link #runUpTo}).
 *
 * <ul>
 *   <li>Bounded: past {@code capacity} waiting requests, new ones are refused (the user is told "busy").
 *   <li>Fair: users take turns ({@link FairQueue}), so one user's many requests don't starve the others.
 *   <li>At most {@code perUser} requests of one user queued or running; a cooldown between requests ({@link Cooldowns}).
 *   <li>Each waiting request hears its position when it changes, with an estimate of the wait ({@link WaitEstimate});
 *       a Cancel works while queued and running.
 *   <li>A request still running after {@code timeout} is stopped.
 * </ul>
 *
 * <p>Threads: callers submit and cancel; {@code concurrency} workers run jobs; one notifier thread tells jobs their
 * position (so a slow listener never holds the lock); one timer stops jobs past their timeout. All state is guarded by
 * {@link #lock}; jobs run and are told things without it.
 */
public final class InferenceQueue implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(InferenceQueue.class);

    private final int capacity;
    private final int perUser;
    private final Duration timeout;
    private final Clock clock;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition workWaiting = lock.newCondition();
    // Guarded by lock:
    private final FairQueue<Ticket> waiting = new FairQueue<>();
    private final Cooldowns cooldowns;
    private final WaitEstimate estimate = new WaitEstimate();
    /** Requests queued or running, by user. */
    private final Map<String, Integer> activeByUser = new HashMap<>();
    /** Requests queued or running, by ticket id (what a Cancel button names). */
    private final Map<String, Ticket> byId = new HashMap<>();
    /** Running tickets and since when. */
    private final Map<Ticket, Instant> running = new LinkedHashMap<>();
    private int concurrency;
    private boolean closed;
    private final List<Thread> workers = new ArrayList<>();

    private final ExecutorService notifier = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("queue-notifier").daemon().factory());
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("queue-timer").daemon().factory());

    public InferenceQueue(int capacity, int perUser, Duration cooldown, Duration timeout, Clock clock) {
        this.capacity = capacity;
        this.perUser = perUser;
        this.cooldowns = new Cooldowns(cooldown);
        this.timeout = timeout;
        this.clock = clock;
    }

    /**
     * Lets up to {@code n} answers run at once (the model's own limit on answers generated together). Until the first
     * call nothing runs: requests wait while the model loads. Only grows.
     */
    public void runUpTo(int n) {
        lock.lock();
        try {
            if (closed || n <= concurrency) return;
            concurrency = n;
            while (workers.size() < n) startWorker();
            workWaiting.signalAll();
        } finally {
            lock.unlock();
        }
        publishPositions();
    }

    /** Must hold the lock. */
    private void startWorker() {
        workers.add(Thread.ofPlatform().name("inference-worker-" + (workers.size() + 1)).daemon().start(this::work));
    }

    /** Queues a job for a user, or says why not. */
    public Ticket submit(String userId, Job job) throws QueueRejection {
        Ticket t;
        lock.lock();
        try {
            if (closed) throw new QueueRejection(QueueRejection.Reason.SHUTTING_DOWN, 0);
            Instant now = clock.instant();
            Optional<Duration> cooling = cooldowns.remaining(userId, now);
            if (cooling.isPresent()) throw new QueueRejection(QueueRejection.Reason.COOLDOWN, Math.max(1, cooling.get().toSeconds() + 1));
            if (activeByUser.getOrDefault(userId, 0) >= perUser) throw new QueueRejection(QueueRejection.Reason.USER_LIMIT, 0);
            if (waiting.size() >= capacity) throw new QueueRejection(QueueRejection.Reason.BUSY, 0);
            t = new Ticket(UUID.randomUUID().toString().substring(0, 12), userId, job);
            job.onQueued(t);
            waiting.offer(userId, t);
            activeByUser.merge(userId, 1, Integer::sum);
            cooldowns.asked(userId, now);
            byId.put(t.id(), t);
            workWaiting.signal();
        } finally {
            lock.unlock();
        }
        publishPositions();
        return t;
    }

    /** Cancels a request by ticket id, if {@code userId} owns it. Returns whether something was cancelled. */
    public boolean cancel(String ticketId, String userId) {
        Ticket t;
        boolean wasWaiting;
        lock.lock();
        try {
            t = byId.get(ticketId);
            if (t == null || !t.userId().equals(userId) || !t.markStopped(Ticket.Outcome.CANCELLED)) return false;
            wasWaiting = waiting.remove(t.userId(), t);
        } finally {
            lock.unlock();
        }
        if (wasWaiting) {
            finish(t, Ticket.Outcome.CANCELLED);
            notifier.execute(() -> t.job.onDropped(Ticket.Outcome.CANCELLED));
            publishPositions();
        } else {
            t.interruptRunner();
        }
        return true;
    }

    public Optional<Ticket> find(String ticketId) {
        lock.lock();
        try {
            return Optional.ofNullable(byId.get(ticketId));
        } finally {
            lock.unlock();
        }
    }

    public int waitingCount() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    /** Answers being generated now (up to {@link #concurrency()}). */
    public int runningCount() {
        lock.lock();
        try {
            return running.size();
        } finally {
            lock.unlock();
        }
    }

    /** Answers that may be generated at once. */
    public int concurrency() {
        lock.lock();
        try {
            return concurrency;
        } finally {
            lock.unlock();
        }
    }

    private void work() {
        while (true) {
            Ticket t;
            lock.lock();
            try {
                while (waiting.size() == 0 && !closed) workWaiting.awaitUninterruptibly();
                Optional<Ticket> next = waiting.poll();
                if (next.isEmpty()) return; // closed and nothing left
                t = next.get();
                running.put(t, clock.instant());
                t.runOn(Thread.currentThread());
            } finally {
                lock.unlock();
            }
            publishPositions();
            run(t);
        }
    }

    private void run(Ticket t) {
        ScheduledFuture<?> deadline = timer.schedule(() -> {
            if (t.markStopped(Ticket.Outcome.TIMED_OUT)) t.interruptRunner();
        }, timeout.toMillis(), TimeUnit.MILLISECONDS);
        Ticket.Outcome outcome = Ticket.Outcome.DONE;
        try {
            t.job.run(t);
        } catch (Throwable e) {
            if (!t.isStopped()) {
                log.warn("Request {} of user {} failed", t.id(), t.userId(), e);
                outcome = Ticket.Outcome.FAILED;
            }
        } finally {
            deadline.cancel(false);
            t.ran();
            Thread.interrupted(); // clear a stop's interrupt before the next job
            lock.lock();
            try {
                Instant since = running.remove(t);
                if (outcome == Ticket.Outcome.DONE && t.stopReason() == null) estimate.answered(Duration.between(since, clock.instant()));
            } finally {
                lock.unlock();
            }
        }
        finish(t, t.stopReason() != null ? t.stopReason() : outcome);
    }

    private void finish(Ticket t, Ticket.Outcome outcome) {
        lock.lock();
        try {
            byId.remove(t.id());
            activeByUser.computeIfPresent(t.userId(), (u, n) -> n > 1 ? n - 1 : null);
        } finally {
            lock.unlock();
        }
        t.done.complete(outcome);
    }

    /** Tells each waiting ticket its position if it changed (on the notifier thread, in order). */
    private void publishPositions() {
        record Told(Ticket ticket, int position, Optional<Duration> estimatedWait) {}
        List<Told> changes = new ArrayList<>();
        lock.lock();
        try {
            List<Ticket> order = waiting.inOrder();
            int free = Math.max(0, concurrency - running.size()); // the first `free` waiting start now: no position for them
            Instant now = clock.instant();
            for (int i = free; i < order.size(); i++) {
                Ticket t = order.get(i);
                int position = i + 1 - free;
                if (t.position == position) continue;
                t.position = position;
                changes.add(new Told(t, position, concurrency == 0 ? Optional.empty() : estimate.of(position, concurrency, running.values(), now)));
            }
        } finally {
            lock.unlock();
        }
        for (Told c : changes) {
            notifier.execute(() -> {
                if (!c.ticket().isStopped() && !c.ticket().isRunning()) c.ticket().job.onPosition(c.position(), c.estimatedWait());
            });
        }
    }

    /**
     * Stops taking work, drops waiting requests (their jobs hear SHUT_DOWN), lets the running ones
     * finish for up to {@code grace}, then stops them.
     */
    public void shutdown(Duration grace) {
        List<Ticket> dropped;
        List<Ticket> current;
        List<Thread> threads;
        lock.lock();
        try {
            closed = true;
            dropped = waiting.clear();
            current = new ArrayList<>(running.keySet());
            threads = new ArrayList<>(workers);
            workWaiting.signalAll();
        } finally {
            lock.unlock();
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
                if (t.markStopped(Ticket.Outcome.SHUT_DOWN)) t.interruptRunner();
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
