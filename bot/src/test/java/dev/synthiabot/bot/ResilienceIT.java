package dev.synthiabot.bot;

import static dev.synthiabot.bot.sim.DiscordSimulator.options;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synthiabot.bot.sim.DiscordSimulator;
import dev.synthiabot.bot.sim.RecordedRequest;
import java.time.Duration;
import java.util.List;
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

        d.await(r -> r.is("PATCH", "channels/" + d.random + "/messages/\\d+") && "A steady answer.".equals(r.content()), WAIT);
        assertThat(d.requests("POST", "channels/" + d.random + "/messages").stream()
            .filter(r -> r.body().path("message_reference").path("message_id").asText().equals(msg)).count()).isEqualTo(2);
    }

    @Test
    void should_resume_after_gateway_close_4000_and_keep_working() {
        int before = d.gatewayReceived().size();
        d.dropGateway(4000);

        for (int i = 0; i < 500 && d.gatewayReceived().subList(before, d.gatewayReceived().size()).stream().noneMatch(m -> m.contains("\"op\":6")); i++) {
            sleep(20);
        }
        assertThat(d.gatewayReceived().subList(before, d.gatewayReceived().size())).anyMatch(m -> m.contains("\"op\":6") && m.contains("sim-session"));
        for (int i = 0; i < 500 && !d.gatewayConnected(); i++) sleep(20);
        sleep(300);

        String id = d.slash(d.alice, d.general, "ask", options("question", "still there after the resume?"), "en-US");
        d.await(r -> r.is("PATCH", "webhooks/\\d+/tok-" + id + "/messages/@original") && "A steady answer.".equals(r.content()), WAIT);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        }
    }
}
