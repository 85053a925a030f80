package dev.synthiabot.bot.reply;

import java.util.Set;

/**
 * Where an answer is shown: message 0 is the first reply (an interaction's original response or a
 * reply to a mention); later messages are follow-ups. Implementations send everything with empty
 * allowed mentions. Called from one thread at a time, never while the reply's state is locked.
 */
public interface ReplyTarget {
    /** Sets the text of message {@code index} (creating it if it is new) and the buttons under it. */
    void show(int index, String text, Set<ReplyButton> buttons) throws Exception;

    /**
     * The last resort when message {@code index} cannot be edited: posts {@code text} as a new plain message
     * (in the channel, or privately for a private answer), without buttons.
     */
    void postInstead(int index, String text) throws Exception;

    /** Called while the answer is being generated (e.g. to refresh a typing indicator). */
    default void working() {}

    /** Called before each render that shows answer text rather than a status line (e.g. to record that writing began). */
    default void writing() {}
}
