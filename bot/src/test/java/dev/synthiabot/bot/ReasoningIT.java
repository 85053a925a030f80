package dev.synthiabot.bot;

import static dev.synthiabot.bot.sim.DiscordSimulator.options;
import static dev.synthiabot.bot.sim.DiscordSimulator.subcommand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.synthiabot.bot.sim.DiscordSimulator;
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
 * Folded reasoning, end to end (real JDA, the simulator): SynthIA's Tree-of-Thoughts sections show as a live status,
 * the answer after "Answer:" streams as the message, and a Show reasoning button gives anyone the whole text
 * privately; a text without sections streams as it comes; /prompt reasoning inline and hidden; a reply chain keeps
 * the whole text; a translated answer translates the answer, not the reasoning.
 */
class ReasoningIT {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String TREE = "Evolved Thought: Kyoto was the capital of Japan for more than a thousand years, so the question is about "
        + "a well-known city.\nReasoning: The city lies west of Tokyo, in the Kansai region, near Osaka and Nara.\n"
        + "Backtracking Thought: Nothing contradicts this.\nAnswer: Kyoto is in the Kansai region of Japan, west of Tokyo.";
    static final String ANSWER = "Kyoto is in the Kansai region of Japan, west of Tokyo.";
    static final String PLAIN_PROMPT = "Answer plainly.";
    static final String PLAIN = "Hello there! Kyoto is a city in Japan, known for its temples and gardens.";
    static final String JAPANESE = "京都は日本の関西地方にあります。";
    @TempDir
    static Path dir;
    static BotHarness h;
    static PromptedModel model;
    static DiscordSimulator d;

    @BeforeAll
    static void start() throws Exception {
        model = new PromptedModel(Map.of(PLAIN_PROMPT, PLAIN, SettingKey.TRANSLATE_JA, JAPANESE), TREE, 30);
        // the same users ask in several tests; the one-request-per-user limit is tested in QueueIT
        h = BotHarness.start(dir, model, null, Map.of("SYNTHIA_LIMITS__PER_USER_CONCURRENT", "4"));
        d = h.discord;
        d.await(r -> r.is("PUT", "applications/\\d+/guilds/\\d+/commands"), WAIT);
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    private List<String> shownWhileWriting(String interactionId) {
        return d.requests("PATCH", "webhooks/\\d+/tok-" + interactionId + "/messages/@original").stream()
            .filter(r -> DiscordSimulator.hasCancelButton(r.body())).map(r -> r.content()).toList();
    }

    private ChatRequest requestEndingWith(String question) {
        return await().atMost(WAIT).until(() -> model.requests.stream()
            .filter(r -> r.messages().get(r.messages().size() - 1) instanceof UserMessage u && u.singleText().equals(question)).findFirst(),
            java.util.Optional::isPresent).orElseThrow();
    }

    @Test
    void should_show_the_reasoning_as_a_status_then_the_answer_with_a_button_that_shows_anyone_the_whole_text() {
        String id = d.slash(d.alice, d.general, "ask", options("question", "Where is Kyoto?"), "en-US");

        ObjectNode answer = d.awaitFinalResponse(id, WAIT);
        assertThat(answer.path("content").asText()).isEqualTo(ANSWER);
        assertThat(DiscordSimulator.buttonIds(answer)).containsExactly("synthia-original", "synthia-regenerate");
        assertThat(answer.path("components").get(0).path("components").get(0).path("label").asText()).isEqualTo("🧠 Show reasoning");
        List<String> streamed = shownWhileWriting(id);
        assertThat(streamed).anyMatch(t -> t.matches("🧠 Reasoning… \\d+ words"));
        assertThat(streamed).as("nothing of the reasoning or of a label is shown while writing")
            .noneMatch(t -> t.contains("Thought") || t.contains("Answer") || t.contains("Reasoning:"));
        assertThat(streamed.stream().filter(t -> t.endsWith("▌")).toList()).isNotEmpty()
            .allMatch(t -> ANSWER.startsWith(t.replace(" ▌", "").strip()));

        String press = d.button(d.bob, d.general, answer.path("id").asText(), "synthia-original");
        await().atMost(WAIT).until(() -> d.responseTexts(press).stream().anyMatch(t -> t.contains("Evolved Thought")));
        assertThat(String.join("", d.responseTexts(press))).isEqualTo(TREE);
        assertThat(d.await(r -> r.is("POST", "interactions/" + press + "/.*/callback"), WAIT).body().path("data").path("flags").asInt() & 64)
            .as("only the one who pressed it sees it").isEqualTo(64);
    }

    @Test
    void should_stream_a_text_without_labelled_sections_as_it_comes_with_no_show_reasoning_button() {
        h.prompts.set(d.thread, PLAIN_PROMPT, "test");
        String id = d.slash(d.alice, d.thread, "ask", options("question", "Say hello"), "en-US");

        ObjectNode answer = d.awaitFinalResponse(id, WAIT);
        assertThat(answer.path("content").asText()).isEqualTo(PLAIN);
        assertThat(DiscordSimulator.buttonIds(answer)).as("nothing folded: no Show reasoning").containsExactly("synthia-regenerate");
        assertThat(shownWhileWriting(id)).anyMatch(t -> t.startsWith("Hello") && t.endsWith("▌"));
        h.prompts.reset(d.thread, "test");
    }

    @Test
    void should_show_all_of_it_inline_or_the_answer_alone_when_hidden_as_the_channel_says() {
        String inline = d.slash(d.admin, d.random, "prompt", subcommand("reasoning", options("reasoning", "inline")), "en-US");
        assertThat(d.await(r -> r.is("PATCH", "webhooks/\\d+/tok-" + inline + "/messages/@original"), WAIT).content())
            .startsWith("✅ Reasoning: inline");
        String all = d.slash(d.bob, d.random, "ask", options("question", "Where is Kyoto, inline?"), "en-US");
        ObjectNode whole = d.awaitFinalResponse(all, WAIT);
        assertThat(whole.path("content").asText()).isEqualTo(TREE);
        assertThat(DiscordSimulator.buttonIds(whole)).containsExactly("synthia-regenerate");

        d.slash(d.admin, d.random, "prompt", subcommand("reasoning", options("reasoning", "hidden")), "en-US");
        await().atMost(WAIT).until(() -> h.prompts.setting(ChannelSetting.REASONING, d.random).filter("hidden"::equals).isPresent());
        String hidden = d.slash(d.bob, d.random, "ask", options("question", "Where is Kyoto, hidden?"), "en-US");
        ObjectNode answerOnly = d.awaitFinalResponse(hidden, WAIT);
        assertThat(answerOnly.path("content").asText()).isEqualTo(ANSWER);
        assertThat(DiscordSimulator.buttonIds(answerOnly)).containsExactly("synthia-regenerate");

        d.slash(d.admin, d.random, "prompt", subcommand("reasoning", options("reasoning", "inherit")), "en-US");
        await().atMost(WAIT).until(() -> h.prompts.setting(ChannelSetting.REASONING, d.random).isEmpty());
    }

    @Test
    void should_continue_a_reply_chain_from_the_whole_text_the_model_wrote() {
        String first = d.post(d.alice, d.general, "<@" + DiscordSimulator.APP_ID + "> where is Kyoto?", null);
        ObjectNode reply = d.awaitFinalReplyTo(first, WAIT);
        assertThat(reply.path("content").asText()).isEqualTo(ANSWER);

        String followUp = "And Osaka?";
        String second = d.post(d.alice, d.general, followUp, reply.path("id").asText());

        ChatRequest next = requestEndingWith(followUp);
        assertThat(((AiMessage) next.messages().get(2)).text()).as("the model sees what it wrote, reasoning included").isEqualTo(TREE);
        assertThat(d.awaitFinalReplyTo(second, WAIT).path("content").asText()).isEqualTo(ANSWER);
    }

    @Test
    void should_translate_the_answer_not_the_reasoning_and_keep_the_reasoning_behind_the_button() {
        String question = "京都はどこですか？";
        String id = d.slash(d.bob, d.general, "ask", options("question", question), "ja");

        ObjectNode answer = d.awaitFinalResponse(id, WAIT);
        assertThat(answer.path("content").asText()).isEqualTo(JAPANESE);
        assertThat(answer.path("components").get(0).path("components").get(0).path("label").asText()).isEqualTo("🧠 推論を表示");
        ChatRequest translation = requestEndingWith(ANSWER);
        assertThat(translation.messages().get(0).toString()).contains(SettingKey.TRANSLATE_JA);
    }
}
