package dev.synthiabot.bot.reply;

import java.util.ArrayList;
import java.util.List;

/**
 * Splits text into Discord messages of at most {@value #LIMIT} characters, preferring paragraph, then
 * line, then sentence, then word boundaries. A code block cut in two is closed at the end of one
 * message and reopened (with its language) at the start of the next, so each message is valid Markdown.
 */
public final class MessageSplitter {
    public static final int LIMIT = 2000;
    private static final String FENCE = "```";

    private final int limit;

    public MessageSplitter() {
        this(LIMIT);
    }

    public MessageSplitter(int limit) {
        if (limit < 40) throw new IllegalArgumentException("limit " + limit + " is too small");
        this.limit = limit;
    }

    public List<String> split(String text) {
        List<String> parts = new ArrayList<>();
        String rest = text;
        String reopen = ""; // fence header to reopen in the next part, e.g. "```java\n"
        while (!rest.isEmpty()) {
            String candidate = reopen + rest;
            if (candidate.length() <= limit) {
                String fence = openFence(candidate);
                // An unclosed block (the model is still writing it, or never closed it) is closed for display.
                parts.add(fence == null ? candidate : candidate + (candidate.endsWith("\n") ? "" : "\n") + FENCE);
                break;
            }
            int cut = bestCut(candidate, limit - 4); // room to close a fence: "\n```"
            String head = candidate.substring(0, cut).stripTrailing();
            String fence = openFence(head);
            if (fence != null) {
                head = head + "\n" + FENCE;
                reopen = fence + "\n";
            } else {
                reopen = "";
            }
            if (!head.isBlank()) parts.add(head);
            rest = candidate.substring(cut);
            if (reopen.isEmpty()) {
                rest = rest.stripLeading();
            } else {
                rest = rest.replaceFirst("^\n", "");
                if (rest.startsWith(FENCE)) { // the block closes right here: nothing to reopen
                    rest = rest.substring(FENCE.length()).stripLeading();
                    reopen = "";
                }
            }
        }
        return parts;
    }

    /** The best place to cut {@code s} at or before {@code max}: paragraph, line, sentence, word, or hard. */
    private static int bestCut(String s, int max) {
        int floor = max / 2;
        int p = s.lastIndexOf("\n\n", max);
        if (p >= floor) return p;
        p = s.lastIndexOf('\n', max);
        if (p >= floor) return p;
        for (int i = Math.min(max, s.length() - 1); i >= floor; i--) {
            char c = s.charAt(i - 1);
            if ((c == '.' || c == '!' || c == '?' || c == '。' || c == '！' || c == '？') && (i == s.length() || Character.isWhitespace(s.charAt(i)) || c > 0x3000)) {
                return i;
            }
        }
        p = s.lastIndexOf(' ', max);
        if (p >= floor) return p;
        // Never split a surrogate pair.
        return Character.isLowSurrogate(s.charAt(max)) ? max - 1 : max;
    }

    /** The opening fence line (e.g. "```java") if {@code s} ends inside a code block, else null. */
    static String openFence(String s) {
        String open = null;
        int i = 0;
        while ((i = s.indexOf(FENCE, i)) >= 0) {
            if (open == null) {
                int eol = s.indexOf('\n', i);
                String header = eol < 0 ? s.substring(i) : s.substring(i, eol);
                open = header.strip().matches("```[\\w+#.-]*") ? header.strip() : FENCE;
                i = eol < 0 ? s.length() : eol;
            } else {
                open = null;
                i += FENCE.length();
            }
        }
        return open;
    }
}
