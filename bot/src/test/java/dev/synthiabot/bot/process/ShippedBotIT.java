package dev.synthiabot.bot.process;

import static dev.synthiabot.bot.sim.DiscordSimulator.options;
import static dev.synthiabot.bot.sim.DiscordSimulator.subcommand;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.synthiabot.bot.sim.DiscordSimulator;
import dev.synthiabot.bot.sim.RecordedRequest;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bot as it ships: {@code scripts/run-bot} starts the built jar with its lib/ and JVM flags as a separate
 * process, on the tiny model (quantized to Q4 on the first start, like the real one), against the Discord
 * simulator. A missing runtime library, a wrong launcher line or a packaging mistake fails here.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShippedBotIT {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final Path TINY_MODEL = BotProcess.ROOT.resolve("langchain-adapter/src/test/resources/models/tiny-mistral-a");
    @TempDir
    static Path work;
    static DiscordSimulator d;
    static BotProcess bot;

    @BeforeAll
    static void start() throws Exception {
        d = new DiscordSimulator();
        bot = new ProcessSettings(d, TINY_MODEL, work).set("generation.temperature", "0").set("generation.max_new_tokens", "24").startBot(work);
    }

    @AfterAll
    static void stop() throws Exception {
        bot.close();
        d.close();
    }

    @Test
    @Order(1)
    void should_run_the_built_artifact_without_rebuilding_it() {
        assertThat(bot.output()).noneMatch(l -> l.contains("Building synthia-bot"));
        assertThat(bot.output()).anyMatch(l -> l.contains("Forward pass: synthia-bot Q4 kernels"));
    }

    @Test
    @Order(2)
    void should_answer_ask() {
        String id = d.slash(d.alice, d.general, "ask", options("question", "Why is the sky blue?"), "en-US");

        assertAnswer(d.awaitFinalResponse(id, WAIT));
    }

    @Test
    @Order(3)
    void should_answer_translate_ja() {
        String id = d.slash(d.bob, d.general, "translate", subcommand("ja", options("text", "Good morning, everyone.")), "ja");

        assertAnswer(d.awaitFinalResponse(id, WAIT));
    }

    @Test
    @Order(4)
    void should_answer_a_mention_with_a_reply() {
        String trigger = d.post(d.alice, d.random, "<@" + DiscordSimulator.APP_ID + "> tell me a story", null);

        ObjectNode reply = d.awaitFinalReplyTo(trigger, WAIT);

        assertAnswer(reply);
        assertThat(reply.path("message_reference").path("message_id").asText()).isEqualTo(trigger);
    }

    @Test
    @Order(5)
    void should_retry_a_final_edit_that_got_a_500() {
        d.failFinalEdits("webhooks/\\d+/tok-\\d+/messages/@original", 500, 1);
        String id = d.slash(d.alice, d.general, "ask", options("question", "Tell me about rivers."), "en-US");

        ObjectNode answer = d.awaitFinalResponse(id, WAIT);

        assertAnswer(answer);
        long finals = d.requests("PATCH", "webhooks/\\d+/tok-" + id + "/messages/@original").stream()
            .filter(r -> r.body().path("components").isEmpty()).count();
        assertThat(finals).as("the failed final edit and its retry").isEqualTo(2);
    }

    @Test
    @Order(6)
    void should_post_the_answer_anew_when_every_try_of_its_final_edit_fails() {
        d.failFinalEdits("webhooks/\\d+/tok-\\d+/messages/@original", 500, 5);
        String id = d.slash(d.bob, d.general, "ask", options("question", "Tell me about mountains."), "en-US");

        RecordedRequest posted = d.await(r -> r.is("POST", "channels/" + d.general + "/messages") && r.content() != null, Duration.ofSeconds(90));

        long finals = d.requests("PATCH", "webhooks/\\d+/tok-" + id + "/messages/@original").stream()
            .filter(r -> r.body().path("components").isEmpty()).count();
        assertThat(finals).as("five tries of the final edit").isEqualTo(5);
        String finalText = d.requests("PATCH", "webhooks/\\d+/tok-" + id + "/messages/@original").stream()
            .filter(r -> r.body().path("components").isEmpty()).toList().get(4).content();
        assertThat(posted.content()).isEqualTo(finalText);
        assertThat(posted.body().path("components").isEmpty()).as("no Cancel button on the posted answer").isTrue();
    }

    @Test
    @Order(7)
    void should_tell_whoever_asks_how_the_bot_is_doing_privately() {
        String id = d.slash(d.bob, d.general, "status", DiscordSimulator.options(), "en-US");

        RecordedRequest reply = d.await(r -> r.is("POST", "interactions/" + id + "/.*/callback"), WAIT);
        String text = reply.body().path("data").path("content").asText();
        assertThat(reply.body().path("data").path("flags").asInt() & 64).as("ephemeral").isEqualTo(64);
        assertThat(text).contains("`tiny-mistral-a`").contains("Kernels: synthia-bot Q4 kernels (").contains("0 answering, 0 waiting")
            .containsPattern("Last \\d+ answers: prompt [0-9.]+ tokens/s, decode [0-9.]+ tokens/s, \\d+% of prompt tokens from the KV cache")
            .containsPattern("KV cache: \\d+ conversations, \\d+ / 2048 MB").containsPattern("Memory: heap [0-9.]+ / [0-9.]+ GB, process [0-9.]+ GB");
    }

    @Test
    @Order(8)
    void should_exit_0_on_sigterm() throws Exception {
        bot.terminate();

        assertThat(bot.awaitExit(Duration.ofSeconds(60))).isZero();
        assertThat(bot.output()).anyMatch(l -> l.contains("synthia-bot stopped"));
    }

    /** A final answer: text, no cursor, no Cancel button, none of the bot's error notes, nobody pinged. */
    static void assertAnswer(ObjectNode message) {
        String content = message.path("content").asText();
        assertThat(content).isNotBlank().doesNotContain("▌");
        assertThat(content).doesNotStartWith("⚠️").doesNotStartWith("🔌").doesNotStartWith("⏳").doesNotStartWith("🤔");
        assertThat(message.path("components").isEmpty()).as("no Cancel button").isTrue();
    }
}
