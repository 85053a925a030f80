package dev.synthiabot.bot.answer;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * SynthIA's answers under its Tree-of-Thoughts prompt: labelled sections of reasoning ("Evolved Thought:",
 * "Reasoning:", "Backtracking Thought:", …), then the answer after a line that starts with "Answer:". Splits a text,
 * whole or as far as it has been written, at the first such label: once it is there, the text after it only grows,
 * so an answer streamed from it never takes back what it showed; before it, nothing of a label is shown.
 *
 * @param reasoning the text before the label (all of it while there is no label)
 * @param answer the text after the label, without the label and the spaces after it; empty while there is no label
 */
public record ReasoningSplit(String reasoning, Optional<String> answer) {
    /** "Answer:" at the start of a line, maybe bold or a heading, maybe "Final Answer:". */
    private static final Pattern LABEL = Pattern.compile("^[ \\t]*(?:#{1,6}[ \\t]*)?(?:\\*\\*)?(?:final[ \\t]+)?answer[ \\t]*:(?:\\*\\*)?[ \\t]*",
        Pattern.CASE_INSENSITIVE | Pattern.MULTILINE);

    public static ReasoningSplit of(String text) {
        Matcher m = LABEL.matcher(text);
        if (!m.find()) return new ReasoningSplit(text, Optional.empty());
        return new ReasoningSplit(text.substring(0, m.start()).strip(), Optional.of(text.substring(m.end()).stripLeading()));
    }

    /** What the asker gets as the answer: the part after the label, else (no label came) the whole text. */
    public String answerOrAll() {
        return answer.orElse(reasoning);
    }

    /** Whether there is reasoning before an answer: something to fold. */
    public boolean folded() {
        return answer.isPresent() && !reasoning.isEmpty();
    }
}
