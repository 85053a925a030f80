package dev.synthiabot.bot;

import static dev.synthiabot.bot.sim.DiscordSimulator.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.synthiabot.adapter.CancelFlag;
import dev.synthiabot.bot.sim.DiscordSimulator;
import dev.synthiabot.bot.sim.RecordedRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Regenerate and Continue under a finished answer (real JDA, the simulator): Continue goes on from where the token
 * limit stopped the answer (its request is the conversation with the partial answer last, no new question) and
 * appends; Regenerate replaces the answer in place with a new sample; only the asker or an admin may press them;
 * a press the bot has no record of (as after a restart) gets a clear private message.
 */
class AnswerAgainIT {
    static final Duration WAIT = Duration.ofSeconds(30);
    @TempDir
    static Path dir;
    static BotHarness h;
    static DiscordSimulator d;
    static SamplingModel model = new SamplingModel();

    /** Each new answer is "Sample N of the answer", stopped by the token limit; a continued one ends with " and more." */
    static final class SamplingModel implements StreamingChatModel {
        final AtomicInteger samples = new AtomicInteger();
        final List<ChatRequest> requests = new CopyOnWriteArrayList<>();

        @Override
        public void chat(ChatRequest request, StreamingChatResponseHandler handler) {
            requests.add(request);
            boolean continuing = request.messages().get(request.messages().size() - 1) instanceof AiMessage;
            String text = continuing ? " and more." : "Sample " + samples.incrementAndGet() + " of the answer";
            PartialResponseContext ctx = new PartialResponseContext(new CancelFlag());
            for (String piece : text.split("(?<= )")) handler.onPartialResponse(new PartialResponse(piece), ctx);
            handler.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from(text))
                .finishReason(continuing ? FinishReason.STOP : FinishReason.LENGTH).build());
        }
    }

    @BeforeAll
    static void start() throws Exception {
        h = BotHarness.start(dir, model, null, Map.of());
        d = h.discord;
        d.await(r -> r.is("PUT", "applications/\\d+/guilds/\\d+/commands"), WAIT);
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    /** The message's state once its latest edit is final (no Cancel button) and shows {@code content}. */
    private ObjectNode awaitShown(String messageId, String content) {
        await().atMost(WAIT).until(() -> {
            ObjectNode m = d.message(messageId);
            return m != null && DiscordSimulator.isFinal(m) && m.path("content").asText().equals(content);
        });
        return d.message(messageId);
    }

    private String privateReplyTo(String interactionId) {
        RecordedRequest r = d.await(x -> x.is("POST", "interactions/" + interactionId + "/.*/callback"), WAIT);
        assertThat(r.body().path("data").path("flags").asInt() & 64).as("private").isEqualTo(64);
        return r.body().path("data").path("content").asText();
    }

    @Test
    void should_continue_then_regenerate_an_answer_in_place_for_its_asker_only() {
        String id = d.slash(d.alice, d.general, "ask", options("question", "Tell me a long story"), "en-US");
        ObjectNode first = d.awaitFinalResponse(id, WAIT);
        String messageId = first.path("id").asText();
        String sample = first.path("content").asText();
        assertThat(sample).matches("Sample \\d+ of the answer");
        assertThat(DiscordSimulator.buttonIds(first)).containsExactly("synthia-regenerate", "synthia-continue");

        assertThat(privateReplyTo(d.button(d.bob, d.general, messageId, "synthia-continue")))
            .isEqualTo("Only the person who asked (or an admin) can use this button.");

        int before = model.requests.size();
        d.button(d.alice, d.general, messageId, "synthia-continue");
        ObjectNode continued = awaitShown(messageId, sample + " and more.");
        List<ChatMessage> goOn = model.requests.get(before).messages();
        assertThat(goOn.get(goOn.size() - 2)).as("no new question: the partial answer follows the question").isEqualTo(UserMessage.from("Tell me a long story"));
        assertThat(goOn.get(goOn.size() - 1)).isEqualTo(AiMessage.from(sample));
        assertThat(DiscordSimulator.buttonIds(continued)).as("it ended on its own now: nothing to continue").containsExactly("synthia-regenerate");

        d.button(d.admin, d.general, messageId, "synthia-regenerate");
        await().atMost(WAIT).until(() -> {
            String now = d.message(messageId).path("content").asText();
            return DiscordSimulator.isFinal(d.message(messageId)) && now.matches("Sample \\d+ of the answer") && !now.equals(sample);
        });
        ChatRequest again = model.requests.get(model.requests.size() - 1);
        assertThat(again.messages().get(again.messages().size() - 1)).as("the same question, sampled anew").isEqualTo(UserMessage.from("Tell me a long story"));
        assertThat(DiscordSimulator.buttonIds(d.message(messageId))).containsExactly("synthia-regenerate", "synthia-continue");

        // The asker still owns the answer after an admin's press: her Continue is taken.
        String regenerated = d.message(messageId).path("content").asText();
        d.button(d.alice, d.general, messageId, "synthia-continue");
        awaitShown(messageId, regenerated + " and more.");
    }

    @Test
    void should_tell_privately_that_a_button_of_an_answer_it_no_longer_knows_stopped_working() {
        String unknown = d.post(d.alice, d.general, "a message the bot has no record of", null);

        assertThat(privateReplyTo(d.button(d.alice, d.general, unknown, "synthia-regenerate")))
            .isEqualTo("This button no longer works: the answer is being redone, or the bot restarted since. Please ask again if you need to.");
    }
}
