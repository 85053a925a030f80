package dev.synthiabot.bot;

import static dev.synthiabot.bot.sim.DiscordSimulator.options;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synthiabot.bot.sim.DiscordSimulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Asked while the model loads (real JDA, the simulator): questions are accepted, not refused; each asker sees their
 * place and the load's time left as it goes, and gets the answer once the model is ready.
 */
class ModelLoadingIT {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final String ANSWER = "Loaded and answering. ";
    @TempDir
    Path dir;
    BotHarness h;
    DiscordSimulator d;
    PromptedModel model = new PromptedModel(Map.of(), ANSWER, 10);

    @BeforeEach
    void connectWhileTheModelLoads() throws Exception {
        h = BotHarness.connect(dir, model, null, Map.of(), answers -> List.of());
        d = h.discord;
        d.await(r -> r.is("PUT", "applications/\\d+/guilds/\\d+/commands"), WAIT);
    }

    @AfterEach
    void stop() throws Exception {
        h.close();
    }

    private String status(String interactionId, String startsWith) {
        return d.await(r -> r.is("PATCH", "webhooks/\\d+/tok-" + interactionId + "/messages/@original") && r.content() != null
            && r.content().startsWith(startsWith), WAIT).content();
    }

    @Test
    void should_queue_questions_asked_while_loading_and_answer_them_once_the_model_is_ready() {
        String first = d.slash(d.alice, d.general, "ask", options("question", "Are you there?"), "en-US");
        assertThat(status(first, "⏳")).isEqualTo("⏳ The model is loading; your question is next in line.");
        String second = d.slash(d.bob, d.general, "ask", options("question", "もう準備できましたか？"), "ja");
        assertThat(status(second, "⏳")).isEqualTo("⏳ モデルを読み込んでいます。あなたの質問は 2 番目です。");

        h.app.loadProgress(Optional.of(Duration.ofSeconds(42)));
        assertThat(status(first, "⏳ The model is loading (")).isEqualTo("⏳ The model is loading (about 50 s); your question is next in line.");
        assertThat(status(second, "⏳ モデルを読み込んでいます（")).isEqualTo("⏳ モデルを読み込んでいます（約 50 秒）。あなたの質問は 2 番目です。");
        assertThat(model.requests).as("nothing reaches the model before it is ready").isEmpty();

        h.app.modelReady(model, 1);

        assertThat(d.awaitFinalResponse(first, WAIT).path("content").asText()).isEqualTo(ANSWER.strip());
        assertThat(d.awaitFinalResponse(second, WAIT).path("content").asText()).isNotBlank();
        assertThat(d.requests("POST", "interactions/(" + first + "|" + second + ")/.*/callback"))
            .as("both deferred: accepted, not refused privately").hasSize(2)
            .allMatch(r -> r.body().path("type").asInt() == 5 && (r.body().path("data").path("flags").asInt() & 64) == 0);
    }

    @Test
    void should_refuse_a_private_question_while_loading_as_its_token_may_not_outlive_the_load() {
        String id = d.slash(d.alice, d.general, "ask", options("question", "Secret?", "private", true), "en-US");

        var refusal = d.await(r -> r.is("POST", "interactions/" + id + "/.*/callback"), WAIT).body();
        assertThat(refusal.path("data").path("content").asText())
            .isEqualTo("⏳ The model is still loading, and a private answer cannot wait that long. Please ask again once it is ready.");
        assertThat(refusal.path("data").path("flags").asInt() & 64).isEqualTo(64);
    }

    @Test
    void should_answer_a_mention_made_while_loading() {
        String question = d.post(d.alice, d.general, "<@" + DiscordSimulator.APP_ID + "> hello, are you up?", null);
        d.await(r -> r.is("POST", "channels/\\d+/messages") && r.content() != null && r.content().startsWith("⏳ The model is loading"), WAIT);

        h.app.modelReady(model, 1);

        assertThat(d.awaitFinalReplyTo(question, WAIT).path("content").asText()).isEqualTo(ANSWER.strip());
    }
}
