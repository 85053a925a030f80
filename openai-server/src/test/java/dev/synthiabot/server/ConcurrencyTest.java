package dev.synthiabot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.synthiabot.server.ScriptedModel.Script;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Places for answers: a bounded line, 429 beyond it, and a place freed at once by a client that goes away. */
class ConcurrencyTest {
    private static final Duration BOUND = Duration.ofSeconds(20);

    private Harness h;

    @AfterEach
    void stop() {
        if (h != null) h.close();
    }

    @Test
    void manyConnectionsAtOnceAreBoundedThenAnswered() {
        ScriptedModel model = new ScriptedModel(Script.answer("done").held());
        h = new Harness(Harness.settings().withMaxConcurrent(2).withQueueCapacity(2), model);
        int clients = 10;
        List<CompletableFuture<HttpResponse<String>>> responses = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            responses.add(h.postAsync(Harness.chat("Hi " + i, "")));
        }

        // Two answers run (held by the model), two requests wait in line, the other six are refused at once.
        await().atMost(BOUND).until(() -> responses.stream().filter(CompletableFuture::isDone).count() == clients - 4
            && h.gauge("synthia.openai.answers.running") == 2 && h.gauge("synthia.openai.answers.waiting") == 2);
        List<HttpResponse<String>> refused = responses.stream().filter(CompletableFuture::isDone).map(CompletableFuture::join).toList();
        for (HttpResponse<String> r : refused) {
            assertThat(r.statusCode()).isEqualTo(429);
            assertThat(r.headers().firstValue("Retry-After")).hasValueSatisfying(v -> assertThat(Long.parseLong(v)).isBetween(1L, 60L));
            assertThat(ApiErrorsTest.errorOf(r).get("code").asText()).isEqualTo("rate_limit_exceeded");
        }
        assertThat(model.calls).hasSize(2);

        model.release();

        await().atMost(BOUND).until(() -> responses.stream().allMatch(CompletableFuture::isDone));
        assertThat(responses.stream().map(CompletableFuture::join).filter(r -> r.statusCode() == 200)).hasSize(4);
        assertThat(model.calls).hasSize(4);
        assertThat(h.gauge("synthia.openai.answers.running")).isZero();
        assertThat(h.gauge("synthia.openai.answers.waiting")).isZero();
        // and the server answers afterwards
        HttpResponse<String> after = h.post(Harness.chat("again", ""));
        assertThat(after.statusCode()).isEqualTo(200);
        assertThat(Harness.json(after.body()).get("choices").get(0).get("message").get("content").asText()).isEqualTo("done");
    }

    @Test
    void aClientThatDisconnectsMidStreamCancelsItsAnswerAndFreesItsPlace() throws Exception {
        // One place, no line: while the first answer holds the place, any other request is refused.
        ScriptedModel model = new ScriptedModel(Script.endless(1000, Duration.ofMillis(20)));
        h = new Harness(Harness.settings().withMaxConcurrent(1).withQueueCapacity(0), model);

        try (Socket socket = new Socket("127.0.0.1", h.server.port())) {
            socket.setSoTimeout((int) BOUND.toMillis());
            byte[] body = Harness.chat("Talk forever", "\"stream\":true").getBytes(StandardCharsets.UTF_8);
            OutputStream out = socket.getOutputStream();
            out.write(("POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: "
                + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.UTF_8));
            int tokens = 0;
            for (String line; tokens < 2 && (line = in.readLine()) != null; ) {
                if (line.startsWith("data: ") && line.contains("tok ")) tokens++;
            }
            assertThat(tokens).isEqualTo(2);
            assertThat(h.post(Harness.chat("Me too", "")).statusCode()).as("the place is taken").isEqualTo(429);
        } // the client goes away mid-stream

        ScriptedModel.Call first = model.calls.get(0);
        await().atMost(BOUND).until(() -> first.cancelled.get() && first.finished.get());
        assertThat(first.piecesSent.get()).isLessThan(1000);
        await().atMost(BOUND).until(() -> h.gauge("synthia.openai.answers.running") == 0);

        model.script(Script.answer("next"));
        HttpResponse<String> next = h.post(Harness.chat("Me now", ""));
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(Harness.json(next.body()).get("choices").get(0).get("message").get("content").asText()).isEqualTo("next");
        assertThat(h.get("/metrics").body()).contains("outcome=\"client_closed\"");
    }
}
