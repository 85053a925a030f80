package dev.synthiabot.adapter.generation;

/**
 * Streams text with leading and trailing whitespace removed: leading whitespace is dropped and
 * whitespace is held back until something visible follows it, so the streamed pieces always
 * concatenate to exactly {@code fullText.strip()} — or, continuing an answer (whose words the new text follows,
 * maybe after a space), to {@code fullText.stripTrailing()}.
 */
final class WhitespaceTrimmer {
    private final StringBuilder pending = new StringBuilder();
    private boolean started;

    WhitespaceTrimmer(boolean keepLeading) {
        this.started = keepLeading;
    }

    String accept(String piece) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < piece.length(); ) {
            int cp = piece.codePointAt(i);
            int n = Character.charCount(cp);
            if (Character.isWhitespace(cp)) {
                if (started) pending.appendCodePoint(cp);
            } else {
                started = true;
                out.append(pending).appendCodePoint(cp);
                pending.setLength(0);
            }
            i += n;
        }
        return out.toString();
    }
}
