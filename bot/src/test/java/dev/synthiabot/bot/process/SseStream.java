package dev.synthiabot.bot.process;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A streamed chat completion read the raw way: the {@code data:} payloads of the server-sent events as they arrive
 * (each with its arrival time), read by a thread of its own so that every wait is bounded; {@link #close()} closes
 * the response body, which closes the connection: a client that goes away.
 */
final class SseStream implements AutoCloseable {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final Event END = new Event("(end of stream)", 0);

    /** One {@code data:} payload and when it arrived. */
    record Event(String data, long nanos) {
        boolean done() {
            return data.equals("[DONE]");
        }

        JsonNode json() {
            try {
                return JSON.readTree(data);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + data, e);
            }
        }

        /** The delta's text of a chunk (empty for the role chunk, the finish chunk and the usage chunk). */
        String content() {
            return done() ? "" : json().path("choices").path(0).path("delta").path("content").asText("");
        }

        String finishReason() {
            if (done()) return null;
            JsonNode f = json().path("choices").path(0).path("finish_reason");
            return f.isTextual() ? f.asText() : null;
        }
    }

    final HttpResponse<InputStream> response;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    /** Every event so far, in order. */
    final List<Event> received = new CopyOnWriteArrayList<>();
    private volatile boolean ended;

    private SseStream(HttpResponse<InputStream> response) {
        this.response = response;
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.startsWith("data:")) {
                        Event e = new Event(line.substring(5).strip(), System.nanoTime());
                        received.add(e);
                        events.add(e);
                    }
                }
            } catch (IOException e) {
                // closed by us, or the connection broke: the end either way
            } finally {
                ended = true;
                events.add(END);
            }
        }, "sse-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** POSTs {@code body} to {@code uri} and returns the stream once the response's headers came (bounded). */
    static SseStream open(HttpClient http, URI uri, String body, String apiKey) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(120)).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body));
        if (apiKey != null) b.header("Authorization", "Bearer " + apiKey);
        HttpResponse<InputStream> r = http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
        return new SseStream(r);
    }

    int status() {
        return response.statusCode();
    }

    /** The next event within {@code timeout}; null at the end of the stream; fails when none came in time. */
    Event next(Duration timeout) throws InterruptedException {
        Event e = events.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
        if (e == null) throw new AssertionError("no event within " + timeout + "; so far: " + received);
        if (e == END) {
            events.add(END);
            return null;
        }
        return e;
    }

    /** The next chunk with text (skipping the role chunk), within {@code timeout}. */
    Event nextContent(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            Event e = next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime())));
            if (e == null) throw new AssertionError("the stream ended before any text: " + received);
            if (!e.content().isEmpty()) return e;
        }
    }

    /** Every event up to the end of the stream (bounded); returns them all, from the first. */
    List<Event> readToEnd(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (next(Duration.ofNanos(Math.max(1, deadline - System.nanoTime()))) != null) {
            // keep reading
        }
        return List.copyOf(received);
    }

    boolean ended() {
        return ended;
    }

    /** Closes the response body: the connection goes, as when a client disconnects. */
    @Override
    public void close() {
        try {
            response.body().close();
        } catch (IOException e) {
            // closing anyway
        }
    }
}
