package dev.synthiabot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.synthiabot.server.ScriptedModel.Script;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SIGTERM's drain: new requests 503, running streams end properly (finished, or cut short as "length"), then stop. */
class DrainTest {
    private static final Duration BOUND = Duration.ofSeconds(20);

    private Harness h;

    @AfterEach
    void stop() {
        if (h != null) h.close();
    }

    @Test
    void runningStreamFinishesWithinGraceWhileNewAndWaitingRequestsGet503() throws Exception {
        ScriptedModel model = new ScriptedModel(Script.answer("one ", "two").held());
        h = new Harness(Harness.settings().withMaxConcurrent(1).withQueueCapacity(1), model);
        CompletableFuture<ChatResponse> running = h.stream(new CopyOnWriteArrayList<>());
        await().atMost(BOUND).until(() -> model.calls.size() == 1 && model.calls.get(0).piecesSent.get() == 2);
        CompletableFuture<HttpResponse<String>> waiting = h.postAsync(Harness.chat("in line", ""));
        await().atMost(BOUND).until(() -> h.gauge("synthia.openai.answers.waiting") == 1);

        Thread drain = Thread.ofVirtual().start(() -> h.server.drain(Duration.ofSeconds(30)));
        await().atMost(BOUND).until(() -> h.server.state() == OpenAiServer.State.DRAINING);

        HttpResponse<String> inLine = waiting.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(inLine.statusCode()).isEqualTo(503);
        assertThat(ApiErrorsTest.errorOf(inLine).get("code").asText()).isEqualTo("server_shutting_down");
        HttpResponse<String> late = h.post(Harness.chat("late", ""));
        assertThat(late.statusCode()).isEqualTo(503);
        assertThat(ApiErrorsTest.errorOf(late).get("code").asText()).isEqualTo("server_shutting_down");
        HttpResponse<String> health = h.get("/health");
        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(Harness.json(health.body()).get("status").asText()).isEqualTo("draining");
        assertThat(running).isNotDone();

        model.release();

        ChatResponse r = running.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(r.aiMessage().text()).isEqualTo("one two");
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(drain.join(BOUND)).isTrue();
        assertThat(h.server.state()).isEqualTo(OpenAiServer.State.STOPPED);
        assertThat(model.calls).hasSize(1);
    }

    @Test
    void answersStillRunningAfterTheGraceEndAsLength() throws Exception {
        ScriptedModel model = new ScriptedModel(Script.answer("partial").held());
        h = new Harness(model);
        CompletableFuture<ChatResponse> streamed = h.stream(new CopyOnWriteArrayList<>());
        CompletableFuture<HttpResponse<String>> whole = h.postAsync(Harness.chat("Hi", ""));
        await().atMost(BOUND).until(() -> model.calls.size() == 2 && model.calls.stream().allMatch(c -> c.piecesSent.get() == 1));

        h.server.drain(Duration.ofMillis(100));

        assertThat(h.server.state()).isEqualTo(OpenAiServer.State.STOPPED);
        ChatResponse r = streamed.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(r.aiMessage().text()).isEqualTo("partial");
        assertThat(r.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(r.tokenUsage().outputTokenCount()).isEqualTo(1);
        HttpResponse<String> w = whole.get(BOUND.toSeconds(), TimeUnit.SECONDS);
        assertThat(w.statusCode()).isEqualTo(200);
        assertThat(Harness.json(w.body()).get("choices").get(0).get("finish_reason").asText()).isEqualTo("length");
        assertThat(Harness.json(w.body()).get("choices").get(0).get("message").get("content").asText()).isEqualTo("partial");
        assertThat(model.calls).allMatch(c -> c.cancelled.get());
    }
}
