package dev.synthiabot.bot.reply;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * What Discord shows of a reply, message by message: its text and the buttons under it.
 * Immutable: a render returns the view it left behind.
 */
public record ReplyView(List<Shown> messages) {
    /** One message as Discord shows it. */
    public record Shown(String text, Set<ReplyButton> buttons) {
        public Shown {
            buttons = Set.copyOf(buttons);
        }
    }

    public static final ReplyView NOTHING = new ReplyView(List.of());

    public ReplyView {
        messages = List.copyOf(messages);
    }

    /** Whether message {@code index} must be sent (new) or edited to show {@code text} with {@code buttons}. */
    public boolean differs(int index, String text, Set<ReplyButton> buttons) {
        return index >= messages.size() || !messages.get(index).equals(new Shown(text, buttons));
    }

    /** This view with message {@code index} showing {@code text} (the messages before it exist). */
    public ReplyView with(int index, String text, Set<ReplyButton> buttons) {
        List<Shown> next = new ArrayList<>(messages);
        if (index == next.size()) {
            next.add(new Shown(text, buttons));
        } else {
            next.set(index, new Shown(text, buttons));
        }
        return new ReplyView(next);
    }
}
