package dev.synthiabot.bot.reply;

/**
 * Where an answer is shown: message 0 is the first reply (an interaction's original response or a
 * reply to a mention); later messages are follow-ups. Implementations send everything with empty
 * allowed mentions. Called from one thread at a time.
 */
public interface ReplyTarget {
    /** Sets the text of message {@code index} (creating it if it is new) and whether it shows a Cancel button. */
    void show(int index, String text, boolean cancelButton) throws Exception;

    /** Called while the answer is being generated (e.g. to refresh a typing indicator). */
    default void working() {}
}
