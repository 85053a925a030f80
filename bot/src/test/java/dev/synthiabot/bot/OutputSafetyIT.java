package dev.synthiabot.bot;

import static dev.synthiabot.bot.sim.DiscordSimulator.options;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.synthiabot.bot.sim.DiscordSimulator;
import dev.synthiabot.bot.sim.RecordedRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What the bot does with dangerous or long model output. The model is scripted; Discord's side is real. */
class OutputSafetyIT extends ScriptedBotIT {
    @Test
    void should_continue_in_channel_messages_when_the_interaction_token_is_about_to_expire() {
        model.answer("An answer that arrives late.");

        String id = d.slashCreatedAgo(d.admin, d.random, "ask", options("question", "slow day?"), "en-US", Duration.ofMinutes(14).plusSeconds(30));

        d.await(r -> r.is("POST", "interactions/" + id + "/.*/callback"), WAIT);
        d.await(r -> (r.is("POST", "channels/" + d.random + "/messages") || r.is("PATCH", "channels/" + d.random + "/messages/\\d+"))
            && "An answer that arrives late.".equals(r.content()), WAIT);
        assertThat(d.requests("PATCH", "webhooks/\\d+/tok-" + id + "/messages/@original")).isEmpty();
    }

    static int fences(String s) {
        int n = 0;
        for (int i = s.indexOf("```"); i >= 0; i = s.indexOf("```", i + 3)) n++;
        return n;
    }

    @Test
    void should_send_pings_in_model_output_with_empty_allowed_mentions() {
        String pings = "Hello @everyone and @here, <@&" + d.modsRole + "> and <@" + d.id(d.bob) + ">!";
        model.answer(pings);
        String id = d.slash(d.alice, d.general, "ask", options("question", "ping people"), "en-US");
        String mention = d.post(d.bob, d.general, "<@" + DiscordSimulator.APP_ID + "> ping people too", null);

        assertThat(d.awaitFinalResponse(id, WAIT).path("content").asText()).as("the model's text, shown as it is").isEqualTo(pings);
        ObjectNode reply = d.awaitFinalReplyTo(mention, WAIT);
        assertThat(reply.path("content").asText()).as("the model's text, shown as it is").isEqualTo(pings);

        assertThat(h.messageWrites()).isNotEmpty().allSatisfy(OutputSafetyIT::assertPingsNobody);
        // The reply to the mention in particular: created as a reply that does not ping its author either, and no write
        // of it (its creation, each edit up to the text with @everyone) lets Discord ping anyone.
        List<RecordedRequest> created = d.requests("POST", "channels/" + d.general + "/messages").stream()
            .filter(r -> r.body().path("message_reference").path("message_id").asText().equals(mention)).toList();
        assertThat(created).as("the reply's creation").hasSize(1);
        assertThat(created.get(0).body().path("allowed_mentions").path("replied_user").asBoolean(true)).as(created.get(0).toString()).isFalse();
        List<RecordedRequest> replyWrites = new ArrayList<>(created);
        replyWrites.addAll(d.requests("PATCH", "channels/" + d.general + "/messages/" + reply.path("id").asText()));
        assertThat(replyWrites).anyMatch(w -> pings.equals(w.content())).allSatisfy(OutputSafetyIT::assertPingsNobody);
    }

    /** A message write with allowed_mentions that let Discord ping nobody, whatever its text says. */
    static void assertPingsNobody(RecordedRequest w) {
        assertThat(w.body().has("allowed_mentions")).as(w.toString()).isTrue();
        assertThat(w.body().path("allowed_mentions").path("parse")).as(w.toString()).isEmpty();
        assertThat(w.body().path("allowed_mentions").path("users")).as(w.toString()).isEmpty();
        assertThat(w.body().path("allowed_mentions").path("roles")).as(w.toString()).isEmpty();
    }

    @Test
    void should_split_long_answers_into_valid_messages_of_at_most_2000_characters() {
        StringBuilder answer = new StringBuilder("Here is a long program.\n\n```python\n");
        for (int i = 0; i < 220; i++) answer.append("print('line number ").append(i).append("')\n");
        answer.append("```\n\nThat was the program. ").append("And some closing prose. ".repeat(40));
        model.answer(answer.toString());

        String id = d.slash(d.bob, d.random, "ask", options("question", "write a long program"), "en-US");
        d.await(r -> r.path().matches("webhooks/\\d+/tok-" + id + "(/messages/.*)?") && r.content() != null && r.content().endsWith("closing prose.")
            && !DiscordSimulator.hasCancelButton(r.body()), WAIT);

        List<RecordedRequest> mine = d.requests().stream().filter(r -> r.path().contains("tok-" + id) && r.content() != null).toList();
        assertThat(mine).allSatisfy(r -> assertThat(r.content().length()).as(r.path()).isLessThanOrEqualTo(2000));
        assertThat(d.requests("POST", "webhooks/\\d+/tok-" + id)).as("follow-up messages").isNotEmpty();
        List<String> finalParts = d.responseTexts(id);
        assertThat(finalParts.size()).isGreaterThanOrEqualTo(3);
        assertThat(finalParts).allSatisfy(p -> assertThat(fences(p) % 2).as(p).isZero());
        assertThat(finalParts.get(1)).startsWith("```python\n");
        assertThat(String.join("\n", finalParts)).contains("print('line number 219')");
    }

    @Test
    void should_remove_control_characters_from_model_output_but_keep_newlines_and_tabs() {
        model.answer("Bell\u0007 and \u001b[31mred\u001b[0m,\ttab\nnext line\u0000.");

        String id = d.slash(d.alice, d.random, "ask", options("question", "control characters?"), "en-US");

        assertThat(d.awaitFinalResponse(id, WAIT).path("content").asText()).isEqualTo("Bell and [31mred[0m,\ttab\nnext line.");
    }

    @Test
    void should_refuse_input_made_only_of_invisible_characters_privately() {
        String id = d.slash(d.alice, d.general, "ask", options("question", "\u200b\u200d\u2060\ufeff\u3164 \u200e"), "en-US");

        RecordedRequest reply = d.await(r -> r.is("POST", "interactions/" + id + "/.*/callback"), WAIT);
        assertThat(reply.body().path("type").asInt()).isEqualTo(4);
        assertThat(reply.body().path("data").path("flags").asInt() & 64).as("ephemeral").isEqualTo(64);
        assertThat(reply.body().path("data").path("content").asText()).isEqualTo("✏️ That's empty: please write a question or some text.");
    }

    @Test
    void should_name_the_available_languages_for_a_translation_that_is_not_configured() {
        String id = d.slash(d.bob, d.general, "translate", DiscordSimulator.subcommand("fr", options("text", "Bonjour")), "en-US");

        RecordedRequest reply = d.await(r -> r.is("POST", "interactions/" + id + "/.*/callback"), WAIT);
        assertThat(reply.body().path("data").path("flags").asInt() & 64).as("ephemeral").isEqualTo(64);
        assertThat(reply.body().path("data").path("content").asText()).isEqualTo("🌐 I can't translate into \"fr\". Available: `ja`");
    }
}
