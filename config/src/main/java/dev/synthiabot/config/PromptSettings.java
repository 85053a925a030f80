package dev.synthiabot.config;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * System prompts.
 *
 * @param defaultSystem used where a channel has none of its own
 * @param translation target language code (e.g. {@code ja}) to its system prompt
 * @param channels initial per-channel prompts, applied where no admin has set one
 * @param maxLength longest prompt an admin may set
 * @param answerLanguage {@code auto}, {@code en} or a key of {@code translation}: the language answers are given in where
 *     no channel or server says otherwise
 * @param reasoning how an answer's reasoning is shown ({@link Reasoning}'s key) where no channel or server says otherwise
 */
public record PromptSettings(String defaultSystem, Map<String, String> translation, Map<String, String> channels, int maxLength,
                             String answerLanguage, String reasoning) {
    /** How the reasoning SynthIA writes before its "Answer:" is shown. */
    public enum Reasoning {
        /** A live status while it is written, then the answer, with a button that shows the reasoning. */
        FOLDED,
        /** The whole text as the model writes it. */
        INLINE,
        /** The answer alone. */
        HIDDEN;

        public String key() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /** The value for {@code key} ({@code folded}, {@code inline} or {@code hidden}), if it is one. */
        public static java.util.Optional<Reasoning> of(String key) {
            return java.util.Arrays.stream(values()).filter(r -> r.key().equals(key)).findFirst();
        }
    }

    /** Answers in the language of the question (when it is one of the translation languages). */
    public static final String AUTO = "auto";
    /** Answers as the model writes them: English, for SynthIA. */
    public static final String MODEL_LANGUAGE = "en";

    /** Whether {@code language} may be chosen as the answer language: auto, en, or a translation language. */
    public boolean answerLanguageAllowed(String language) {
        return language.equals(AUTO) || language.equals(MODEL_LANGUAGE) || translation.containsKey(language);
    }

    public PromptSettings {
        // Sorted and kept in that order: the /translate subcommands are listed in it, and a different order at each
        // start would make Discord's registered commands look changed.
        translation = Collections.unmodifiableMap(new TreeMap<>(translation));
        channels = Map.copyOf(channels);
        Problems p = new Problems();
        p.range("prompts.max_length", maxLength, 1, 100_000);
        p.check(!defaultSystem.isBlank(), "prompts.default_system", defaultSystem, "is empty");
        p.check(defaultSystem.length() <= maxLength, "prompts.default_system", defaultSystem.length() + " characters", "is longer than prompts.max_length (" + maxLength + ")");
        p.check(!translation.isEmpty(), "prompts.translation", "{}", "is empty: at least one target language is needed for /translate");
        for (var e : translation.entrySet()) {
            p.check(e.getKey().matches("[a-z]{2,3}(-[a-z0-9]{2,8})?"), "prompts.translation", e.getKey(), "is not a language code such as ja, fr or pt-br (it becomes a subcommand name)");
            p.check(!e.getValue().isBlank(), "prompts.translation." + e.getKey(), e.getValue(), "is empty");
        }
        p.check(answerLanguage.equals(AUTO) || answerLanguage.equals(MODEL_LANGUAGE) || translation.containsKey(answerLanguage),
            "prompts.answer_language", answerLanguage, "is not auto, en or a language of prompts.translation (" + String.join(", ", translation.keySet()) + ")");
        p.check(Reasoning.of(reasoning).isPresent(), "prompts.reasoning", reasoning, "is not one of: folded, inline, hidden");
        p.snowflakes("prompts.channels", channels.keySet());
        for (var e : channels.entrySet()) {
            p.check(!e.getValue().isBlank() && e.getValue().length() <= maxLength, "prompts.channels." + e.getKey(),
                e.getValue().length() + " characters", "must be 1 to prompts.max_length (" + maxLength + ") characters");
        }
        p.throwIfAny();
    }
}
