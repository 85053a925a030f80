package dev.synthiabot.adapter.generation;

import java.util.List;

/**
 * Streams generated text while watching for stop sequences. Text that could be the start of a stop
 * sequence is held back until it is known not to be one, so a stop string never reaches the user, not
 * even in part, also when the model produces it over several tokens.
 */
public final class StopSequenceFilter {
    private final List<String> stops;
    private final StringBuilder text = new StringBuilder();
    private int emitted;
    private int stopAt = -1;

    /**
     * @param stops the stop sequences; one that starts with a newline also matches at the very start
     *     of the generated text (the answer starts a line), so {@code "\nUSER:"} stops an answer that
     *     begins with {@code "USER:"}.
     */
    public StopSequenceFilter(List<String> stops) {
        this.stops = stops.stream().filter(s -> !s.isEmpty()).toList();
        text.append('\n'); // virtual line start, never emitted
        emitted = 1;
    }

    /**
     * Adds generated text; returns the text that is now safe to show (maybe empty). After a stop
     * sequence has been seen, {@link #stopped()} is true and nothing more is returned.
     */
    public String append(String piece) {
        if (stopped()) return "";
        text.append(piece);
        // Text before `emitted` was never the start of a stop sequence (it would have been held back).
        int found = -1;
        for (String s : stops) {
            int i = text.indexOf(s, emitted == 1 ? 0 : emitted);
            if (i >= 0 && (found < 0 || i < found)) found = i;
        }
        if (found >= 0) {
            stopAt = Math.max(found, 1);
            return emitUpTo(found);
        }
        return emitUpTo(text.length() - heldBack());
    }

    /** The rest of the text once generation ended without a stop sequence. */
    public String flush() {
        return stopped() ? "" : emitUpTo(text.length());
    }

    public boolean stopped() {
        return stopAt >= 0;
    }

    /** All text before the stop sequence (or all text, if none was seen). */
    public String text() {
        return stopped() ? text.substring(1, Math.max(1, stopAt)) : text.substring(1);
    }

    private String emitUpTo(int end) {
        if (end <= emitted) return "";
        String s = text.substring(emitted, end);
        emitted = end;
        return s;
    }

    /** Length of the longest suffix of the text that is a proper prefix of some stop sequence. */
    private int heldBack() {
        int best = 0;
        for (String s : stops) {
            for (int len = Math.min(s.length() - 1, text.length() - emitted); len > best; len--) {
                if (endsWith(s, len)) {
                    best = len;
                    break;
                }
            }
        }
        return best;
    }

    private boolean endsWith(String stop, int len) {
        int from = text.length() - len;
        for (int i = 0; i < len; i++) {
            if (text.charAt(from + i) != stop.charAt(i)) return false;
        }
        return true;
    }
}
