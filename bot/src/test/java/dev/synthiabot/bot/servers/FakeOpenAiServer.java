package dev.synthiabot.bot.servers;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

/**
 * A stand-in for an OpenAI-compatible model server on 127.0.0.1, as far as the bot's client sees one: {@code /models}
 * and streamed {@code /chat/completions}. It answers with the words given, fails with a status, or dies mid-answer.
 */
final class FakeOpenAiServer implements AutoCloseable {
    enum Mode { ANSWER, FAIL_500, DIE_MID_ANSWER }

    private final HttpServer http;
    /** The conversation header of each chat request, in order. */
    final List<String> conversationHeaders = new CopyOnWriteArrayList<>();
    volatile Mode mode = Mode.ANSWER;
    volatile List<String> words = List.of("Hello", " from", " a", " server.");

    FakeOpenAiServer() throws IOException {
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        http.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        http.createContext("/v1/models", ex -> {
            if (mode == Mode.FAIL_500) {
                respond(ex, 500, "{\"error\":{\"message\":\"broken\"}}");
            } else {
                respond(ex, 200, "{\"object\":\"list\",\"data\":[{\"id\":\"synthia-7b-v1.3\",\"object\":\"model\"}]}");
            }
        });
        http.createContext("/v1/chat/completions", this::chat);
        http.start();
    }

    URI baseUrl() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/v1");
    }

    int chatRequests() {
        return conversationHeaders.size();
    }

    private void chat(HttpExchange ex) throws IOException {
        ex.getRequestBody().readAllBytes();
        conversationHeaders.add(String.valueOf(ex.getRequestHeaders().getFirst(ModelServers.CONVERSATION_HEADER)));
        if (mode == Mode.FAIL_500) {
            respond(ex, 500, "{\"error\":{\"message\":\"the model crashed\",\"type\":\"server_error\"}}");
            return;
        }
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0);
        try (OutputStream out = ex.getResponseBody()) {
            event(out, "{\"role\":\"assistant\",\"content\":\"\"}", null);
            for (int i = 0; i < words.size(); i++) {
                event(out, "{\"content\":\"" + words.get(i) + "\"}", null);
                if (mode == Mode.DIE_MID_ANSWER && i == 1) {
                    // The connection drops after two words with the response unfinished, as when the server is killed.
                    throw new IOException("killed");
                }
            }
            event(out, "{}", "stop");
            out.write(("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"synthia-7b-v1.3\",\"choices\":[],"
                + "\"usage\":{\"prompt_tokens\":7,\"completion_tokens\":" + words.size() + ",\"total_tokens\":" + (7 + words.size()) + "}}\n\n")
                .getBytes(StandardCharsets.UTF_8));
            out.write("data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8));
        }
    }

    private static void event(OutputStream out, String delta, String finish) throws IOException {
        out.write(("data: {\"id\":\"c\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"synthia-7b-v1.3\",\"choices\":[{\"index\":0,"
            + "\"delta\":" + delta + ",\"finish_reason\":" + (finish == null ? "null" : "\"" + finish + "\"") + "}]}\n\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private static void respond(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }

    /** Stops listening: connections are refused from now on. */
    @Override
    public void close() {
        http.stop(0);
    }
}
