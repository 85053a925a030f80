package dev.synthiabot.bot.translate;

import java.util.Locale;

/** Display names of translation target languages, in English and Japanese. */
final class Languages {
    private Languages() {}

    static String english(String code) {
        String name = Locale.forLanguageTag(code).getDisplayName(Locale.ENGLISH);
        return name.isBlank() ? code : name;
    }

    static String japanese(String code) {
        String name = Locale.forLanguageTag(code).getDisplayName(Locale.JAPANESE);
        return name.isBlank() ? code : name;
    }
}
