package dev.synthiabot.bot.answer;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Folded reasoning while an answer is written: from the model's pieces to what the asker sees. A text that opens
 * with a labelled section ("Evolved Thought:") is reasoning until its "Answer:" ({@link ReasoningSplit}): meanwhile
 * the asker sees how far it got, then the answer after the label streams. A text that opens otherwise streams as it
 * comes, as an answer without reasoning does. Not thread-safe: one answer's pieces, in order.
 */
final class ReasoningFold {
    /**
     * A first line that is a section label: one to three capitalized words and a colon ("Evolved Thought:",
     * "Reasoning:"), maybe bold or a heading; "Here are three reasons:" is a sentence, not a label.
     */
    private static final Pattern LABELLED = Pattern.compile("^\\s*(?:#{1,6}\\s*)?(?:\\*\\*)?[A-Z][a-z]+(?: [A-Z][a-z]+){0,2}(?:\\*\\*)?:");
    /** A first line longer than this without a label's colon is not a label. */
    private static final int LONGEST_LABEL = 48;

    /** What the asker should see after a piece: more answer text, or the reasoning's progress. */
    sealed interface Update permits Append, Reasoning {}

    record Append(String text) implements Update {}

    record Reasoning(int words) implements Update {}

    private final StringBuilder written = new StringBuilder();
    private int words;
    private boolean plain;
    private int answerShown;

    /** Takes the next piece; empty while the opening is still undecided. */
    Optional<Update> accept(String piece) {
        written.append(piece);
        words += words(piece);
        if (plain) return Optional.of(new Append(piece));
        Optional<String> answer = ReasoningSplit.of(written.toString()).answer();
        if (answer.isPresent()) {
            if (answer.get().length() <= answerShown) return Optional.empty();
            String more = answer.get().substring(answerShown);
            answerShown = answer.get().length();
            return Optional.of(new Append(more));
        }
        String opening = written.toString().stripLeading();
        int lineEnd = opening.indexOf('\n');
        String firstLine = lineEnd < 0 ? opening : opening.substring(0, lineEnd);
        if (LABELLED.matcher(firstLine).find()) return Optional.of(new Reasoning(words));
        if (lineEnd < 0 && firstLine.length() <= LONGEST_LABEL) return Optional.empty();
        plain = true;
        return Optional.of(new Append(written.toString()));
    }

    /** The words a piece ends or adds (its spaces and line ends): a count that grows as the text is written. */
    static int words(String piece) {
        return (int) piece.chars().filter(Character::isWhitespace).count();
    }

    /**
     * What the asker gets of the text written: the answer after the reasoning — or all of it when it streamed as it
     * came or no "Answer:" came (a stopped answer included: what was written is better than nothing).
     */
    String shown() {
        return plain ? written.toString() : ReasoningSplit.of(written.toString()).answerOrAll();
    }
}
