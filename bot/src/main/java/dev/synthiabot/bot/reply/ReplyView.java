package dev.synthiabot.bot.reply;

import java.util.ArrayList;
import java.util.List;

/**
 * What Discord shows of a reply, message by message: its text and whether it carries the Cancel button.
 * Immutable: a render returns the view it left behind.
 */
public record ReplyView(List<Shown> messages) {
    /** One message as Discord shows it. */
    public record Shown(String text, boolean cancelButton) {}

    public static final ReplyView NOTHING = new ReplyView(List.of());

    public ReplyView {
        messages = List.copyOf(messages);
    }

    /** Whether message {@code index} must be sent (new) or edited to show {@code text} with or without the button. */
    public boolean differs(int index, String text, boolean cancelButton) {
        return index >= messages.size() || !messages.get(index).equals(new Shown(text, cancelButton));
    }

    /** This view with message {@code index} showing {@code text} (the messages before it exist). */
    public ReplyView with(int index, String text, boolean cancelButton) {
        List<Shown> next = new ArrayList<>(messages);
        if (index == next.size()) {
            next.add(new Shown(text, cancelButton));
        } else {
            next.set(index, new Shown(text, cancelButton));
        }
        return new ReplyView(next);
    }
}
