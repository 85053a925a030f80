package dev.synthiabot.bot.answer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AnswerLanguageTest {
    private static final Set<String> JA_KO = Set.of("ja", "ko");

    @Test
    void should_translate_in_auto_only_into_the_questions_language_when_there_is_a_prompt_for_it() {
        assertThat(AnswerLanguage.target("auto", "京都はどこにありますか？", "en-US", JA_KO)).contains("ja");
        assertThat(AnswerLanguage.target("auto", "서울은 어디에 있나요?", "en-US", JA_KO)).contains("ko");
        assertThat(AnswerLanguage.target("auto", "Where is Kyoto, and why was it the capital?", "ja", JA_KO)).as("English: as written").isEmpty();
        assertThat(AnswerLanguage.target("auto", "Где находится Киото?", "ru", JA_KO)).as("no Russian prompt").isEmpty();
    }

    @Test
    void should_let_the_askers_locale_decide_a_short_latin_question() {
        assertThat(AnswerLanguage.target("auto", "ok?", "ja", JA_KO)).contains("ja");
        assertThat(AnswerLanguage.target("auto", "ok?", "en-US", JA_KO)).isEmpty();
        assertThat(AnswerLanguage.target("auto", "ok?", null, JA_KO)).isEmpty();
    }

    @Test
    void should_read_kanji_alone_as_japanese_for_a_japanese_locale_else_chinese() {
        assertThat(AnswerLanguage.detect("東京都", "ja")).contains("ja");
        assertThat(AnswerLanguage.detect("北京在哪里", "zh-CN")).contains("zh");
        assertThat(AnswerLanguage.detect("漢字とかな", "en-US")).as("any kana is Japanese").contains("ja");
    }

    @Test
    void should_follow_a_fixed_setting_whatever_the_question() {
        assertThat(AnswerLanguage.target("en", "京都はどこ？", "ja", JA_KO)).isEmpty();
        assertThat(AnswerLanguage.target("ja", "Where is Kyoto, please tell me?", "en-US", JA_KO)).contains("ja");
        assertThat(AnswerLanguage.target("fr", "Where is Kyoto?", "en-US", JA_KO)).as("no French prompt any more").isEmpty();
        assertThat(AnswerLanguage.detect("1234 !!", "ko")).isEqualTo(Optional.of("ko"));
    }
}
