package dev.synthiabot.bot;

import static dev.synthiabot.bot.sim.DiscordSimulator.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.synthiabot.bot.sim.DiscordSimulator;
import dev.synthiabot.bot.sim.RecordedRequest;
import java.time.Duration;
import java.util.List;
import net.dv8tion.jda.api.JDA;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Discord misbehaving: rate limits, server errors, a dropped gateway. */
class ResilienceIT extends ScriptedBotIT {
    @BeforeEach
    void steadyAnswer() {
        model.answer("A steady answer.");
    }

    @Test
    void should_honour_429_retry_after_on_edits_and_still_deliver_the_final_text() {
        d.fail("PATCH", "webhooks/\\d+/tok-.*/messages/@original", 429, 1, 1);

        String id = d.slash(d.alice, d.general, "ask", options("question", "rate limit me"), "en-US");
        d.await(r -> r.is("PATCH", "webhooks/\\d+/tok-" + id + "/messages/@original") && "A steady answer.".equals(r.content()), WAIT);

        List<RecordedRequest> edits = d.requests("PATCH", "webhooks/\\d+/tok-" + id + "/messages/@original");
        assertThat(edits.size()).isGreaterThanOrEqualTo(2);
        long gap = edits.get(1).nanos() - edits.get(0).nanos();
        assertThat(gap).as("JDA waited Retry-After before retrying").isGreaterThanOrEqualTo(Duration.ofMillis(900).toNanos());
    }

    @Test
    void should_retry_a_send_that_got_a_5xx() {
        d.fail("POST", "channels/" + d.random + "/messages", 502, 0, 1);

        String msg = d.post(d.bob, d.random, "<@" + DiscordSimulator.APP_ID + "> are you there?", null);

        // The reply's first message is the "thinking" status, or already the answer when the model was quicker than the
        // first render: either way the 502'd POST is sent again, and the answer ends up shown.
        d.await(r -> (r.is("PATCH", "channels/" + d.random + "/messages/\\d+") || r.is("POST", "channels/" + d.random + "/messages"))
            && "A steady answer.".equals(r.content()), WAIT);
        List<RecordedRequest> replies = d.requests("POST", "channels/" + d.random + "/messages").stream()
            .filter(r -> r.body().path("message_reference").path("message_id").asText().equals(msg)).toList();
        assertThat(replies).hasSize(2);
        assertThat(replies.get(1).content()).as("the same message, sent again").isEqualTo(replies.get(0).content());
    }

    @Test
    void should_resume_after_gateway_close_4000_and_keep_working() {
        int before = d.gatewayReceived().size();
        d.dropGateway(4000);

        // Back to work means: the bot reconnected, sent RESUME (op 6) on the new connection, and JDA took the
        // simulator's RESUMED (JDA is CONNECTED again only then: RESUME is sent while it is still identifying).
        await("the bot resuming its gateway session").atMost(WAIT)
            .until(() -> sentSince(before).stream().anyMatch(m -> m.contains("\"op\":6")) && d.gatewayConnected()
                && h.app.jda().getStatus() == JDA.Status.CONNECTED);
        assertThat(sentSince(before)).anyMatch(m -> m.contains("\"op\":6") && m.contains("sim-session"));

        String id = d.slash(d.alice, d.general, "ask", options("question", "still there after the resume?"), "en-US");
        d.await(r -> r.is("PATCH", "webhooks/\\d+/tok-" + id + "/messages/@original") && "A steady answer.".equals(r.content()), WAIT);
    }

    /** What the bot sent on the gateway after the first {@code before} messages. */
    static List<String> sentSince(int before) {
        List<String> all = d.gatewayReceived();
        return all.subList(before, all.size());
    }
}
