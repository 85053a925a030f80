package dev.synthiabot.bot.reply;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/** A reply target that records what it was asked to do and fails the calls it is told to fail. */
final class FakeTarget implements ReplyTarget {
    final List<String> calls = new ArrayList<>();
    /** Failures for the next show() calls, in order (null: succeed). */
    final Deque<Exception> showFailures = new ArrayDeque<>();
    Exception postFailure;
    int writing;

    @Override
    public void show(int index, String text, Set<ReplyButton> buttons) throws Exception {
        Exception e = showFailures.pollFirst();
        String shown = buttons.stream().sorted().map(b -> b == ReplyButton.CANCEL ? "[Cancel] " : "[" + b + "] ").collect(Collectors.joining());
        calls.add("show " + index + " " + shown + text + (e != null ? " -> " + e.getMessage() : ""));
        if (e != null) throw e;
    }

    @Override
    public void postInstead(int index, String text) throws Exception {
        calls.add("post " + index + " " + text + (postFailure != null ? " -> " + postFailure.getMessage() : ""));
        if (postFailure != null) throw postFailure;
    }

    @Override
    public void writing() {
        writing++;
    }

    void failNextShows(Exception... failures) {
        for (Exception e : failures) showFailures.addLast(e);
    }
}
