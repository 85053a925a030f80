package dev.synthiabot.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/** A server on a free port of 127.0.0.1 with a scripted model, and a plain HTTP client for it. */
final class Harness implements AutoCloseable {
    static final String MODEL_ID = "synthia-7b-v1.3";
    static final ObjectMapper JSON = new ObjectMapper();

    final PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    final OpenAiServer server;
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(10)).build();

    Harness(OpenAiServerSettings settings, ScriptedModel model) {
        server = new OpenAiServer(settings, registry);
        if (model != null) server.start(model); else server.start();
    }

    Harness(ScriptedModel model) {
        this(settings(), model);
    }

    static OpenAiServerSettings settings() {
        return OpenAiServerSettings.defaults(MODEL_ID).withPort(0);
    }

    String baseUrl() {
        return "http://127.0.0.1:" + server.port() + "/v1";
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    HttpResponse<String> post(String path, String body, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(b::header);
        return send(b.build());
    }

    HttpResponse<String> post(String body) {
        return post("/v1/chat/completions", body, Map.of());
    }

    /** A chat completion request sent without waiting for its answer. */
    CompletableFuture<HttpResponse<String>> postAsync(String body) {
        return http.sendAsync(HttpRequest.newBuilder(uri("/v1/chat/completions")).timeout(Duration.ofSeconds(30))
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    /** "Hi" streamed through LangChain4j's OpenAI streaming client: its pieces go to {@code pieces}, its end to the future. */
    CompletableFuture<ChatResponse> stream(List<String> pieces) {
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        OpenAiStreamingChatModel.builder().baseUrl(baseUrl()).apiKey("unused").modelName(MODEL_ID).timeout(Duration.ofSeconds(30)).build()
            .chat(List.of(UserMessage.from("Hi")), new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(String partial) {
                    pieces.add(partial);
                }

                @Override
                public void onCompleteResponse(ChatResponse response) {
                    done.complete(response);
                }

                @Override
                public void onError(Throwable error) {
                    done.completeExceptionally(error);
                }
            });
        return done;
    }

    HttpResponse<String> get(String path, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30)).GET();
        headers.forEach(b::header);
        return send(b.build());
    }

    HttpResponse<String> get(String path) {
        return get(path, Map.of());
    }

    HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    static JsonNode json(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException("Not JSON: " + body, e);
        }
    }

    /** The JSON of each {@code data:} event of an SSE body, and {@code [DONE]} as a text node. */
    static List<String> events(String sseBody) {
        List<String> out = new ArrayList<>();
        for (String line : sseBody.split("\n")) {
            if (line.startsWith("data: ")) out.add(line.substring("data: ".length()));
        }
        return out;
    }

    static String chat(String userText, String extraFields) {
        return "{\"model\":\"" + MODEL_ID + "\",\"messages\":[{\"role\":\"user\",\"content\":\"" + userText + "\"}]"
            + (extraFields.isEmpty() ? "" : "," + extraFields) + "}";
    }

    double gauge(String name) {
        return registry.get(name).gauge().value();
    }

    @Override
    public void close() {
        server.close();
        http.close();
    }
}
