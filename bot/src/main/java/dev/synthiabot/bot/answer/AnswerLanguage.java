package dev.synthiabot.bot.answer;

import dev.synthiabot.config.PromptSettings;
import java.lang.Character.UnicodeScript;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The language an answer is given in, from the channel's setting and the question: {@code en} answers as SynthIA
 * writes (English); a translation language always translates; {@code auto} translates into the question's language
 * when it is one of {@code prompts.translation}'s. The question's language comes from its script (kana: Japanese,
 * Hangul: Korean, Cyrillic: Russian, …); a short question in Latin letters ("ok?", "merci") says too little, so the
 * asker's Discord locale decides it.
 */
public final class AnswerLanguage {
    /** Fewer letters than this in Latin script, and the asker's locale is the better guess. */
    static final int SHORT = 12;
    private static final Map<UnicodeScript, String> SCRIPTS = new EnumMap<>(Map.of(
        UnicodeScript.HIRAGANA, "ja", UnicodeScript.KATAKANA, "ja", UnicodeScript.HANGUL, "ko", UnicodeScript.CYRILLIC, "ru",
        UnicodeScript.GREEK, "el", UnicodeScript.ARABIC, "ar", UnicodeScript.HEBREW, "he", UnicodeScript.THAI, "th",
        UnicodeScript.DEVANAGARI, "hi"));

    private AnswerLanguage() {}

    /** The translation step for {@link #target}'s language, with that language's prompt; empty to answer as the model writes. */
    public static Optional<Translation> translation(String setting, String question, String locale, PromptSettings prompts) {
        return target(setting, question, locale, prompts.translation().keySet())
            .map(language -> new Translation(language, prompts.translation().get(language)));
    }

    /**
     * The language to translate the answer into, or empty to answer as the model writes.
     *
     * @param setting {@code auto}, {@code en} or a translation language (the channel's, else the settings')
     * @param locale the asker's Discord locale (e.g. {@code ja}, {@code en-US}), or null
     * @param translations the languages there is a translation prompt for
     */
    public static Optional<String> target(String setting, String question, String locale, Set<String> translations) {
        if (setting.equals(PromptSettings.MODEL_LANGUAGE)) return Optional.empty();
        if (!setting.equals(PromptSettings.AUTO)) return translations.contains(setting) ? Optional.of(setting) : Optional.empty();
        return detect(question, locale).filter(translations::contains).filter(l -> !l.equals(PromptSettings.MODEL_LANGUAGE));
    }

    /** The question's language as far as its script (or, for a short Latin one, the locale) tells, or empty. */
    static Optional<String> detect(String question, String locale) {
        Map<UnicodeScript, Integer> counts = new EnumMap<>(UnicodeScript.class);
        question.codePoints().filter(Character::isLetter).forEach(c -> counts.merge(UnicodeScript.of(c), 1, Integer::sum));
        if (counts.containsKey(UnicodeScript.HIRAGANA) || counts.containsKey(UnicodeScript.KATAKANA)) return Optional.of("ja");
        UnicodeScript main = counts.entrySet().stream().max(Map.Entry.comparingByValue()).map(Map.Entry::getKey).orElse(UnicodeScript.COMMON);
        if (main == UnicodeScript.HAN) return Optional.of(localeLanguage(locale).filter(l -> l.equals("ja")).orElse("zh")); // kanji alone
        if (SCRIPTS.containsKey(main)) return Optional.of(SCRIPTS.get(main));
        if (main == UnicodeScript.LATIN) {
            return counts.get(UnicodeScript.LATIN) < SHORT ? localeLanguage(locale).or(() -> Optional.of("en")) : Optional.of("en");
        }
        return localeLanguage(locale);
    }

    /** The language part of a Discord locale: {@code en-US} → {@code en}, {@code ja} → {@code ja}. */
    private static Optional<String> localeLanguage(String locale) {
        if (locale == null || locale.isBlank() || locale.equalsIgnoreCase("unknown")) return Optional.empty();
        return Optional.of(Locale.forLanguageTag(locale).getLanguage()).filter(l -> !l.isEmpty());
    }
}
