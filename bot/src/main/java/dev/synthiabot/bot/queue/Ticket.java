package dev.synthiabot.bot.queue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;

/** A request in the {@link InferenceQueue}: its id (used by the Cancel button), state and outcome. */
public final class Ticket {
    public enum Outcome {
        DONE, FAILED, CANCELLED, TIMED_OUT, SHUT_DOWN
    }

    private final String id;
    private final String userId;
    final Job job;
    /** The position last told to the job; written under the queue's lock. */
    int position = -1;
    /** The worker running the job, or null; guarded by this ticket (see {@link #interruptRunner}). */
    private Thread runner;
    private final AtomicReference<Outcome> cancelReason = new AtomicReference<>();
    final CompletableFuture<Outcome> done = new CompletableFuture<>();

    Ticket(String id, String userId, Job job) {
        this.id = id;
        this.userId = userId;
        this.job = job;
    }

    public String id() {
        return id;
    }

    public String userId() {
        return userId;
    }

    /** True once cancelled, timed out or shut down: the job should stop before its next token. */
    public boolean isStopped() {
        return cancelReason.get() != null;
    }

    /** Why the ticket was stopped (CANCELLED, TIMED_OUT or SHUT_DOWN), or null. */
    public Outcome stopReason() {
        return cancelReason.get();
    }

    boolean markStopped(Outcome why) {
        return cancelReason.compareAndSet(null, why);
    }

    public synchronized boolean isRunning() {
        return runner != null;
    }

    synchronized void runOn(Thread worker) {
        runner = worker;
    }

    /**
     * The job has returned. Once this returns no stop can interrupt the worker any more, so clearing its interrupt
     * flag afterwards leaves nothing for the worker's next job.
     */
    synchronized void ran() {
        runner = null;
    }

    /** Interrupts the job's worker (cancel, timeout, shutdown), if it is running. */
    synchronized void interruptRunner() {
        if (runner != null) runner.interrupt();
    }

    /** Completes when the request has finished, failed, or was dropped. */
    public CompletableFuture<Outcome> completion() {
        return done;
    }
}
