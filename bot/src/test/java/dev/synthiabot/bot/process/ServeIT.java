package dev.synthiabot.bot.process;

import static dev.synthiabot.bot.process.ServeProcess.HTTP;
import static dev.synthiabot.bot.process.ServeProcess.chatRequests;
import static dev.synthiabot.bot.process.ServeProcess.tokens;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.langchain4j.model.output.FinishReason;
import java.io.IOException;
import java.net.ConnectException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code synthia-bot serve} as it ships ({@code scripts/run-bot serve}, a separate process) on the slow random model
 * (an answer takes seconds) with {@code model.max_concurrent: 1}, a short line ({@code server.queue_capacity: 4}),
 * {@code server.max_body_kb: 8} and two API keys from {@code SYNTHIA_SERVER__API_KEYS}: read through LangChain4j's
 * OpenAI client and raw HTTP. One process serves the class (each test waits until it is idle first and counts only
 * its own requests); the SIGTERM test stops a process of its own.
 */
class ServeIT {
    static final String KEY = "sk-serve-it-one";
    static final Duration WAIT = Duration.ofSeconds(120);
    @TempDir
    static Path work;
    static ServeProcess api;

    @BeforeAll
    static void start() throws Exception {
        api = ServeProcess.start(ProcessSettings.serve(SlowModel.dir(), work.resolve("api")).set("model.max_concurrent", "1")
                .set("model.kv_cache_mb", "256").set("server.queue_capacity", "4").set("server.max_body_kb", "8"),
            SlowModel.dir(), work.resolve("api"), Map.of("SYNTHIA_SERVER__API_KEYS", "sk-other-key, " + KEY));
    }

    @AfterAll
    static void stop() throws Exception {
        if (api != null) api.close();
    }

    @BeforeEach
    void idle() {
        api.awaitIdle(WAIT);
    }

    // ------------------------------------------------------------------ answers through LangChain4j

    @Test
    void should_answer_a_whole_completion_through_langchain4j_with_its_usage() {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(api.baseUrl()).apiKey(KEY).modelName(api.modelId).maxTokens(8)
            .temperature(0.7).timeout(WAIT).build();

        ChatResponse r = model.chat(ChatRequest.builder().messages(SystemMessage.from("You are terse."), UserMessage.from("Name a colour.")).build());

        assertThat(r.aiMessage().text()).isNotEmpty();
        assertThat(r.metadata().modelName()).isEqualTo(api.modelId);
        assertThat(r.tokenUsage().inputTokenCount()).isGreaterThan(5);
        assertThat(r.tokenUsage().outputTokenCount()).isBetween(1, 8);
        assertThat(r.finishReason()).isIn(FinishReason.LENGTH, FinishReason.STOP); // random weights rarely stop early
        if (r.finishReason() == FinishReason.LENGTH) assertThat(r.tokenUsage().outputTokenCount()).isEqualTo(8);
        assertThat(r.tokenUsage().totalTokenCount()).isEqualTo(r.tokenUsage().inputTokenCount() + r.tokenUsage().outputTokenCount());
    }

    @Test
    void should_stream_an_answer_through_langchain4j_with_its_usage() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(api.baseUrl()).apiKey(KEY).modelName(api.modelId).maxTokens(12)
            .temperature(0.7).timeout(WAIT).build();
        List<String> pieces = new CopyOnWriteArrayList<>();
        List<Long> at = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();

        model.chat(ChatRequest.builder().messages(SystemMessage.from("You are terse."), UserMessage.from("Tell me about the sea.")).build(),
            new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(String text) {
                    pieces.add(text);
                    at.add(System.nanoTime());
                }

                @Override
                public void onCompleteResponse(ChatResponse response) {
                    at.add(System.nanoTime());
                    done.complete(response);
                }

                @Override
                public void onError(Throwable error) {
                    done.completeExceptionally(error);
                }
            });
        ChatResponse r = done.get(WAIT.toSeconds(), TimeUnit.SECONDS);

        assertThat(pieces).as("streamed in pieces").hasSizeGreaterThan(1);
        assertThat(String.join("", pieces)).isEqualTo(r.aiMessage().text());
        assertThat(at.get(0)).as("the first piece came before the end").isLessThan(at.get(at.size() - 1));
        assertThat(r.metadata().modelName()).isEqualTo(api.modelId);
        assertThat(r.tokenUsage()).as("the usage chunk (LangChain4j asks for it)").isNotNull();
        assertThat(r.tokenUsage().inputTokenCount()).isGreaterThan(5);
        assertThat(r.tokenUsage().outputTokenCount()).isBetween(pieces.size(), 12);
        assertThat(r.finishReason()).isIn(FinishReason.LENGTH, FinishReason.STOP);
    }

    @Test
    void should_report_cached_prompt_tokens_for_a_second_request_with_the_same_prefix() throws Exception {
        String before = api.metrics();
        String system = "Conversation " + UUID.randomUUID() + ": you answer questions about rivers and lakes, briefly and kindly.";
        String body = chat(system, "Which is the longest river?", 2, false);

        JsonNode first = json(post(body, KEY));
        JsonNode second = json(post(body, KEY));

        JsonNode u1 = first.path("usage"), u2 = second.path("usage");
        int prompt = u2.path("prompt_tokens").asInt();
        int cached1 = u1.path("prompt_tokens_details").path("cached_tokens").asInt(-1);
        int cached2 = u2.path("prompt_tokens_details").path("cached_tokens").asInt(-1);
        System.out.printf("cached prompt tokens: first request %d, second %d of %d%n", cached1, cached2, prompt);
        assertThat(u1.path("prompt_tokens").asInt()).isEqualTo(prompt).isGreaterThan(20);
        assertThat(cached1).as("a new system prompt: at most the chat template's first tokens cached").isLessThan(prompt / 4);
        assertThat(cached2).as("the same prompt again: all but its last token from the KV cache").isGreaterThanOrEqualTo(prompt - 1)
            .isLessThanOrEqualTo(prompt);
        assertThat(u2.path("total_tokens").asInt()).isEqualTo(prompt + u2.path("completion_tokens").asInt());
        String after = api.metrics();
        assertThat(tokens(after, "cached_prompt") - tokens(before, "cached_prompt")).isEqualTo(cached1 + cached2);
        assertThat(tokens(after, "prompt") - tokens(before, "prompt")).isEqualTo(2 * prompt);

        // LangChain4j reads the same field
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(api.baseUrl()).apiKey(KEY).modelName(api.modelId).maxTokens(2).timeout(WAIT).build();
        ChatResponse third = model.chat(ChatRequest.builder().messages(SystemMessage.from(system), UserMessage.from("Which is the longest river?")).build());
        assertThat(((OpenAiTokenUsage) third.tokenUsage()).inputTokensDetails().cachedTokens()).isGreaterThanOrEqualTo(prompt - 1);
    }

    // ------------------------------------------------------------------ bad requests

    @Test
    void should_answer_each_bad_request_with_its_status_and_an_openai_error_body() throws Exception {
        String before = api.metrics();
        String ok = chat("You are terse.", "Hi", 2, false);
        record Case(String what, String body, String key, int status, String param, String code) {}
        String big = chat("You are terse.", "x".repeat(20 * 1024), 2, false); // over server.max_body_kb 8
        List<Case> cases = List.of(
            new Case("malformed JSON", "{\"model\": \"" + api.modelId + "\", \"messages\": [", KEY, 400, null, "invalid_json"),
            new Case("no messages", "{\"model\": \"" + api.modelId + "\"}", KEY, 400, "messages", "missing_required_parameter"),
            new Case("n = 2", ok.replaceFirst("\\{", "{\"n\": 2, "), KEY, 400, "n", "unsupported_parameter"),
            new Case("tools", ok.replaceFirst("\\{", "{\"tools\": [{\"type\": \"function\", \"function\": {\"name\": \"weather\"}}], "), KEY, 400, "tools",
                "unsupported_parameter"),
            new Case("unknown model", ok.replace("\"model\": \"" + api.modelId + "\"", "\"model\": \"gpt-4o\""), KEY, 404, "model", "model_not_found"),
            new Case("body over max_body_kb", big, KEY, 413, null, "request_too_large"),
            new Case("no API key", ok, null, 401, null, "invalid_api_key"),
            new Case("a wrong API key", ok, "sk-wrong", 401, null, "invalid_api_key"));

        for (Case c : cases) {
            HttpResponse<String> r = post(c.body(), c.key());

            assertThat(r.statusCode()).as(c.what() + ": " + r.body()).isEqualTo(c.status());
            assertThat(r.headers().firstValue("Content-Type")).as(c.what()).hasValueSatisfying(t -> assertThat(t).startsWith("application/json"));
            JsonNode error = json(r).path("error");
            assertThat(error.isObject()).as(c.what() + ": an error object in " + r.body()).isTrue();
            assertThat(error.has("message") && error.has("type") && error.has("param") && error.has("code"))
                .as(c.what() + ": message, type, param and code in " + r.body()).isTrue();
            assertThat(error.path("message").asText()).as(c.what()).isNotBlank();
            assertThat(error.path("type").isTextual()).as(c.what()).isTrue();
            assertThat(error.path("param").isNull() ? null : error.path("param").asText()).as(c.what() + ": param").isEqualTo(c.param());
            assertThat(error.path("code").asText()).as(c.what() + ": code").isEqualTo(c.code());
            if (c.status() == 401) assertThat(r.headers().firstValue("WWW-Authenticate")).as(c.what()).hasValue("Bearer");
            System.out.printf("%-22s -> %d %s: %s%n", c.what(), r.statusCode(), c.code(), error.path("message").asText());
        }
        HttpResponse<String> models = HTTP.send(HttpRequest.newBuilder(api.uri("/v1/models")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(models.statusCode()).as("GET /v1/models without a key").isEqualTo(401);
        HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(api.uri("/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).as("/health needs no key").isEqualTo(200);

        String after = api.metrics();
        assertThat(chatRequests(after, "outcome=\"bad_request\"") - chatRequests(before, "outcome=\"bad_request\"")).isEqualTo(4);
        assertThat(chatRequests(after, "outcome=\"unauthorized\"") - chatRequests(before, "outcome=\"unauthorized\"")).isEqualTo(2);
        assertThat(chatRequests(after, "outcome=\"answered\"") - chatRequests(before, "outcome=\"answered\"")).as("nothing was answered").isZero();
        assertThat(api.process().output()).as("no stack trace for a bad request").noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception in"));
    }

    // ------------------------------------------------------------------ load

    @Test
    void should_bound_200_requests_at_once_with_429_and_retry_after_and_keep_answering() throws Exception {
        String before = api.metrics();
        String body = chat("You are terse.", "Say one word.", 2, false);
        HttpRequest request = HttpRequest.newBuilder(api.uri("/v1/chat/completions")).timeout(Duration.ofSeconds(300))
            .header("Content-Type", "application/json").header("Authorization", "Bearer " + KEY).POST(HttpRequest.BodyPublishers.ofString(body)).build();

        long t0 = System.nanoTime();
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < 200; i++) sent.add(HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).handle((v, e) -> null).get(300, TimeUnit.SECONDS);
        double seconds = (System.nanoTime() - t0) / 1e9;

        int ok = 0, limited = 0;
        List<String> other = new ArrayList<>();
        for (CompletableFuture<HttpResponse<String>> f : sent) {
            if (f.isCompletedExceptionally()) {
                other.add("failed: " + f.exceptionNow());
                continue;
            }
            HttpResponse<String> r = f.join();
            if (r.statusCode() == 200) {
                ok++;
                assertThat(json(r).path("choices").path(0).path("message").path("content").isTextual()).isTrue();
            } else if (r.statusCode() == 429) {
                limited++;
                assertThat(r.headers().firstValue("Retry-After")).as("Retry-After on a 429")
                    .hasValueSatisfying(v -> assertThat(Integer.parseInt(v)).isBetween(1, 60));
                assertThat(json(r).path("error").path("code").asText()).isEqualTo("rate_limit_exceeded");
            } else {
                other.add(r.statusCode() + " " + r.body());
            }
        }
        System.out.printf("200 requests at once (max_concurrent 1, queue 4): %d answered (200), %d refused (429), %d other; all done in %.1f s%n",
            ok, limited, other.size(), seconds);
        assertThat(other).as("no 5xx, no broken connection").isEmpty();
        assertThat(limited).as("some over the line got 429").isPositive();
        assertThat(ok).as("the line's places were answered").isGreaterThanOrEqualTo(5);
        assertThat(ok + limited).isEqualTo(200);

        String after = api.awaitIdle(WAIT);
        assertThat(chatRequests(after, "outcome=\"rate_limited\"") - chatRequests(before, "outcome=\"rate_limited\"")).isEqualTo(limited);
        assertThat(chatRequests(after, "outcome=\"answered\"") - chatRequests(before, "outcome=\"answered\"")).isEqualTo(ok);
        assertThat(api.process().output()).noneMatch(l -> l.contains("OutOfMemoryError") || l.contains(" ERROR "));
        // still there, and answering
        HttpResponse<String> later = post(body, KEY);
        assertThat(later.statusCode()).as(later.body()).isEqualTo(200);
        HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(api.uri("/health")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(health.statusCode()).isEqualTo(200);
    }

    @Test
    void should_give_the_place_of_a_client_that_disconnects_mid_stream_to_the_next_request_at_once() throws Exception {
        String before = api.metrics();
        int longAnswer = 2000;
        SseStream first = SseStream.open(HTTP, api.uri("/v1/chat/completions"), chat("You are verbose.", "Write a very long essay about the sea.",
            longAnswer, true), KEY);
        assertThat(first.status()).isEqualTo(200);
        // Its pace over a second of text (long enough that the reading thread's scheduling does not matter): each chunk
        // is one token (an empty piece is not sent), so the rest of the answer needs about this long.
        List<SseStream.Event> shown = new ArrayList<>(List.of(first.nextContent(WAIT)));
        while (shown.get(shown.size() - 1).nanos() - shown.get(0).nanos() < 1_000_000_000L) shown.add(first.nextContent(WAIT));
        double secondsPerChunk = (shown.get(shown.size() - 1).nanos() - shown.get(0).nanos()) / (shown.size() - 1) / 1e9;
        double wholeAnswerAtLeast = secondsPerChunk * (longAnswer - shown.size());
        assertThat(api.running()).as("the one place is taken").isEqualTo(1);

        long closed = System.nanoTime();
        first.close();
        SseStream second = SseStream.open(HTTP, api.uri("/v1/chat/completions"), chat("You are terse.", "Say hello.", 4, true), KEY);
        SseStream.Event firstToken = second.nextContent(WAIT);
        List<SseStream.Event> rest = second.readToEnd(WAIT);
        double secondFirstToken = (firstToken.nanos() - closed) / 1e9;

        System.out.printf("client gone mid-stream after %d chunks -> the next request's first token: %.2f s (the first answer would have needed about %.0f s more)%n",
            shown.size(), secondFirstToken, wholeAnswerAtLeast);
        assertThat(rest.get(rest.size() - 1).done()).as("the second answer ends with [DONE]").isTrue();
        assertThat(secondFirstToken).as("well before the first answer could have finished").isLessThan(wholeAnswerAtLeast / 4);
        String after = api.awaitIdle(WAIT);
        assertThat(chatRequests(after, "outcome=\"client_closed\"") - chatRequests(before, "outcome=\"client_closed\""))
            .as("the server noticed the client leave and cancelled its answer").isEqualTo(1);
        assertThat(chatRequests(after, "outcome=\"answered\"") - chatRequests(before, "outcome=\"answered\"")).as("only the second was answered")
            .isEqualTo(1);
        assertThat(api.process().output()).anyMatch(l -> l.contains("client closed the stream after") && l.contains("answer cancelled"));
    }

    // ------------------------------------------------------------------ SIGTERM

    @Test
    void should_end_a_running_stream_properly_refuse_new_requests_and_exit_0_on_sigterm(@TempDir Path own) throws Exception {
        try (ServeProcess s = ServeProcess.start(ProcessSettings.serve(SlowModel.dir(), own).set("model.max_concurrent", "1").set("model.kv_cache_mb", "256")
            .set("limits.shutdown_grace_seconds", "3"), SlowModel.dir(), own, Map.of())) {
            SseStream running = SseStream.open(HTTP, s.uri("/v1/chat/completions"), chat("You are verbose.", "Write a very long essay about rivers.", 2000, true)
                .replace("\"stream\": true", "\"stream\": true, \"stream_options\": {\"include_usage\": true}"), null);
            running.nextContent(WAIT);
            CompletableFuture<HttpResponse<String>> waiting = HTTP.sendAsync(HttpRequest.newBuilder(s.uri("/v1/chat/completions"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(chat("You are terse.", "Hi", 4, false))).build(),
                HttpResponse.BodyHandlers.ofString());
            org.awaitility.Awaitility.await("a request waiting behind the running answer").atMost(WAIT).until(s::waiting, w -> w == 1);

            long t0 = System.nanoTime();
            s.process().terminate();
            s.process().awaitLine("SIGTERM received: stopping", WAIT);
            HttpResponse<String> during = null;
            try {
                during = post(s, chat("You are terse.", "Hello?", 4, false), null);
            } catch (ConnectException refused) {
                // stopped already: refused is as good as 503
            }
            HttpResponse<String> waited = waiting.get(60, TimeUnit.SECONDS);
            List<SseStream.Event> events = running.readToEnd(Duration.ofSeconds(60));
            long streamEnded = System.nanoTime();
            int exit = s.process().awaitExit(Duration.ofSeconds(60));
            long exited = System.nanoTime();

            assertThat(during).as("a request during the drain: 503 (not refused: the grace is 3 s)").isNotNull();
            assertThat(during.statusCode()).isEqualTo(503);
            assertThat(json(during).path("error").path("code").asText()).isEqualTo("server_shutting_down");
            assertThat(waited.statusCode()).as("the request waiting for a place: sent away").isEqualTo(503);
            assertThat(json(waited).path("error").path("code").asText()).isEqualTo("server_shutting_down");

            SseStream.Event done = events.get(events.size() - 1);
            assertThat(done.done()).as("the stream ends with data: [DONE]: " + events.subList(Math.max(0, events.size() - 3), events.size())).isTrue();
            List<SseStream.Event> finished = events.stream().filter(e -> e.finishReason() != null).toList();
            assertThat(finished).as("one finish chunk").hasSize(1);
            assertThat(finished.get(0).finishReason()).as("cut short by the drain").isEqualTo("length");
            JsonNode usage = events.get(events.size() - 2).json().path("usage");
            long texts = events.stream().filter(e -> !e.content().isEmpty()).count();
            assertThat(usage.path("completion_tokens").asInt()).as("the usage chunk: what was sent, not the 2000 asked for")
                .isBetween((int) texts, 1999);
            assertThat(events.stream().filter(e -> !e.done()).map(e -> e.json().path("id").asText()).distinct()).hasSize(1);
            assertThat(exit).isZero();
            assertThat(s.process().output()).anyMatch(l -> l.contains("synthia-bot serve stopped"));
            System.out.printf("serve SIGTERM -> the running stream ended (length, [DONE]): %.0f ms; -> process exited 0: %.0f ms (grace 3 s)%n",
                (streamEnded - t0) / 1e6, (exited - t0) / 1e6);
        }
    }

    // ------------------------------------------------------------------ helpers

    /** A chat completion request body for the served model. */
    static String chat(String system, String user, int maxTokens, boolean stream) {
        ObjectNode b = SseStream.JSON.createObjectNode();
        b.put("model", api.modelId);
        ArrayNode messages = b.putArray("messages");
        messages.addObject().put("role", "system").put("content", system);
        messages.addObject().put("role", "user").put("content", user);
        b.put("max_tokens", maxTokens);
        b.put("stream", stream);
        // "model": "id" and "stream": true exactly so, as the cases above edit them
        return b.toString().replace("\"model\":", "\"model\": ").replace("\"stream\":", "\"stream\": ");
    }

    static HttpResponse<String> post(String body, String key) throws IOException, InterruptedException {
        return post(api, body, key);
    }

    static HttpResponse<String> post(ServeProcess s, String body, String key) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(s.uri("/v1/chat/completions")).timeout(WAIT).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
        if (key != null) b.header("Authorization", "Bearer " + key);
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static JsonNode json(HttpResponse<String> r) {
        try {
            return SseStream.JSON.readTree(r.body());
        } catch (IOException e) {
            throw new AssertionError("not JSON (" + r.statusCode() + "): " + r.body(), e);
        }
    }
}
