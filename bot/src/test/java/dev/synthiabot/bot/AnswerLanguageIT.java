package dev.synthiabot.bot;

import static dev.synthiabot.bot.sim.DiscordSimulator.options;
import static dev.synthiabot.bot.sim.DiscordSimulator.subcommand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.synthiabot.bot.sim.DiscordSimulator;
import dev.synthiabot.bot.sim.RecordedRequest;
import dev.synthiabot.config.SettingKey;
import dev.synthiabot.config.prompts.ChannelSetting;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Answers in the asker's language, end to end (real JDA, the simulator): a Japanese question gets SynthIA's English
 * answer translated with the Japanese prompt, as two chat requests; an English one gets one; the channel's setting
 * forces either way; a reply chain continues in the English; a cancel during the first step ends it there.
 */
class AnswerLanguageIT {
    static final Duration WAIT = Duration.ofSeconds(30);
    /** 30 words at 50 ms each: the first step runs 1.5 s, long enough to see its progress and to cancel it. */
    static final String ENGLISH = "Kyoto is in the Kansai region of Japan, on the main island of Honshu, about two and a half hours west of Tokyo "
        + "by train; it was the capital for more than a thousand years. ";
    static final String JAPANESE = "京都は日本の関西地方にあります。";
    @TempDir
    static Path dir;
    static BotHarness h;
    static PromptedModel model;
    static DiscordSimulator d;

    @BeforeAll
    static void start() throws Exception {
        model = new PromptedModel(Map.of(SettingKey.TRANSLATE_JA, JAPANESE), ENGLISH, 50);
        // the same users ask in several tests; the one-request-per-user limit is tested in QueueIT
        h = BotHarness.start(dir, model, null, Map.of("SYNTHIA_LIMITS__PER_USER_CONCURRENT", "4"));
        d = h.discord;
        d.await(r -> r.is("PUT", "applications/\\d+/guilds/\\d+/commands"), WAIT);
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    /** The requests the model got for a question (its answer step, then any translation step), once it has them all. */
    static List<ChatRequest> requestsFor(String question, int expected) {
        return await().atMost(WAIT).until(() -> {
            int i = indexOfQuestion(question);
            return i < 0 ? List.<ChatRequest>of() : model.requests.subList(i, Math.min(model.requests.size(), i + expected));
        }, l -> l.size() == expected);
    }

    private static int indexOfQuestion(String question) {
        for (int i = 0; i < model.requests.size(); i++) {
            List<?> m = model.requests.get(i).messages();
            if (m.get(m.size() - 1) instanceof UserMessage u && u.singleText().equals(question)) return i;
        }
        return -1;
    }

    static String system(ChatRequest r) {
        return ((SystemMessage) r.messages().get(0)).text();
    }

    static String lastUser(ChatRequest r) {
        return ((UserMessage) r.messages().get(r.messages().size() - 1)).singleText();
    }

    @Test
    void should_answer_a_japanese_question_in_english_then_translate_it_into_japanese() {
        String question = "京都はどこにありますか？";
        String id = d.slash(d.alice, d.general, "ask", options("question", question), "ja");

        String shown = d.awaitFinalResponse(id, WAIT).path("content").asText();

        assertThat(shown).isEqualTo(JAPANESE);
        List<ChatRequest> steps = requestsFor(question, 2);
        assertThat(system(steps.get(0))).isEqualTo(SettingKey.TREE_OF_THOUGHTS);
        assertThat(system(steps.get(1))).isEqualTo(SettingKey.TRANSLATE_JA);
        assertThat(lastUser(steps.get(1))).as("the translation step carries the English answer").isEqualTo(ENGLISH);
        assertThat(d.requests("PATCH", "webhooks/\\d+/tok-" + id + "/messages/@original")).as("while the English is written, the asker sees how far it got")
            .anyMatch(r -> r.content() != null && r.content().startsWith("🤔 考えています…（英語で ") && r.content().contains("日本語に翻訳します"));
    }

    @Test
    void should_answer_an_english_question_in_one_step() {
        String question = "Where is Kyoto?";
        String id = d.slash(d.bob, d.general, "ask", options("question", question), "ja"); // a long English question: its own language

        assertThat(d.awaitFinalResponse(id, WAIT).path("content").asText()).isEqualTo(ENGLISH.strip());
        requestsFor(question, 1);
        await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> model.requests.size() == indexOfQuestion(question) + 1);
    }

    @Test
    void should_follow_the_channels_answer_language_set_from_discord() {
        String toEnglish = d.slash(d.admin, d.random, "prompt", subcommand("language", options("language", "en")), "en-US");
        assertThat(d.await(r -> r.is("PATCH", "webhooks/\\d+/tok-" + toEnglish + "/messages/@original"), WAIT).content())
            .startsWith("✅ Answer language: English (as the model writes)");
        String japaneseQuestion = "大阪はどこ？";
        String id = d.slash(d.alice, d.random, "ask", options("question", japaneseQuestion), "ja");
        assertThat(d.awaitFinalResponse(id, WAIT).path("content").asText()).isEqualTo(ENGLISH.strip());
        requestsFor(japaneseQuestion, 1);

        d.slash(d.admin, d.random, "prompt", subcommand("language", options("language", "ja")), "en-US");
        await().atMost(WAIT).until(() -> h.prompts.setting(ChannelSetting.ANSWER_LANGUAGE, d.random).filter("ja"::equals).isPresent());
        String englishQuestion = "Where is Osaka, in a long sentence?";
        String forced = d.slash(d.bob, d.random, "ask", options("question", englishQuestion), "en-US");
        assertThat(d.awaitFinalResponse(forced, WAIT).path("content").asText()).isEqualTo(JAPANESE);
        assertThat(system(requestsFor(englishQuestion, 2).get(1))).isEqualTo(SettingKey.TRANSLATE_JA);

        d.slash(d.admin, d.random, "prompt", subcommand("language", options("language", "inherit")), "en-US");
        await().atMost(WAIT).until(() -> h.prompts.setting(ChannelSetting.ANSWER_LANGUAGE, d.random).isEmpty());
    }

    @Test
    void should_continue_a_reply_chain_in_the_english_the_model_wrote() {
        String first = d.post(d.alice, d.general, "<@" + DiscordSimulator.APP_ID + "> 京都について教えて", null);
        var reply = d.awaitFinalReplyTo(first, WAIT);
        assertThat(reply.path("content").asText()).isEqualTo(JAPANESE);

        String followUp = "もっと教えて";
        String second = d.post(d.alice, d.general, followUp, reply.path("id").asText());

        ChatRequest next = requestsFor(followUp, 2).get(0);
        assertThat(next.messages()).hasSize(4);
        assertThat(((AiMessage) next.messages().get(2)).text()).as("the bot's turn in English, not the translation shown").isEqualTo(ENGLISH);
        assertThat(d.awaitFinalReplyTo(second, WAIT).path("content").asText()).isEqualTo(JAPANESE);
    }

    @Test
    void should_end_at_the_first_step_when_cancelled_there() {
        String question = "奈良はどこですか？長く説明してください。";
        String id = d.slash(d.bob, d.thread, "ask", options("question", question), "ja");
        RecordedRequest status = d.await(r -> r.is("PATCH", "webhooks/\\d+/tok-" + id + "/messages/@original") && r.content() != null
            && r.content().startsWith("🤔 考えています…（英語で"), WAIT);
        String button = status.body().path("components").get(0).path("components").get(0).path("custom_id").asText();
        d.button(d.bob, d.thread, d.message("orig:tok-" + id).path("id").asText(), button);

        assertThat(d.awaitFinalResponse(id, WAIT).path("content").asText()).endsWith("🛑 キャンセルしました。");
        await("no translation step after the cancel").during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(3))
            .until(() -> model.requests.size() == indexOfQuestion(question) + 1);
    }
}
