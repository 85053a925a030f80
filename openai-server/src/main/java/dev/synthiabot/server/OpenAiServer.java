package dev.synthiabot.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.synthiabot.server.Admission.Refused;
import dev.synthiabot.server.Admission.Refusal;
import dev.synthiabot.server.Admission.Ticket;
import dev.synthiabot.server.Answer.Event;
import dev.synthiabot.server.Answer.Failed;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The OpenAI Chat Completions API over a LangChain4j {@link StreamingChatModel}, on Helidon SE's web server.
 *
 * <p>Endpoints: {@code POST /v1/chat/completions} (a {@code chat.completion}, or with {@code stream: true} server-sent
 * {@code chat.completion.chunk} events ending with {@code data: [DONE]}), {@code GET /v1/models} and
 * {@code GET /v1/models/{id}} (the one model), {@code GET /health} (200 {@code {"status":"ok"}} once the model is
 * there, 503 while it loads and while the server drains) and {@code GET /metrics} (the Prometheus registry, this
 * server's meters among the rest). With API keys configured, {@code /v1/*} needs {@code Authorization: Bearer <key>};
 * {@code /health} and {@code /metrics} stay open.
 *
 * <p>Up to {@link OpenAiServerSettings#maxConcurrent()} answers run at once; up to
 * {@link OpenAiServerSettings#queueCapacity()} more requests wait in line, first come first served; beyond that a
 * request gets 429 with {@code Retry-After}. A streaming client that goes away is noticed when the next piece fails to
 * reach it: its answer is cancelled before the model's next token and its place goes to the next request at once.
 *
 * <p>Lifecycle: {@link #start()} listens at once (503 while the model loads), {@link #modelReady} brings the model;
 * {@link #start(StreamingChatModel)} does both. {@link #drain(Duration)} (SIGTERM) refuses new requests with 503, lets
 * running answers finish within the grace, ends the rest with {@code finish_reason: "length"}, then stops.
 */
public final class OpenAiServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(OpenAiServer.class);

    /** Where the server is in its life. */
    public enum State {
        /** Not started. */
        NEW,
        /** Listening; the model is not there yet (503). */
        LOADING,
        /** Answering. */
        READY,
        /** Refusing new requests while running answers finish (503). */
        DRAINING,
        /** Stopped. */
        STOPPED
    }

    /** How long drain waits for the forced answers to be written out before stopping anyway. */
    private static final Duration FORCED_END_WAIT = Duration.ofSeconds(5);
    private static final long LOADING_RETRY_AFTER_SECONDS = 5;
    static final String CHAT = "chat_completions";

    private final OpenAiServerSettings settings;
    private final PrometheusMeterRegistry registry;
    private final ApiKeys keys;
    private final Admission admission;
    private final ServerMetrics metrics;
    private final AnswerWriter writer;
    private final long created = System.currentTimeMillis() / 1000;
    /** Chat completion requests past their checks, waiting for a place or answering. */
    private final Set<Answer> inFlight = ConcurrentHashMap.newKeySet();
    private final Object inFlightChanged = new Object();
    private final Object lifecycle = new Object();
    private volatile boolean forcing;
    private volatile StreamingChatModel model;
    private volatile State state = State.NEW;
    private volatile WebServer server;

    /**
     * @param settings where to listen and how many answers to take
     * @param registry the registry {@code /metrics} serves (shared with the rest of the process); the server adds its
     *     meters to it
     */
    public OpenAiServer(OpenAiServerSettings settings, PrometheusMeterRegistry registry) {
        this.settings = Objects.requireNonNull(settings, "settings");
        this.registry = Objects.requireNonNull(registry, "registry");
        this.keys = new ApiKeys(settings.apiKeys());
        this.admission = new Admission(settings.maxConcurrent(), settings.queueCapacity());
        this.metrics = new ServerMetrics(registry, admission::running, admission::waiting);
        this.writer = new AnswerWriter(settings, metrics, () -> forcing);
    }

    /** Listens now, without a model: requests get 503 and {@code /health} says loading until {@link #modelReady}. */
    public OpenAiServer start() {
        synchronized (lifecycle) {
            if (state != State.NEW) throw new IllegalStateException("The server was already started (" + state + ")");
            server = WebServer.builder()
                .host(settings.bindAddress())
                .port(settings.port())
                .shutdownHook(false) // the process decides when to drain and stop
                .routing(this::routes)
                .build()
                .start();
            state = model != null ? State.READY : State.LOADING;
            log.info("OpenAI-compatible API listening on http://{}:{}/v1 ({})", settings.bindAddress(), server.port(), settings);
            return this;
        }
    }

    /** Listens and answers with {@code model} at once. */
    public OpenAiServer start(StreamingChatModel model) {
        modelReady(model);
        return start();
    }

    /** The model has loaded: requests are answered from now on and {@code /health} says ok. */
    public void modelReady(StreamingChatModel model) {
        Objects.requireNonNull(model, "model");
        synchronized (lifecycle) {
            this.model = model;
            if (state == State.LOADING) {
                state = State.READY;
                log.info("OpenAI-compatible API ready: model {}", settings.modelId());
            }
        }
    }

    /**
     * The model has loaded and takes up to {@code maxConcurrent} answers at once (more than the settings said, when the
     * model's own limit is only known now).
     */
    public void modelReady(StreamingChatModel model, int maxConcurrent) {
        admission.runUpTo(maxConcurrent);
        modelReady(model);
    }

    /** The port listened on (the one taken when the settings said 0). */
    public int port() {
        WebServer s = server;
        if (s == null) throw new IllegalStateException("The server is not started");
        return s.port();
    }

    public State state() {
        return state;
    }

    public OpenAiServerSettings settings() {
        return settings;
    }

    /** {@link #drain(Duration)} with the settings' {@link OpenAiServerSettings#shutdownGrace()}. */
    public void drain() {
        drain(settings.shutdownGrace());
    }

    /**
     * Shuts down gracefully (SIGTERM): new requests and those waiting in line get 503 at once, running answers may
     * finish within {@code grace}; those still running then end as cut short ({@code finish_reason: "length"}, then
     * their usage and {@code [DONE]} when streaming); then the server stops. Returns when it has stopped; a second
     * call waits for the first.
     */
    public void drain(Duration grace) {
        Objects.requireNonNull(grace, "grace");
        synchronized (lifecycle) {
            if (state == State.STOPPED) return;
            if (state == State.NEW) {
                state = State.STOPPED;
                return;
            }
            state = State.DRAINING;
            int running = admission.running();
            int waiting = admission.waiting();
            admission.close();
            log.info("Draining: {} answer(s) running may finish within {}; {} waiting request(s) refused", running, grace, waiting);
            if (!awaitNoneInFlight(System.nanoTime() + grace.toNanos())) {
                forcing = true;
                log.info("Grace over: ending {} answer(s) as cut short", inFlight.size());
                inFlight.forEach(Answer::force);
                if (!awaitNoneInFlight(System.nanoTime() + FORCED_END_WAIT.toNanos())) {
                    log.warn("{} answer(s) still being written after {}: stopping anyway", inFlight.size(), FORCED_END_WAIT);
                }
            }
            server.stop();
            state = State.STOPPED;
            log.info("OpenAI-compatible API stopped");
        }
    }

    /** Drains with no grace: running answers end as cut short at once. */
    @Override
    public void close() {
        drain(Duration.ZERO);
    }

    private boolean awaitNoneInFlight(long deadlineNanos) {
        synchronized (inFlightChanged) {
            while (!inFlight.isEmpty()) {
                long left = deadlineNanos - System.nanoTime();
                if (left <= 0) return false;
                try {
                    inFlightChanged.wait(Math.max(1, left / 1_000_000));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return inFlight.isEmpty();
                }
            }
            return true;
        }
    }

    private void register(Answer a) {
        inFlight.add(a);
        if (forcing) a.force();
    }

    private void unregister(Answer a) {
        inFlight.remove(a);
        synchronized (inFlightChanged) {
            inFlightChanged.notifyAll();
        }
    }

    // ------------------------------------------------------------------ routes

    private void routes(HttpRouting.Builder r) {
        r.post("/v1/chat/completions", this::chatCompletions)
            .get("/v1/models", this::models)
            .get("/v1/models/{id}", this::model)
            .get("/health", this::health)
            .get("/metrics", this::metrics)
            .any(this::notFound);
    }

    private void health(ServerRequest req, ServerResponse res) {
        State s = state;
        String status = switch (s) {
            case READY -> "ok";
            case LOADING, NEW -> "loading";
            case DRAINING, STOPPED -> "draining";
        };
        ObjectNode body = Responses.object().put("status", status);
        AnswerWriter.send(res, s == State.READY ? 200 : 503, body);
        log.debug("GET /health {}", s == State.READY ? 200 : 503);
    }

    private void metrics(ServerRequest req, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8");
        res.send(registry.scrape().getBytes(StandardCharsets.UTF_8));
    }

    private void models(ServerRequest req, ServerResponse res) {
        long start = System.nanoTime();
        try {
            authorize(req);
            ObjectNode body = Responses.object().put("object", "list");
            body.putArray("data").add(modelObject());
            finish(res, "models", "GET /v1/models", 200, body, start);
        } catch (ApiError e) {
            fail(res, "models", "GET /v1/models", e, start);
        }
    }

    private void model(ServerRequest req, ServerResponse res) {
        long start = System.nanoTime();
        try {
            authorize(req);
            String id = req.path().pathParameters().get("id");
            if (!settings.modelId().equals(id)) {
                throw new ApiError(404, ApiError.INVALID_REQUEST, "model", "model_not_found",
                    "The model `" + id + "` does not exist or you do not have access to it. This server serves `" + settings.modelId() + "`.");
            }
            finish(res, "models", "GET /v1/models/{id}", 200, modelObject(), start);
        } catch (ApiError e) {
            fail(res, "models", "GET /v1/models/{id}", e, start);
        }
    }

    private ObjectNode modelObject() {
        ObjectNode m = Responses.object();
        m.put("id", settings.modelId());
        m.put("object", "model");
        m.put("created", created);
        m.put("owned_by", "synthia-bot");
        m.put("max_model_len", settings.contextWindowTokens());
        return m;
    }

    private void notFound(ServerRequest req, ServerResponse res) {
        long start = System.nanoTime();
        String path = req.path().path();
        Method method = req.prologue().method();
        String allowed = switch (path) {
            case "/v1/chat/completions" -> "POST";
            case "/v1/models", "/health", "/metrics" -> "GET";
            default -> path.startsWith("/v1/models/") ? "GET" : null;
        };
        ApiError e = allowed != null
            ? new ApiError(405, ApiError.INVALID_REQUEST, null, "method_not_allowed",
                "Method " + method.text() + " is not allowed for " + path + ": use " + allowed + ".", Map.of("Allow", allowed))
            : new ApiError(404, ApiError.INVALID_REQUEST, null, "unknown_url",
                "Unknown request URL: " + method.text() + " " + path + ". This server serves /v1/chat/completions and /v1/models.");
        fail(res, "other", method.text() + " (unknown)", e, start);
    }

    // ------------------------------------------------------------------ chat completions

    private void chatCompletions(ServerRequest req, ServerResponse res) {
        long start = System.nanoTime();
        String what = "POST /v1/chat/completions";
        try {
            authorize(req);
            StreamingChatModel m = available();
            ChatCompletionRequest request = ChatCompletionRequest.parse(readBody(req), settings.modelId(), settings.contextWindowTokens());
            Answer answer = new Answer();
            register(answer);
            try {
                Ticket ticket = enter();
                try (ticket) {
                    metrics.queueWait(Duration.ofNanos(System.nanoTime() - start));
                    long queued = System.nanoTime() - start;
                    answer.start(m, request.chatRequest());
                    Event first = answer.next();
                    if (first instanceof Failed f) throw writer.modelError(f.error());
                    String id = "chatcmpl-" + UUID.randomUUID().toString().replace("-", "");
                    writer.write(res, new AnswerWriter.Context(id, System.currentTimeMillis() / 1000, request, answer, start, queued), first);
                }
            } finally {
                answer.cancel();
                unregister(answer);
            }
        } catch (ApiError e) {
            fail(res, CHAT, what, e, start);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            fail(res, CHAT, what, ApiError.unavailable("server_shutting_down", "The server is shutting down.", 0), start);
        } catch (RuntimeException e) {
            log.warn("{} failed", what, e);
            fail(res, CHAT, what, new ApiError(500, "server_error", null, null, "The server had an error while answering the request."), start);
        }
    }

    // ------------------------------------------------------------------ checks

    private void authorize(ServerRequest req) {
        if (!keys.accepts(req.headers().first(HeaderNames.AUTHORIZATION))) {
            boolean none = req.headers().first(HeaderNames.AUTHORIZATION).isEmpty();
            throw new ApiError(401, ApiError.INVALID_REQUEST, null, "invalid_api_key",
                none ? "You didn't provide an API key. Provide it in an Authorization header: 'Authorization: Bearer YOUR_KEY'."
                    : "Incorrect API key provided.",
                Map.of("WWW-Authenticate", "Bearer"));
        }
    }

    private StreamingChatModel available() {
        State s = state;
        if (s == State.DRAINING || s == State.STOPPED) throw ApiError.unavailable("server_shutting_down", "The server is shutting down.", 0);
        StreamingChatModel m = model;
        if (m == null) {
            throw ApiError.unavailable("model_loading", "The model " + settings.modelId() + " is still loading. Try again shortly.",
                LOADING_RETRY_AFTER_SECONDS);
        }
        return m;
    }

    private Ticket enter() throws InterruptedException {
        try {
            return admission.enter();
        } catch (Refused r) {
            if (r.reason() == Refusal.CLOSED) throw ApiError.unavailable("server_shutting_down", "The server is shutting down.", 0);
            long retryAfter = retryAfterSeconds();
            throw new ApiError(429, "requests", null, "rate_limit_exceeded",
                "The server is busy: " + admission.maxRunning() + " answer(s) running and " + admission.queueCapacity()
                    + " waiting, the most it takes. Please retry after " + retryAfter + " second(s).",
                Map.of("Retry-After", Long.toString(retryAfter)));
        }
    }

    /** When a place is likely to be free: the line ahead of a newcomer, at the recent answers' pace; 1 to 60 s. */
    private long retryAfterSeconds() {
        double estimate = writer.averageAnswerSeconds() * (admission.waiting() + 1) / admission.maxRunning();
        return Math.max(1, Math.min(60, (long) Math.ceil(estimate)));
    }

    private byte[] readBody(ServerRequest req) {
        long max = Math.min(settings.maxBodyBytes(), Integer.MAX_VALUE - 16);
        OptionalLong length = req.headers().contentLength();
        if (length.isPresent() && length.getAsLong() > max) throw tooLarge(length.getAsLong(), max);
        try {
            InputStream in = req.content().inputStream();
            byte[] body = in.readNBytes((int) max + 1);
            if (body.length > max) throw tooLarge(-1, max);
            in.close();
            return body;
        } catch (IOException | java.io.UncheckedIOException e) {
            throw ApiError.invalid(null, "invalid_body", "The request body could not be read.");
        }
    }

    private static ApiError tooLarge(long length, long max) {
        return new ApiError(413, ApiError.INVALID_REQUEST, null, "request_too_large",
            (length >= 0 ? "The request body is " + length + " bytes" : "The request body is larger than allowed")
                + ": at most " + max + " bytes (" + max / 1024 + " KiB) are accepted.",
            Map.of("Connection", "close"));
    }

    // ------------------------------------------------------------------ sending

    private void finish(ServerResponse res, String endpoint, String what, int status, ObjectNode body, long start) {
        AnswerWriter.send(res, status, body);
        metrics.request(endpoint, status, "ok");
        log.info("{} {} total_ms={}", what, status, millis(start));
    }

    private void fail(ServerResponse res, String endpoint, String what, ApiError e, long start) {
        metrics.request(endpoint, e.status(), ServerMetrics.outcomeOf(e.status()));
        log.info("{} {} error={} param={} total_ms={}", what, e.status(), e.code(), e.param(), millis(start));
        if (res.isSent()) return;
        try {
            e.headers().forEach(res::header);
            AnswerWriter.send(res, e.status(), Responses.error(e));
        } catch (RuntimeException gone) {
            log.debug("{}: the error could not be sent (client gone?)", what, gone);
        }
    }

    /** Milliseconds since {@code startNanos} ({@link System#nanoTime()}), for the log lines. */
    static long millis(long startNanos) {
        return (System.nanoTime() - startNanos) / 1_000_000;
    }
}
