package dev.synthiabot.bot.reply;

/** How one render of a reply ended, and the view it left on Discord. */
public sealed interface RenderOutcome {
    ReplyView view();

    /** Every part is on Discord. */
    record Shown(ReplyView view) implements RenderOutcome {}

    /**
     * An edit failed: an update of a streaming reply waits for the next one; a final render that may still pass
     * (a server error, a timeout) is tried again after {@code delayMs}.
     */
    record Retry(ReplyView view, long delayMs, Exception error) implements RenderOutcome {}

    /** The final text could not be edited in for good: its unseen part was posted as new messages instead. */
    record PostedInstead(ReplyView view) implements RenderOutcome {}

    /** Every way to show the final text failed: the user did not get it (logged). */
    record GaveUp(ReplyView view, Exception error) implements RenderOutcome {}
}
