package dev.synthiabot.bot.process;

import static dev.synthiabot.bot.sim.DiscordSimulator.options;
import static dev.synthiabot.bot.sim.DiscordSimulator.subcommand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.synthiabot.bot.sim.DiscordSimulator;
import dev.synthiabot.bot.sim.RecordedRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The bot as it ships: {@code scripts/run-bot} starts the built jar with its lib/ and JVM flags as a separate
 * process, on the tiny model (quantized to Q4 on the first start, like the real one), against the Discord
 * simulator. A missing runtime library, a wrong launcher line or a packaging mistake fails here. One bot process serves
 * the class; each test makes its own requests and counts only what happened after it began (the order of the tests
 * does not matter), and the SIGTERM test stops a bot of its own.
 */
class ShippedBotIT {
    static final Duration WAIT = Duration.ofSeconds(60);
    static final Path TINY_MODEL = BotProcess.ROOT.resolve("langchain-adapter/src/test/resources/models/tiny-mistral-a");
    @TempDir
    static Path work;
    static DiscordSimulator d;
    static BotProcess bot;
    static int metricsPort;

    @BeforeAll
    static void start() throws Exception {
        d = new DiscordSimulator();
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            metricsPort = s.getLocalPort();
        }
        bot = new ProcessSettings(d, TINY_MODEL, work).set("generation.temperature", "0").set("generation.max_new_tokens", "24")
            .set("metrics.port", Integer.toString(metricsPort)).startBot(work);
    }

    @AfterAll
    static void stop() throws Exception {
        bot.close();
        d.close();
    }

    @Test
    void should_run_the_built_artifact_without_rebuilding_it() {
        assertThat(bot.output()).noneMatch(l -> l.contains("Building synthia-bot"));
        assertThat(bot.output()).anyMatch(l -> l.contains("Forward pass: synthia-bot Q4 kernels"));
    }

    @Test
    void should_answer_ask() {
        String id = d.slash(d.alice, d.general, "ask", options("question", "Why is the sky blue?"), "en-US");

        assertAnswer(d.awaitFinalResponse(id, WAIT));
    }

    @Test
    void should_answer_translate_ja() {
        String id = d.slash(d.bob, d.general, "translate", subcommand("ja", options("text", "Good morning, everyone.")), "ja");

        assertAnswer(d.awaitFinalResponse(id, WAIT));
    }

    @Test
    void should_answer_a_mention_with_a_reply() {
        String trigger = d.post(d.alice, d.random, "<@" + DiscordSimulator.APP_ID + "> tell me a story", null);

        ObjectNode reply = d.awaitFinalReplyTo(trigger, WAIT);

        assertAnswer(reply);
        assertThat(reply.path("message_reference").path("message_id").asText()).isEqualTo(trigger);
    }

    @Test
    void should_retry_a_final_edit_that_got_a_500() {
        d.failFinalEdits("webhooks/\\d+/tok-\\d+/messages/@original", 500, 1);
        String id = d.slash(d.alice, d.general, "ask", options("question", "Tell me about rivers."), "en-US");

        ObjectNode answer = d.awaitFinalResponse(id, WAIT);

        assertAnswer(answer);
        long finals = d.requests("PATCH", "webhooks/\\d+/tok-" + id + "/messages/@original").stream()
            .filter(r -> !DiscordSimulator.hasCancelButton(r.body())).count();
        assertThat(finals).as("the failed final edit and its retry").isEqualTo(2);
    }

    @Test
    void should_post_the_answer_anew_when_every_try_of_its_final_edit_fails() {
        long began = System.nanoTime();
        d.failFinalEdits("webhooks/\\d+/tok-\\d+/messages/@original", 500, 5);
        String id = d.slash(d.bob, d.general, "ask", options("question", "Tell me about mountains."), "en-US");

        RecordedRequest posted = d.await(r -> r.nanos() > began && r.is("POST", "channels/" + d.general + "/messages") && r.content() != null,
            Duration.ofSeconds(90));

        long finals = d.requests("PATCH", "webhooks/\\d+/tok-" + id + "/messages/@original").stream()
            .filter(r -> !DiscordSimulator.hasCancelButton(r.body())).count();
        assertThat(finals).as("five tries of the final edit").isEqualTo(5);
        String finalText = d.requests("PATCH", "webhooks/\\d+/tok-" + id + "/messages/@original").stream()
            .filter(r -> !DiscordSimulator.hasCancelButton(r.body())).toList().get(4).content();
        assertThat(posted.content()).isEqualTo(finalText);
        assertThat(posted.body().path("components").isEmpty()).as("no Cancel button on the posted answer").isTrue();
    }

    @Test
    void should_count_every_answer_in_the_prometheus_metrics_and_report_healthy() throws Exception {
        String before = awaitIdle(); // earlier answers have all been counted: what follows is this test's own
        d.failFinalEdits("webhooks/\\d+/tok-\\d+/messages/@original", 500, 1); // taken by the first answer's final edit
        for (String question : List.of("Tell me about clouds.", "Tell me about rain.")) {
            assertAnswer(d.awaitFinalResponse(d.slash(d.alice, d.general, "ask", options("question", question), "en-US"), WAIT));
        }
        assertAnswer(d.awaitFinalResponse(d.slash(d.bob, d.general, "translate", subcommand("ja", options("text", "Good night.")), "ja"), WAIT));
        assertAnswer(d.awaitFinalReplyTo(d.post(d.alice, d.random, "<@" + DiscordSimulator.APP_ID + "> tell me a joke", null), WAIT));
        int answers = 4; // two asks (the second reuses the first's system prompt from the KV cache), a translation, a mention

        // An answer is counted just after its final text goes to Discord: wait until the four are, then compare.
        String after = awaitIdle();
        var http = java.net.http.HttpClient.newHttpClient();
        var health = http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + metricsPort + "/health")).build(),
            java.net.http.HttpResponse.BodyHandlers.ofString());

        assertThat(delta(before, after, "synthia_requests_total{command=\"ask\",outcome=\"answered\"}")).isEqualTo(2);
        assertThat(delta(before, after, "synthia_requests_total{command=\"translate\",outcome=\"answered\"}")).isEqualTo(1);
        assertThat(delta(before, after, "synthia_requests_total{command=\"mention\",outcome=\"answered\"}")).isEqualTo(1);
        assertThat(delta(before, after, "synthia_queue_wait_seconds_count")).isEqualTo(answers);
        assertThat(delta(before, after, "synthia_time_to_first_token_seconds_count")).isEqualTo(answers);
        assertThat(delta(before, after, "synthia_generated_tokens_total")).isBetween((double) answers, answers * 24.0);
        assertThat(delta(before, after, "synthia_prompt_tokens_total{source=\"computed\"}")).isPositive();
        assertThat(delta(before, after, "synthia_prompt_tokens_total{source=\"kv_cache\"}")).as("the shared system prompt is reused").isPositive();
        assertThat(delta(before, after, "synthia_decode_tokens_per_second_count")).isEqualTo(answers);
        assertThat(value(after, "synthia_answers_running")).isZero();
        assertThat(after).contains("jvm_memory_used_bytes");
        assertThat(delta(before, after, "synthia_discord_rest_seconds_count{method=\"PATCH\",status=\"5xx\"}")).as("the 500 this test injected")
            .isEqualTo(1);
        assertThat(delta(before, after, "synthia_discord_rest_seconds_count{method=\"PATCH\",status=\"2xx\"}")).isPositive();
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"model\":\"loaded\"").contains("\"discord\":\"connected\"");
        assertThat(dockerHealthcheck()).as("the Dockerfile's HEALTHCHECK command, run against this bot").isZero();
    }

    /** The bot's metrics once it is idle: no answer running or waiting, so every answer so far is counted. */
    static String awaitIdle() {
        return await("the bot idle").atMost(WAIT).until(ShippedBotIT::metrics,
            m -> valueOrZero(m, "synthia_answers_running") == 0 && valueOrZero(m, "synthia_answers_waiting") == 0);
    }

    static String metrics() throws Exception {
        return java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + metricsPort
            + "/metrics")).build(), java.net.http.HttpResponse.BodyHandlers.ofString()).body();
    }

    /** How much a sample grew from one exposition to a later one (a counter not yet created counts as 0 before). */
    static double delta(String before, String after, String sample) {
        return value(after, sample) - valueOrZero(before, sample);
    }

    /** Runs the Dockerfile's HEALTHCHECK command (its exec form), with the image's metrics port replaced by this bot's. */
    static int dockerHealthcheck() throws Exception {
        String dockerfile = java.nio.file.Files.readString(BotProcess.ROOT.resolve("Dockerfile"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("HEALTHCHECK [^\\n]*\\\\\\n\\s*CMD (\\[.*])").matcher(dockerfile);
        assertThat(m.find()).as("a HEALTHCHECK with an exec-form CMD").isTrue();
        List<String> command = new ArrayList<>();
        new com.fasterxml.jackson.databind.ObjectMapper().readTree(m.group(1)).forEach(n -> command.add(n.asText().replace("9100", Integer.toString(metricsPort))));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        assertThat(p.waitFor(20, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
        return p.exitValue();
    }

    static double valueOrZero(String exposition, String sample) {
        return exposition.lines().anyMatch(l -> l.startsWith(sample + " ")) ? value(exposition, sample) : 0;
    }

    /** The value of one sample line of a Prometheus text exposition. */
    static double value(String exposition, String sample) {
        return exposition.lines().filter(l -> l.startsWith(sample + " ")).mapToDouble(l -> Double.parseDouble(l.substring(sample.length() + 1).trim()))
            .findFirst().orElseThrow(() -> new AssertionError("no sample " + sample + " in:\n" + exposition));
    }

    @Test
    void should_tell_whoever_asks_how_the_bot_is_doing_privately() {
        // An answer of its own for the figures of the last answers; then an idle bot for "0 answering, 0 waiting".
        assertAnswer(d.awaitFinalResponse(d.slash(d.admin, d.general, "ask", options("question", "How are you?"), "en-US"), WAIT));
        awaitIdle();
        String id = d.slash(d.bob, d.general, "status", DiscordSimulator.options(), "en-US");

        RecordedRequest reply = d.await(r -> r.is("POST", "interactions/" + id + "/.*/callback"), WAIT);
        String text = reply.body().path("data").path("content").asText();
        assertThat(reply.body().path("data").path("flags").asInt() & 64).as("ephemeral").isEqualTo(64);
        assertThat(text).contains("`tiny-mistral-a`").contains("Kernels: synthia-bot Q4 kernels (").containsPattern("0 answering \\(up to \\d+ at once\\), 0 waiting")
            .containsPattern("Last \\d+ answers: prompt [0-9.]+ tokens/s, decode [0-9.]+ tokens/s, \\d+% of prompt tokens from the KV cache")
            .containsPattern("KV cache: \\d+ conversations, \\d+ / 2048 MB").containsPattern("Memory: heap [0-9.]+ / [0-9.]+ GB, process [0-9.]+ GB");
    }

    @Test
    void should_exit_0_on_sigterm(@TempDir Path own) throws Exception {
        try (DiscordSimulator sim = new DiscordSimulator();
             BotProcess stopping = new ProcessSettings(sim, TINY_MODEL, own).set("generation.max_new_tokens", "24").startBot(own)) {
            stopping.terminate();

            assertThat(stopping.awaitExit(Duration.ofSeconds(60))).isZero();
            assertThat(stopping.output()).anyMatch(l -> l.contains("synthia-bot stopped"));
        }
    }

    /** A final answer: text, no cursor, no Cancel button, none of the bot's error notes, nobody pinged. */
    static void assertAnswer(ObjectNode message) {
        String content = message.path("content").asText();
        assertThat(content).isNotBlank().doesNotContain("▌");
        assertThat(content).doesNotStartWith("⚠️").doesNotStartWith("🔌").doesNotStartWith("⏳").doesNotStartWith("🤔");
        assertThat(DiscordSimulator.hasCancelButton(message)).as("a Cancel button").isFalse();
    }
}
