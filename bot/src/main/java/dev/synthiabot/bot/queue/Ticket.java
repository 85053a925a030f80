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
    volatile int position = -1;
    volatile Thread runner;
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
    public boolean isCancelled() {
        return cancelReason.get() != null;
    }

    /** Why the ticket was stopped (CANCELLED, TIMED_OUT or SHUT_DOWN), or null. */
    public Outcome stopReason() {
        return cancelReason.get();
    }

    boolean markStopped(Outcome why) {
        return cancelReason.compareAndSet(null, why);
    }

    public boolean isRunning() {
        return runner != null;
    }

    /** Completes when the request has finished, failed, or was dropped. */
    public CompletableFuture<Outcome> completion() {
        return done;
    }
}
