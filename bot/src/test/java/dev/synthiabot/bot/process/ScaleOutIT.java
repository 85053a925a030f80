package dev.synthiabot.bot.process;

import static dev.synthiabot.bot.process.ServeProcess.chatRequests;
import static dev.synthiabot.bot.process.ServeProcess.tokens;
import static dev.synthiabot.bot.process.ShippedBotIT.assertAnswer;
import static dev.synthiabot.bot.process.ShutdownIT.original;
import static dev.synthiabot.bot.sim.DiscordSimulator.options;
import static dev.synthiabot.bot.sim.DiscordSimulator.subcommand;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.synthiabot.bot.sim.DiscordSimulator;
import dev.synthiabot.bot.sim.RecordedRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped bot with {@code model.provider: openai} on two {@code synthia-bot serve} processes (all three started
 * as users start them, on the slow random model), against the Discord simulator. In order: answers through both
 * servers; a reply chain kept on its server; one server SIGKILLed mid-answer, the other answering on; both down; one
 * started again on its port and used again after its probe. The first two tests run on a bot with short answers; the
 * last three, which build on one another (a server killed stays dead), on a bot of their own with long answers, so
 * that an answer is still being written when its server dies.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ScaleOutIT {
    static final Duration WAIT = Duration.ofSeconds(120);
    static final String FAILED = "⚠️ The model failed on this one. Please try again.";
    @TempDir
    static Path work;
    static DiscordSimulator d;
    static ServeProcess a, b;
    static BotProcess bot;
    static final List<String> timings = new ArrayList<>();

    @BeforeAll
    static void start() throws Exception {
        d = new DiscordSimulator();
        a = serve("serve-a");
        b = serve("serve-b");
        bot = startBot("bot-short", 24);
    }

    @AfterAll
    static void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[] {bot, a, b, d}) {
            if (c != null) c.close();
        }
        System.out.println("ScaleOutIT timings:");
        timings.forEach(t -> System.out.println("  " + t));
    }

    static ServeProcess serve(String name) throws Exception {
        Path dir = work.resolve(name);
        return ServeProcess.start(ProcessSettings.serve(SlowModel.dir(), dir).set("model.max_concurrent", "2").set("model.kv_cache_mb", "256"),
            SlowModel.dir(), dir, Map.of());
    }

    /** The bot on both servers, its answers {@code maxTokens} long. */
    static BotProcess startBot(String name, int maxTokens) throws Exception {
        Path dir = work.resolve(name);
        java.nio.file.Files.createDirectories(dir);
        String endpoints = "[" + endpoint(a) + ", " + endpoint(b) + "]";
        return new ProcessSettings(d, SlowModel.dir(), dir).unset("model.local_path").set("model.provider", "openai").set("model.endpoints", endpoints)
            .set("generation.max_new_tokens", Integer.toString(maxTokens)).startBot(dir);
    }

    static String endpoint(ServeProcess s) {
        return "{url: \"" + s.baseUrl() + "\", model: \"" + s.modelId + "\", max_concurrent: 2}";
    }

    // ------------------------------------------------------------------ both servers up

    @Test
    @Order(1)
    void should_answer_ask_translate_and_a_mention_through_the_servers() {
        List<Character> servedBy = new ArrayList<>();

        servedBy.add(servedBy(() -> d.awaitFinalResponse(d.slash(d.alice, d.general, "ask", options("question", "Why is the sky blue?"), "en-US"), WAIT)));
        servedBy.add(servedBy(() -> d.awaitFinalResponse(
            d.slash(d.bob, d.general, "translate", subcommand("ja", options("text", "Good morning, everyone.")), "ja"), WAIT)));
        servedBy.add(servedBy(() -> {
            String trigger = d.post(d.alice, d.random, "<@" + DiscordSimulator.APP_ID + "> tell me a story", null);
            ObjectNode reply = d.awaitFinalReplyTo(trigger, WAIT);
            assertThat(reply.path("message_reference").path("message_id").asText()).isEqualTo(trigger);
            return reply;
        }));

        System.out.println("ask, translate ja, mention answered by: " + servedBy);
        assertThat(servedBy).as("one after the other, each goes to the least used server: both are used").contains('a', 'b');
    }

    @Test
    @Order(2)
    void should_send_a_reply_chain_follow_up_to_the_server_of_its_first_turn() {
        idle();
        String m0a = a.metrics(), m0b = b.metrics();
        String trigger = d.post(d.bob, d.random, "<@" + DiscordSimulator.APP_ID + "> what is the moon made of?", null);
        ObjectNode first = d.awaitFinalReplyTo(trigger, WAIT);
        assertAnswer(first);
        idle();
        String m1a = a.metrics(), m1b = b.metrics();
        char x = answeredDelta(m0a, m1a) == 1 ? 'a' : 'b';
        assertThat(answeredDelta(m0a, m1a) + answeredDelta(m0b, m1b)).isEqualTo(1);
        double firstTurnPrompt = tokens(x == 'a' ? m1a : m1b, "prompt") - tokens(x == 'a' ? m0a : m0b, "prompt");

        // Without affinity the follow-up would go to the least used server (the first listed when even). Make sure that is
        // the other one, so that the follow-up landing on the first turn's server shows the affinity and nothing else.
        if (withoutAffinity(m1a, m1b) == x) {
            assertAnswer(d.awaitFinalResponse(d.slash(d.admin, d.general, "ask", options("question", "What is a comet?"), "en-US"), WAIT));
            idle();
            m1a = a.metrics();
            m1b = b.metrics();
        }
        assertThat(withoutAffinity(m1a, m1b)).as("the least used server is the other one").isNotEqualTo(x);

        String followUp = d.post(d.bob, d.random, "And why does it shine at night?", first.path("id").asText());
        assertAnswer(d.awaitFinalReplyTo(followUp, WAIT));
        idle();
        String m2a = a.metrics(), m2b = b.metrics();

        String before = x == 'a' ? m1a : m1b, after = x == 'a' ? m2a : m2b;
        String otherBefore = x == 'a' ? m1b : m1a, otherAfter = x == 'a' ? m2b : m2a;
        double cached = tokens(after, "cached_prompt") - tokens(before, "cached_prompt");
        System.out.printf("reply chain: first turn on serve-%s (%.0f prompt tokens); follow-up on the same server: %.0f requests, %.0f cached prompt "
            + "tokens of %.0f; the other server: %.0f requests%n", x, firstTurnPrompt, chatRequests(after) - chatRequests(before), cached,
            tokens(after, "prompt") - tokens(before, "prompt"), chatRequests(otherAfter) - chatRequests(otherBefore));
        assertThat(chatRequests(after, "outcome=\"answered\"") - chatRequests(before, "outcome=\"answered\"")).as("the follow-up on serve-" + x)
            .isEqualTo(1);
        assertThat(cached).as("the first turn's prompt (at least) came from serve-" + x + "'s KV cache").isGreaterThanOrEqualTo(firstTurnPrompt - 1);
        assertThat(chatRequests(otherAfter) - chatRequests(otherBefore)).as("nothing went to the other server").isZero();
        assertThat(tokens(otherAfter, "prompt") - tokens(otherBefore, "prompt")).isZero();
    }

    // ------------------------------------------------------------------ failures

    @Test
    @Order(3)
    void should_end_an_answer_whose_server_was_killed_with_its_text_and_a_note_then_answer_on_the_survivor() throws Exception {
        bot.terminate();
        assertThat(bot.awaitExit(Duration.ofSeconds(60))).isZero();
        bot = startBot("bot-long", 500); // long answers: one is still being written when its server dies

        String id = d.slash(d.alice, d.general, "ask", options("question", "Write a long essay about the sea."), "en-US");
        d.await(q -> q.is("PATCH", original(id)) && q.content() != null && q.content().endsWith(" ▌"), WAIT);
        ServeProcess answering = org.awaitility.Awaitility.await("the server writing the answer").atMost(WAIT).pollInterval(Duration.ofMillis(20))
            .until(() -> a.running() == 1 ? a : b.running() == 1 ? b : null, java.util.Objects::nonNull);
        ServeProcess survivor = answering == a ? b : a;

        long killed = System.nanoTime();
        answering.process().kill();
        String text = awaitWholeResponse(id, t -> t.endsWith(FAILED));
        long finalAt = finalEditNanos(id);
        assertThat(answering.process().awaitExit(Duration.ofSeconds(30))).isEqualTo(137);

        String shown = ShutdownIT.lastStreamedOf(d, id).replace(" ▌", "");
        assertThat(text).as("the text written before the kill, then the note").startsWith(shown).endsWith("\n\n" + FAILED);
        assertThat(text.length()).isGreaterThan(FAILED.length() + 2);
        ShutdownIT.assertNoCancelButtonLeft(d);
        timings.add(String.format("SIGKILL of serve-%s mid-answer -> the answer final with its text and the note: %.0f ms", name(answering),
            (finalAt - killed) / 1e6));

        String before = survivor.metrics();
        String ask = d.slash(d.bob, d.general, "ask", options("question", "Tell me about rivers."), "en-US");
        String trigger = d.post(d.admin, d.random, "<@" + DiscordSimulator.APP_ID + "> tell me about lakes", null);
        awaitWholeResponse(ask, t -> true);
        assertAnswer(d.awaitFinalResponse(ask, WAIT));
        assertAnswer(d.awaitFinalReplyTo(trigger, WAIT));
        String after = survivor.awaitIdle(WAIT);
        assertThat(chatRequests(after, "outcome=\"answered\"") - chatRequests(before, "outcome=\"answered\""))
            .as("both answered by the survivor, serve-" + name(survivor)).isEqualTo(2);
        assertThat(bot.output()).anyMatch(l -> l.contains("Model server 127.0.0.1:" + answering.port + " failed"));
    }

    @Test
    @Order(4)
    void should_tell_the_user_the_model_failed_when_every_server_is_down() throws Exception {
        for (ServeProcess s : List.of(a, b)) {
            if (s.process().isAlive()) s.kill();
        }
        long asked = System.nanoTime();
        String id = d.slash(d.alice, d.general, "ask", options("question", "Is anyone there?"), "en-US");
        ObjectNode answer = d.awaitFinalResponse(id, Duration.ofSeconds(30));
        long told = System.nanoTime();

        assertThat(answer.path("content").asText()).isEqualTo(FAILED);
        assertThat(answer.path("components").isEmpty()).isTrue();
        timings.add(String.format("both servers down -> the failure message: %.0f ms after the question", (told - asked) / 1e6));
    }

    @Test
    @Order(5)
    void should_use_a_restarted_server_again_after_its_probe() throws Exception {
        long restarting = System.nanoTime();
        a.restart(); // same port; waits until the model is ready
        long ready = System.nanoTime();

        // Its backoff (2 s, doubling) may not be over yet: ask until it answers, within a bound; a try that comes too
        // early gets the failure message at once.
        long deadline = System.nanoTime() + Duration.ofSeconds(150).toNanos();
        int tries = 0;
        String answered = null;
        long firstToken = 0, done = 0;
        while (answered == null && System.nanoTime() < deadline) {
            tries++;
            long asked = System.nanoTime();
            String id = d.slash(d.bob, d.general, "ask", options("question", "Are you back? (try " + tries + ")"), "en-US");
            String text = awaitWholeResponse(id, t -> true);
            if (!text.equals(FAILED)) {
                answered = id;
                firstToken = d.requests("PATCH", original(id)).stream().filter(q -> q.content() != null && q.content().endsWith(" ▌"))
                    .mapToLong(RecordedRequest::nanos).min().orElse(0);
                done = finalEditNanos(id);
            } else {
                // Pacing the tries (not waiting for a result): one a second at most, so the backoff is seen to within a second.
                BotProcess.sleep(Math.max(0, 1000 - (System.nanoTime() - asked) / 1_000_000));
            }
        }
        assertThat(answered).as("an answer from the restarted server within 150 s (%d tries)", tries).isNotNull();
        assertAnswer(d.awaitFinalResponse(answered, WAIT));
        String m = a.awaitIdle(WAIT);
        assertThat(chatRequests(m, "outcome=\"answered\"")).as("answered by the restarted serve-a").isEqualTo(1);
        assertThat(bot.output()).anyMatch(l -> l.contains("Model server 127.0.0.1:" + a.port + " answers again: back in use"));
        timings.add(String.format("serve-a restarted on its port: ready %.0f ms after its start; -> its first answer's first words %.0f ms and the "
            + "answer final %.0f ms after ready (%d question(s) asked)", (ready - restarting) / 1e6, (firstToken - ready) / 1e6, (done - ready) / 1e6, tries));
    }

    // ------------------------------------------------------------------ helpers

    /** Both servers idle (every answer counted). */
    static void idle() {
        a.awaitIdle(WAIT);
        b.awaitIdle(WAIT);
    }

    /** Runs {@code answer} (which returns a final message), checks it and returns the server that answered it. */
    static char servedBy(java.util.function.Supplier<ObjectNode> answer) {
        idle();
        String ma = a.metrics(), mb = b.metrics();
        assertAnswer(answer.get());
        idle();
        double da = answeredDelta(ma, a.metrics()), db = answeredDelta(mb, b.metrics());
        assertThat(da + db).as("one request answered by one server").isEqualTo(1);
        return da == 1 ? 'a' : 'b';
    }

    static double answeredDelta(String before, String after) {
        return chatRequests(after, "outcome=\"answered\"") - chatRequests(before, "outcome=\"answered\"");
    }

    /** The server the bot picks without affinity when both are idle: the one given fewer requests, the first listed when even. */
    static char withoutAffinity(String ma, String mb) {
        return chatRequests(mb) < chatRequests(ma) ? 'b' : 'a';
    }

    static String name(ServeProcess s) {
        return s == a ? "a" : "b";
    }

    /**
     * Waits (bounded) until every message of the interaction's response is final and their text together satisfies
     * {@code done}; returns that text.
     */
    static String awaitWholeResponse(String interactionId, java.util.function.Predicate<String> done) {
        return org.awaitility.Awaitility.await("the whole response to " + interactionId).atMost(WAIT).pollInterval(Duration.ofMillis(20))
            .until(() -> {
                ObjectNode original = d.message("orig:tok-" + interactionId);
                if (original == null || !DiscordSimulator.isFinal(original)) return null;
                List<String> texts = d.responseTexts(interactionId);
                boolean streaming = d.storedMessageIds().stream().map(d::message)
                    .anyMatch(m -> m.path("author").path("id").asText().equals(DiscordSimulator.APP_ID) && DiscordSimulator.hasCancelButton(m));
                String all = String.join("", texts);
                return !streaming && !all.contains("▌") && done.test(all) ? all : null;
            }, java.util.Objects::nonNull);
    }

    /** When the interaction's original response got its last edit. */
    static long finalEditNanos(String interactionId) {
        return d.requests("PATCH", original(interactionId)).stream().mapToLong(RecordedRequest::nanos).max().orElseThrow();
    }
}
