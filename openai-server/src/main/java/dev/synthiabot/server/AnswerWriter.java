package dev.synthiabot.server;

import static dev.synthiabot.server.OpenAiServer.CHAT;
import static dev.synthiabot.server.OpenAiServer.millis;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.synthiabot.server.Answer.Done;
import dev.synthiabot.server.Answer.Event;
import dev.synthiabot.server.Answer.Failed;
import dev.synthiabot.server.Answer.Forced;
import dev.synthiabot.server.Answer.Piece;
import io.helidon.http.HeaderNames;
import io.helidon.http.sse.SseEvent;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.sse.SseSink;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends one chat completion's answer to its client as the model writes it: one {@code chat.completion}, or with
 * {@code stream: true} server-sent {@code chat.completion.chunk} events ending with {@code data: [DONE]}; an answer
 * the server forces to end (drain) ends with {@code finish_reason: "length"}. Records each answer's meters and log
 * line, and the moving average of answers' durations that {@code Retry-After} is estimated from.
 */
final class AnswerWriter {
    /** The server's request log lines stay under one logger name. */
    private static final Logger log = LoggerFactory.getLogger(OpenAiServer.class);
    /** How long a forced answer waits for the model's own end, for its exact token counts. */
    private static final Duration FORCED_USAGE_WAIT = Duration.ofSeconds(1);
    private static final String SSE_DONE = " [DONE]";

    private final OpenAiServerSettings settings;
    private final ServerMetrics metrics;
    private final BooleanSupplier forcing;
    /** Moving average of an answer's duration, for Retry-After. */
    private volatile double averageAnswerSeconds;

    /** @param forcing whether the server is ending the running answers (a drain past its grace) */
    AnswerWriter(OpenAiServerSettings settings, ServerMetrics metrics, BooleanSupplier forcing) {
        this.settings = settings;
        this.metrics = metrics;
        this.forcing = forcing;
    }

    /** Sends the answer that began with {@code first}, whole or streamed as the request asked. */
    void write(ServerResponse res, Context c, Event first) throws InterruptedException {
        if (c.request().stream()) {
            stream(res, c, first);
        } else {
            whole(res, c, first);
        }
    }

    /** The recent answers' duration in seconds (0 before the first). */
    double averageAnswerSeconds() {
        return averageAnswerSeconds;
    }

    /** One answer being sent out. */
    record Context(String id, long created, ChatCompletionRequest request, Answer answer, long start, long queuedNanos) {}

    /** The answer as one {@code chat.completion}. */
    private void whole(ServerResponse res, Context c, Event first) throws InterruptedException {
        StringBuilder text = new StringBuilder();
        int pieces = 0;
        long firstTokenNanos = -1;
        for (Event e = first; ; e = c.answer().next()) {
            switch (e) {
                case Piece p -> {
                    if (firstTokenNanos < 0) firstTokenNanos = recordFirstToken(c);
                    text.append(p.text());
                    pieces++;
                }
                case Done d -> {
                    ChatResponse r = d.response();
                    String content = r.aiMessage() != null && r.aiMessage().text() != null ? r.aiMessage().text() : text.toString();
                    String reason = Responses.finishReason(r.finishReason());
                    Usage usage = Usage.of(r.tokenUsage(), pieces);
                    sendAnswer(res, c, Responses.completion(c.id(), c.created(), settings.modelId(), content, reason, usage), reason, usage, firstTokenNanos);
                    return;
                }
                case Failed f -> throw modelError(f.error());
                case Forced x -> {
                    Usage usage = cutShort(c.answer(), pieces);
                    sendAnswer(res, c, Responses.completion(c.id(), c.created(), settings.modelId(), text.toString(), "length", usage), "length", usage,
                        firstTokenNanos);
                    return;
                }
            }
        }
    }

    private void sendAnswer(ServerResponse res, Context c, ObjectNode body, String reason, Usage usage, long firstTokenNanos) {
        try {
            send(res, 200, body);
        } catch (RuntimeException e) { // the client left while the answer was being generated
            metrics.request(CHAT, 200, "client_closed");
            log.info("POST /v1/chat/completions 200 stream=false client closed the connection before the answer was sent; total_ms={}", millis(c.start()));
            return;
        }
        answered(c, 200, reason.equals("length") && forcing.getAsBoolean() ? "truncated" : "answered", reason, usage, firstTokenNanos);
    }

    /** The answer as server-sent {@code chat.completion.chunk} events. */
    private void stream(ServerResponse res, Context c, Event first) throws InterruptedException {
        boolean usageField = c.request().includeUsage();
        String model = settings.modelId();
        int pieces = 0;
        long firstTokenNanos = -1;
        SseSink sink = res.sink(SseSink.TYPE);
        try {
            emit(sink, Responses.deltaChunk(c.id(), c.created(), model, usageField, "assistant", ""));
            for (Event e = first; ; e = c.answer().next()) {
                switch (e) {
                    case Piece p -> {
                        if (firstTokenNanos < 0) firstTokenNanos = recordFirstToken(c);
                        pieces++;
                        if (!p.text().isEmpty()) emit(sink, Responses.deltaChunk(c.id(), c.created(), model, usageField, null, p.text()));
                    }
                    case Done d -> {
                        String reason = Responses.finishReason(d.response().finishReason());
                        Usage usage = Usage.of(d.response().tokenUsage(), pieces);
                        endStream(sink, c, reason, usage);
                        answered(c, 200, "answered", reason, usage, firstTokenNanos);
                        return;
                    }
                    case Failed f -> {
                        ApiError err = modelError(f.error());
                        emit(sink, Responses.error(err));
                        emitRaw(sink, SSE_DONE);
                        sink.close();
                        log.info("POST /v1/chat/completions 200 stream=true error={} after {} piece(s) total_ms={}", err.code(), pieces, millis(c.start()));
                        metrics.request(CHAT, 200, "failed");
                        return;
                    }
                    case Forced x -> {
                        Usage usage = cutShort(c.answer(), pieces);
                        endStream(sink, c, "length", usage);
                        answered(c, 200, "truncated", "length", usage, firstTokenNanos);
                        return;
                    }
                }
            }
        } catch (ClientGone gone) {
            c.answer().cancel();
            metrics.request(CHAT, 200, "client_closed");
            log.info("POST /v1/chat/completions 200 stream=true client closed the stream after {} piece(s): answer cancelled; queue_ms={} total_ms={}",
                pieces, c.queuedNanos() / 1_000_000, millis(c.start()));
        }
    }

    private void endStream(SseSink sink, Context c, String reason, Usage usage) {
        String model = settings.modelId();
        emit(sink, Responses.finishChunk(c.id(), c.created(), model, c.request().includeUsage(), reason));
        if (c.request().includeUsage()) emit(sink, Responses.usageChunk(c.id(), c.created(), model, usage));
        emitRaw(sink, SSE_DONE);
        try {
            sink.close();
        } catch (RuntimeException e) {
            throw new ClientGone();
        }
    }

    /** The client is no longer there to read the stream. */
    private static final class ClientGone extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ClientGone() {
            super(null, null, false, false);
        }
    }

    private static void emit(SseSink sink, ObjectNode json) {
        emitRaw(sink, " " + Responses.text(json));
    }

    /**
     * One {@code data:} event. Helidon writes {@code data:} and the data as given: the leading space makes OpenAI's
     * framing, {@code data: {...}}, which some clients match literally.
     */
    private static void emitRaw(SseSink sink, String data) {
        try {
            sink.emit(SseEvent.create(data));
        } catch (RuntimeException e) {
            throw new ClientGone();
        }
    }

    /** Cancels a forced answer and waits briefly for the model's own end, for its token counts. */
    private static Usage cutShort(Answer answer, int pieces) throws InterruptedException {
        answer.cancel();
        long deadline = System.nanoTime() + FORCED_USAGE_WAIT.toNanos();
        for (long left; (left = deadline - System.nanoTime()) > 0; ) {
            Event e = answer.next(Duration.ofNanos(left));
            if (e instanceof Done d) {
                Usage u = Usage.of(d.response().tokenUsage(), pieces);
                return new Usage(u.promptTokens(), Math.min(u.completionTokens(), pieces), u.cachedTokens());
            }
            if (e == null || e instanceof Failed) break;
        }
        return new Usage(0, pieces, 0);
    }

    private long recordFirstToken(Context c) {
        long nanos = System.nanoTime() - c.start();
        metrics.timeToFirstToken(Duration.ofNanos(nanos));
        return nanos;
    }

    private void answered(Context c, int status, String outcome, String reason, Usage usage, long firstTokenNanos) {
        long total = System.nanoTime() - c.start();
        metrics.request(CHAT, status, outcome);
        metrics.usage(usage);
        metrics.answerDuration(Duration.ofNanos(total));
        double seconds = (total - c.queuedNanos()) / 1e9;
        averageAnswerSeconds = averageAnswerSeconds == 0 ? seconds : 0.8 * averageAnswerSeconds + 0.2 * seconds;
        log.info("POST /v1/chat/completions {} stream={} finish={} prompt_tokens={} cached_tokens={} completion_tokens={} queue_ms={} ttft_ms={} total_ms={}",
            status, c.request().stream(), reason, usage.promptTokens(), usage.cachedTokens(), usage.completionTokens(),
            c.queuedNanos() / 1_000_000, firstTokenNanos < 0 ? "-" : Long.toString(firstTokenNanos / 1_000_000), total / 1_000_000);
    }


    /** What a model's failure means to the client. */
    ApiError modelError(Throwable t) {
        if (t instanceof InvalidRequestException) {
            String message = t.getMessage() == null ? "" : t.getMessage();
            if (message.toLowerCase(Locale.ROOT).contains("context")) {
                return ApiError.invalid("messages", "context_length_exceeded", "This model's maximum context length is "
                    + settings.contextWindowTokens() + " tokens. " + message);
            }
            return ApiError.invalid(null, null, message.isEmpty() ? "The model refused the request." : message);
        }
        if (t instanceof UnsupportedFeatureException) return ApiError.unsupported(null, Objects.requireNonNullElse(t.getMessage(), "Not supported."));
        if (t instanceof IllegalArgumentException) return ApiError.invalid(null, "invalid_value", Objects.requireNonNullElse(t.getMessage(), "Invalid request."));
        log.warn("The model failed to answer", t);
        return new ApiError(500, "server_error", null, null, "The model failed to answer the request.");
    }


    static void send(ServerResponse res, int status, ObjectNode body) {
        res.status(status);
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(Responses.bytes(body));
    }
}
