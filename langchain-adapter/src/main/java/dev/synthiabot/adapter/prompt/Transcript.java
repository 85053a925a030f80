package dev.synthiabot.adapter.prompt;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A conversation in SynthIA's terms: an optional system prompt, earlier exchanges (oldest first)
 * and the user message the model must answer now — or, with {@code continuing}, the answer to it that the model
 * is to go on writing from where it stopped.
 */
public record Transcript(Optional<String> system, List<Exchange> history, String user, Optional<String> continuing) {

    /** One earlier user message and the assistant's answer to it. */
    public record Exchange(String user, String assistant) {
        public Exchange {
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(assistant, "assistant");
        }
    }

    public Transcript {
        Objects.requireNonNull(system, "system");
        history = List.copyOf(history);
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(continuing, "continuing");
    }

    /** A conversation whose last user message gets a new answer. */
    public Transcript(Optional<String> system, List<Exchange> history, String user) {
        this(system, history, user, Optional.empty());
    }

    public static Transcript of(String system, String user) {
        return new Transcript(Optional.ofNullable(system), List.of(), user);
    }

    /** The same conversation without its {@code n} oldest exchanges. */
    public Transcript dropOldest(int n) {
        return new Transcript(system, history.subList(Math.min(n, history.size()), history.size()), user, continuing);
    }
}
