package dev.synthiabot.bot.queue;

/** Why a request was not queued; the user is told. */
public final class QueueRejection extends Exception {
    public enum Reason {
        /** The queue is full. */
        BUSY,
        /** The user already has as many requests queued or running as allowed. */
        USER_LIMIT,
        /** The user asked again too soon. */
        COOLDOWN,
        /** The bot is shutting down. */
        SHUTTING_DOWN
    }

    private final Reason reason;
    private final long retryAfterSeconds;

    public QueueRejection(Reason reason, long retryAfterSeconds) {
        super(reason + (retryAfterSeconds > 0 ? " (retry after " + retryAfterSeconds + " s)" : ""));
        this.reason = reason;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    public Reason reason() {
        return reason;
    }

    public long retryAfterSeconds() {
        return retryAfterSeconds;
    }
}
