package dev.synthiabot.bot.queue;

import java.time.Duration;
import java.util.Optional;

/** Work for the model, run on one of the queue's worker threads (several answers are generated at once). */
public interface Job {
    /** Called once the request is accepted, before it can run or hear its position (e.g. to label a Cancel button). */
    default void onQueued(Ticket ticket) {}

    /**
     * Called when the request's place in the queue changes (1 = next), with an estimate of the wait from how long
     * recent answers took (empty until one has finished); never on the worker thread.
     */
    default void onPosition(int position, Optional<Duration> estimatedWait) {}

    /** Runs the work. {@code ticket.isStopped()} turns true on cancel, timeout or shutdown; the thread is also interrupted. */
    void run(Ticket ticket) throws Exception;

    /** The request ended without running: cancelled while queued, or the bot shut down. */
    default void onDropped(Ticket.Outcome outcome) {}
}
