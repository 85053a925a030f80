package dev.synthiabot.bot.servers;

import dev.langchain4j.model.chat.StreamingChatModel;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One OpenAI-compatible model server: its LangChain4j client, its places, and whether it is up. A server that
 * refused a connection or answered 5xx is taken out for a backoff (2 s, doubling to a minute) and, once that has
 * passed, gets work again only after a probe ({@code GET …/models}) answered.
 */
final class ModelServer {
    private static final Logger log = LoggerFactory.getLogger(ModelServer.class);
    static final Duration FIRST_BACKOFF = Duration.ofSeconds(2);
    static final Duration LONGEST_BACKOFF = Duration.ofMinutes(1);
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(3);

    private final String name;
    private final URI baseUrl;
    private final StreamingChatModel client;
    private final int places;
    private final Optional<String> apiKey;
    private final Clock clock;
    private final HttpClient http;

    // Guarded by this.
    private int running;
    private long assigned;
    private Instant downUntil;
    private Duration backoff = FIRST_BACKOFF;
    private String lastProblem;

    private final AtomicLong answered = new AtomicLong();
    private final AtomicLong failed = new AtomicLong();
    private final AtomicLong tokens = new AtomicLong();
    private final AtomicLong decodeNanos = new AtomicLong();

    ModelServer(URI baseUrl, StreamingChatModel client, int places, Optional<String> apiKey, Clock clock, HttpClient http) {
        this.name = baseUrl.getHost() + (baseUrl.getPort() > 0 ? ":" + baseUrl.getPort() : "");
        this.baseUrl = baseUrl;
        this.client = client;
        this.places = places;
        this.apiKey = apiKey;
        this.clock = clock;
        this.http = http;
    }

    String name() {
        return name;
    }

    StreamingChatModel client() {
        return client;
    }

    int places() {
        return places;
    }

    synchronized int running() {
        return running;
    }

    synchronized boolean up() {
        return downUntil == null;
    }

    /** Whether it may take an answer now: up, or down with its backoff over and a probe answered. */
    boolean available() {
        synchronized (this) {
            if (downUntil == null) return true;
            if (clock.instant().isBefore(downUntil)) return false;
        }
        boolean answers = probe();
        synchronized (this) {
            if (answers) {
                log.info("Model server {} answers again: back in use", name);
                downUntil = null;
                backoff = FIRST_BACKOFF;
            } else {
                downUntil = clock.instant().plus(backoff);
                backoff = min(backoff.multipliedBy(2), LONGEST_BACKOFF);
            }
            return answers;
        }
    }

    private boolean probe() {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl.toString().replaceAll("/+$", "") + "/models")).timeout(PROBE_TIMEOUT).GET();
        apiKey.ifPresent(k -> b.header("Authorization", "Bearer " + k));
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (java.io.IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    synchronized void started() {
        running++;
        assigned++;
    }

    /** Answers it was given since the start: among equally free servers the least used goes first, so work spreads. */
    synchronized long assigned() {
        return assigned;
    }

    /** An answer ended; {@code serverFailed}: the server itself failed (down, 5xx), not the request. */
    void ended(boolean ok, boolean serverFailed, String problem) {
        (ok ? answered : failed).incrementAndGet();
        synchronized (this) {
            running--;
            if (!serverFailed) return;
            lastProblem = problem;
            if (downUntil == null) log.warn("Model server {} failed ({}): not used for {} s, then probed", name, problem, backoff.toSeconds());
            downUntil = clock.instant().plus(backoff);
            backoff = min(backoff.multipliedBy(2), LONGEST_BACKOFF);
        }
    }

    /** Tokens an answer generated after its first, and how long they took. */
    void decoded(int tokensAfterFirst, long nanos) {
        if (tokensAfterFirst <= 0 || nanos <= 0) return;
        tokens.addAndGet(tokensAfterFirst);
        decodeNanos.addAndGet(nanos);
    }

    synchronized ServerStatus status() {
        long n = decodeNanos.get();
        return new ServerStatus(name, downUntil == null, running, places, answered.get(), failed.get(),
            n > 0 ? Optional.of(tokens.get() / (n / 1e9)) : Optional.empty(), Optional.ofNullable(downUntil == null ? null : lastProblem));
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) < 0 ? a : b;
    }
}
