package dev.synthiabot.bot;

import static dev.synthiabot.bot.sim.DiscordSimulator.options;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synthiabot.bot.sim.DiscordSimulator;
import dev.synthiabot.bot.sim.RecordedRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The queue seen from Discord: acks under load, positions, cancel, busy. The model is a slow scripted one. */
class QueueIT {
    static final Duration WAIT = Duration.ofSeconds(60);
    @TempDir
    Path dir;

    static String original(String id) {
        return "webhooks/\\d+/tok-" + id + "/messages/@original";
    }

    @Test
    void should_ack_every_command_within_3_seconds_while_20_are_queued_and_show_positions() throws Exception {
        ScriptedModel slow = new ScriptedModel("A slow answer that takes its time.", 4, 60);
        try (BotHarness h = BotHarness.start(dir, slow, null, Map.of("SYNTHIA_LIMITS__QUEUE_CAPACITY", "20", "SYNTHIA_LIMITS__PER_USER_CONCURRENT", "25"))) {
            DiscordSimulator d = h.discord;
            List<String> ids = new ArrayList<>();
            ids.add(d.slash(d.alice, d.general, "ask", options("question", "Question 0"), "en-US"));
            d.awaitRunning(ids.get(0), WAIT); // running: not counted as waiting
            for (int i = 1; i < 21; i++) ids.add(d.slash(d.alice, d.general, "ask", options("question", "Question " + i), "en-US"));

            long worst = 0;
            for (String id : ids) worst = Math.max(worst, d.ackNanos(id));
            System.out.printf("Slowest ack of 21 commands (1 running, 20 queued): %.1f ms%n", worst / 1e6);
            assertThat(worst).isLessThan(Duration.ofSeconds(3).toNanos());

            String last = ids.get(ids.size() - 1);
            d.await(r -> r.is("PATCH", original(last)) && "⏳ Waiting in the queue: position 20".equals(r.content())
                && r.body().path("components").get(0).path("components").get(0).path("custom_id").asText().startsWith("synthia-cancel:"), WAIT);
            // once an answer has finished, positions come with an estimate of the wait
            RecordedRequest moved = d.await(r -> r.is("PATCH", original(last)) && r.content() != null
                && r.content().startsWith("⏳ Waiting in the queue: position 19"), WAIT);
            assertThat(moved.content()).matches("⏳ Waiting in the queue: position 19 \\(about \\d+ (s|min)\\)");
            d.await(r -> r.is("PATCH", original(last)) && "A slow answer that takes its time.".equals(r.content()), Duration.ofSeconds(120));
        }
    }

    @Test
    void should_cancel_a_queued_and_a_running_request_from_the_button() throws Exception {
        ScriptedModel slow = new ScriptedModel("x".repeat(400), 2, 50);
        try (BotHarness h = BotHarness.start(dir, slow, null, Map.of())) {
            DiscordSimulator d = h.discord;
            String running = d.slash(d.alice, d.general, "ask", options("question", "long one"), "en-US");
            d.awaitRunning(running, WAIT);
            String queued = d.slash(d.bob, d.general, "ask", options("question", "waiting one"), "en-US");
            RecordedRequest waiting = d.await(r -> r.is("PATCH", original(queued)) && r.content() != null && r.content().startsWith("⏳"), WAIT);
            String queuedButton = waiting.body().path("components").get(0).path("components").get(0).path("custom_id").asText();

            String notOwner = d.button(d.alice, d.general, messageIdOf(d, queued), queuedButton);
            d.await(r -> r.is("POST", "interactions/" + notOwner + "/.*/callback") && r.body().path("data").path("content").asText().contains("only cancel your own"), WAIT);
            d.button(d.bob, d.general, messageIdOf(d, queued), queuedButton);
            d.await(r -> r.is("PATCH", original(queued)) && "🛑 Cancelled.".equals(r.content()) && r.body().path("components").isEmpty(), WAIT);

            RecordedRequest streaming = d.await(r -> r.is("PATCH", original(running)) && r.content() != null && r.content().contains("▌"), WAIT);
            String runningButton = streaming.body().path("components").get(0).path("components").get(0).path("custom_id").asText();
            d.button(d.alice, d.general, messageIdOf(d, running), runningButton);
            RecordedRequest stopped = d.await(r -> r.is("PATCH", original(running)) && r.content() != null && r.content().endsWith("🛑 Cancelled."), WAIT);

            assertThat(stopped.content()).startsWith("x").doesNotContain("▌");
            assertThat(stopped.content().replace("\n\n🛑 Cancelled.", "").length()).isLessThan(400);
        }
    }

    @Test
    void should_tell_users_it_is_busy_when_the_queue_is_full() throws Exception {
        ScriptedModel slow = new ScriptedModel("y".repeat(4000), 2, 50); // runs ~100 s: still running when the third arrives
        try (BotHarness h = BotHarness.start(dir, slow, null, Map.of("SYNTHIA_LIMITS__QUEUE_CAPACITY", "1", "SYNTHIA_LIMITS__SHUTDOWN_GRACE_SECONDS", "0"))) {
            DiscordSimulator d = h.discord;
            List<String> ids = new ArrayList<>();
            ids.add(d.slash(d.alice, d.general, "ask", options("question", "hi"), "en-US"));
            // Once the first is running, the second waits (capacity 1) and the third finds the queue full.
            d.awaitRunning(ids.get(0), WAIT);
            ids.add(d.slash(d.bob, d.general, "ask", options("question", "hi"), "en-US"));
            d.await(r -> r.is("PATCH", original(ids.get(1))) && r.content() != null && r.content().startsWith("⏳"), WAIT);
            ids.add(d.slash(d.admin, d.general, "ask", options("question", "hi"), "en-US"));

            // Refused at once, privately: the refusal is the interaction's reply itself (type 4, ephemeral flag 64), not an edit.
            RecordedRequest busy = d.await(r -> r.is("POST", "interactions/" + ids.get(2) + "/.*/callback"), WAIT);

            assertThat(busy.body().path("type").asInt()).isEqualTo(4);
            assertThat(busy.body().path("data").path("flags").asInt() & 64).as("ephemeral").isEqualTo(64);
            assertThat(busy.body().path("data").path("content").asText()).startsWith("🚦").contains("try again");
            assertThat(d.ackNanos(ids.get(2))).isLessThan(Duration.ofSeconds(3).toNanos());
            assertThat(d.requests("PATCH", original(ids.get(2)))).as("nothing posted in the channel").isEmpty();
        }
    }

    @Test
    void should_stop_an_answer_that_runs_past_the_timeout_and_say_so() throws Exception {
        ScriptedModel endless = new ScriptedModel("z".repeat(2000), 1, 20);
        try (BotHarness h = BotHarness.start(dir, endless, null, Map.of("SYNTHIA_LIMITS__GENERATION_TIMEOUT_SECONDS", "2"))) {
            DiscordSimulator d = h.discord;
            String id = d.slash(d.alice, d.general, "ask", options("question", "go on forever"), "en-US");

            RecordedRequest stopped = d.await(r -> r.is("PATCH", original(id)) && r.content() != null && r.content().contains("⏱️"), WAIT);

            assertThat(stopped.content()).endsWith("⏱️ Stopped: the answer took longer than 2 s.");
        }
    }

    /** The message id of an interaction's original response, as stored by the simulator. */
    static String messageIdOf(DiscordSimulator d, String interactionId) {
        for (int i = 0; i < 500; i++) {
            var m = d.message("orig:tok-" + interactionId);
            if (m != null) return m.path("id").asText();
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
        throw new AssertionError("no original response for " + interactionId);
    }
}
