package dev.synthiabot.bot.process;

import static dev.synthiabot.bot.sim.DiscordSimulator.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.synthiabot.bot.sim.DiscordSimulator;
import dev.synthiabot.bot.sim.RecordedRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM (Ctrl-C, {@code docker stop}) on the shipped process with one answer being written and two waiting: every
 * message ends final — the running answer finished or ended with a restart note, the waiting ones told — before
 * the bot disconnects, and the process exits 0.
 */
class ShutdownIT {
    static final Duration WAIT = Duration.ofSeconds(90);
    static final String RESTARTING = "🔌 The bot is restarting; please try again shortly.";
    static final String STOPPED_HERE = "🔌 The bot is restarting, so this answer stops here. Please ask again shortly.";
    @TempDir
    Path work;

    @Test
    void should_end_the_running_answer_with_a_note_and_tell_the_waiting_users_when_the_grace_period_is_short() throws Exception {
        try (DiscordSimulator d = new DiscordSimulator()) {
            try (BotProcess bot = slowBot(d, 2000, 1)) {
                Requests r = oneRunningTwoWaiting(d);

                long t0 = System.nanoTime();
                bot.terminate();
                int exit = bot.awaitExit(Duration.ofSeconds(60));
                long exited = System.nanoTime();

                assertThat(exit).isZero();
                ObjectNode running = d.awaitFinalResponse(r.running, Duration.ZERO);
                String shown = r.lastStreamed(d).replace(" ▌", "");
                assertThat(running.path("content").asText()).startsWith(shown).endsWith("\n\n" + STOPPED_HERE);
                for (String waiting : List.of(r.waiting1, r.waiting2)) {
                    assertThat(d.awaitFinalResponse(waiting, Duration.ZERO).path("content").asText()).isEqualTo(RESTARTING);
                }
                assertNoCancelButtonLeft(d);
                long lastEdit = d.requests().stream().filter(q -> q.method().equals("PATCH")).mapToLong(RecordedRequest::nanos).max().orElseThrow();
                System.out.printf("SIGTERM -> every message final: %.0f ms; -> process exited: %.0f ms (grace 1 s)%n",
                    (lastEdit - t0) / 1e6, (exited - t0) / 1e6);
            }
        }
    }

    @Test
    void should_let_the_running_answer_finish_within_the_grace_period() throws Exception {
        try (DiscordSimulator d = new DiscordSimulator()) {
            try (BotProcess bot = slowBot(d, 120, 60)) {
                Requests r = oneRunningTwoWaiting(d);

                long t0 = System.nanoTime();
                bot.terminate();
                assertThat(bot.awaitExit(Duration.ofSeconds(90))).isZero();

                String answer = d.awaitFinalResponse(r.running, Duration.ZERO).path("content").asText();
                assertThat(answer).doesNotContain("🔌").startsWith(r.lastStreamed(d).replace(" ▌", ""));
                assertThat(bot.output()).anyMatch(l -> l.contains("Answer: 120 tokens (LENGTH)"));
                for (String waiting : List.of(r.waiting1, r.waiting2)) {
                    assertThat(d.awaitFinalResponse(waiting, Duration.ZERO).path("content").asText()).isEqualTo(RESTARTING);
                }
                assertNoCancelButtonLeft(d);
                long lastEdit = d.requests().stream().filter(q -> q.method().equals("PATCH")).mapToLong(RecordedRequest::nanos).max().orElseThrow();
                System.out.printf("SIGTERM -> the running answer finished and every message final: %.0f ms (grace 60 s)%n", (lastEdit - t0) / 1e6);
            }
        }
    }

    private BotProcess slowBot(DiscordSimulator d, int maxTokens, int graceSeconds) throws java.io.IOException {
        // one answer at a time, so that two wait behind the running one
        return new ProcessSettings(d, SlowModel.dir(), work).set("model.max_concurrent", "1").set("generation.max_new_tokens", Integer.toString(maxTokens))
            .set("limits.shutdown_grace_seconds", Integer.toString(graceSeconds)).startBot(work);
    }

    /** Alice's answer streams text; Bob's and the admin's wait behind it. */
    static Requests oneRunningTwoWaiting(DiscordSimulator d) {
        String running = d.slash(d.alice, d.general, "ask", options("question", "Write a long essay about the sea."), "en-US");
        d.await(q -> q.is("PATCH", original(running)) && q.content() != null && q.content().endsWith(" ▌"), WAIT);
        String w1 = d.slash(d.bob, d.general, "ask", options("question", "And about rivers?"), "en-US");
        String w2 = d.slash(d.admin, d.general, "ask", options("question", "And lakes?"), "en-US");
        for (String w : List.of(w1, w2)) d.await(q -> q.is("PATCH", original(w)) && q.content() != null && q.content().startsWith("⏳"), WAIT);
        return new Requests(running, w1, w2);
    }

    record Requests(String running, String waiting1, String waiting2) {
        /** The running answer's last streamed text (with its cursor), as Discord showed it. */
        String lastStreamed(DiscordSimulator d) {
            return lastStreamedOf(d, running);
        }
    }

    static String lastStreamedOf(DiscordSimulator d, String interactionId) {
        List<RecordedRequest> streamed = d.requests("PATCH", original(interactionId)).stream()
            .filter(q -> q.content() != null && q.content().endsWith(" ▌")).toList();
        return streamed.get(streamed.size() - 1).content();
    }

    static String original(String interactionId) {
        return "webhooks/\\d+/tok-" + interactionId + "/messages/@original";
    }

    /** Every message the bot sent or edited has no Cancel button left that anyone could press. */
    static void assertNoCancelButtonLeft(DiscordSimulator d) {
        for (String id : d.storedMessageIds()) {
            ObjectNode m = d.message(id);
            if (m.path("author").path("id").asText().equals(DiscordSimulator.APP_ID)) {
                assertThat(DiscordSimulator.hasCancelButton(m)).as("a Cancel button under " + m.path("content").asText()).isFalse();
            }
        }
    }
}
