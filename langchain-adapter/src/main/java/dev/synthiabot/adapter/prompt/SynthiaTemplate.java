package dev.synthiabot.adapter.prompt;

import java.util.ArrayList;
import java.util.List;

/**
 * SynthIA-7B-v1.3's prompt format, byte for byte as its model card writes it:
 * {@code SYSTEM: {system} \nUSER: {user} \nASSISTANT: {answer} \nUSER: {user2} \nASSISTANT: }. An answer being
 * continued ends the prompt as {@code ASSISTANT: {partial}}, with no turn end: the model goes on from its last word.
 *
 * <p>The prompt is produced as a list of {@link Part}s so that each part can be tokenized (and
 * cached) on its own: Mistral's tokenizer never merges across a newline, so encoding the parts
 * separately gives exactly the ids of encoding the whole text.
 */
public final class SynthiaTemplate {

    public static final String SYSTEM_PREFIX = "SYSTEM: ";
    public static final String USER_PREFIX = "USER: ";
    public static final String ASSISTANT_PREFIX = "ASSISTANT: ";
    /** The separator between turns: a space, then a newline. */
    public static final String TURN_END = " \n";

    /** Default stop sequences: the model starting a new turn on its own. */
    public static final List<String> DEFAULT_STOPS = List.of("\nUSER:", "\nSYSTEM:", "\nASSISTANT:");

    private SynthiaTemplate() {}

    /** A piece of prompt text; {@code answer} is set when the part is an earlier assistant answer. */
    public sealed interface Part permits Text, Answer, Continued, Newline {}

    /** Template text with the user's words (may hold newlines of its own). */
    public record Text(String text) implements Part {}

    /** "ASSISTANT: {answer} " of an earlier exchange (the answer may be known by its generated ids). */
    public record Answer(String answer) implements Part {}

    /** "ASSISTANT: {partial}" of the answer being continued: no space or newline after it. */
    public record Continued(String partial) implements Part {}

    /** The newline between turns. */
    public record Newline() implements Part {}

    /** Groups of parts: the head (system), one group per exchange, and the tail (last user turn). */
    public record Layout(List<Part> head, List<List<Part>> exchanges, List<Part> tail) {
        public List<Part> all() {
            List<Part> all = new ArrayList<>(head);
            exchanges.forEach(all::addAll);
            all.addAll(tail);
            return all;
        }
    }

    public static Layout layout(Transcript t) {
        List<Part> head = new ArrayList<>();
        t.system().ifPresent(s -> {
            head.add(new Text(SYSTEM_PREFIX + s + " "));
            head.add(new Newline());
        });
        List<List<Part>> exchanges = new ArrayList<>();
        for (Transcript.Exchange e : t.history()) {
            exchanges.add(List.of(
                new Text(USER_PREFIX + e.user() + " "), new Newline(),
                new Answer(e.assistant()), new Newline()));
        }
        Part answer = t.continuing().<Part>map(Continued::new).orElse(new Text(ASSISTANT_PREFIX));
        List<Part> tail = List.of(new Text(USER_PREFIX + t.user() + " "), new Newline(), answer);
        return new Layout(head, exchanges, tail);
    }

    /** The whole prompt as text. */
    public static String render(Transcript t) {
        StringBuilder sb = new StringBuilder();
        for (Part p : layout(t).all()) {
            switch (p) {
                case Text x -> sb.append(x.text());
                case Answer a -> sb.append(ASSISTANT_PREFIX).append(a.answer()).append(' ');
                case Continued c -> sb.append(ASSISTANT_PREFIX).append(c.partial());
                case Newline n -> sb.append('\n');
            }
        }
        return sb.toString();
    }
}
