package dev.synthiabot.bot.reply;

/**
 * A button under one of a reply's messages: Cancel while the answer is queued or written; once it is final, what the
 * finished answer offers. The Discord target gives each its label and id.
 */
public enum ReplyButton {
    /** Stops the answer (its id carries the queue ticket). */
    CANCEL,
    /** Shows whoever presses it, privately, the full text the model wrote: reasoning and answer. */
    SHOW_REASONING,
    /** The same for a translated answer without folded reasoning: the English the model wrote. */
    SHOW_ENGLISH,
    /** A new sample of the same request, in place of this answer (the asker or an admin). */
    REGENERATE,
    /** The answer goes on from where the token limit stopped it (the asker or an admin). */
    CONTINUE;

    /** The component id prefix of the Cancel button; the ticket id follows. */
    public static final String CANCEL_ID = "synthia-cancel:";
    /** The component id of {@link #SHOW_REASONING} and {@link #SHOW_ENGLISH}: the message it is under names the answer. */
    public static final String ORIGINAL_ID = "synthia-original";
    /** The component ids of {@link #REGENERATE} and {@link #CONTINUE}: the message they are under names the answer. */
    public static final String REGENERATE_ID = "synthia-regenerate";
    public static final String CONTINUE_ID = "synthia-continue";
}
