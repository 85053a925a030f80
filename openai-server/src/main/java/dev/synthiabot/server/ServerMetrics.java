package dev.synthiabot.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The server's meters, beside whatever else the registry holds (the bot's own): {@code synthia_openai_requests_total}
 * by endpoint, HTTP status and outcome; {@code synthia_openai_tokens_total} by type (prompt, cached_prompt,
 * completion); time to first token, queue wait and answer duration; answers running and waiting.
 */
final class ServerMetrics {
    private final MeterRegistry registry;
    private final Counter promptTokens;
    private final Counter cachedPromptTokens;
    private final Counter completionTokens;
    private final Timer timeToFirstToken;
    private final Timer queueWait;
    private final Timer answerDuration;

    ServerMetrics(MeterRegistry registry, Supplier<Number> running, Supplier<Number> waiting) {
        this.registry = registry;
        promptTokens = tokens("prompt");
        cachedPromptTokens = tokens("cached_prompt");
        completionTokens = tokens("completion");
        timeToFirstToken = Timer.builder("synthia.openai.time.to.first.token")
            .description("Time from a chat completion request arriving to its first token (queue wait included)").register(registry);
        queueWait = Timer.builder("synthia.openai.queue.wait").description("Time a chat completion request waited for a place").register(registry);
        answerDuration = Timer.builder("synthia.openai.answer.duration")
            .description("Time from a chat completion request arriving to its last byte sent").register(registry);
        Gauge.builder("synthia.openai.answers.running", running).description("Chat completions being answered").register(registry);
        Gauge.builder("synthia.openai.answers.waiting", waiting).description("Chat completion requests waiting for a place").register(registry);
    }

    private Counter tokens(String type) {
        return Counter.builder("synthia.openai.tokens").tag("type", type).description("Tokens of chat completions, by type").register(registry);
    }

    /** One request answered, by endpoint ({@code chat_completions}, {@code models}, ...), status and outcome. */
    void request(String endpoint, int status, String outcome) {
        Counter.builder("synthia.openai.requests")
            .tag("endpoint", endpoint)
            .tag("status", Integer.toString(status))
            .tag("outcome", outcome)
            .description("HTTP requests to the OpenAI-compatible API, by endpoint, status and outcome")
            .register(registry)
            .increment();
    }

    void usage(Usage u) {
        promptTokens.increment(u.promptTokens());
        cachedPromptTokens.increment(u.cachedTokens());
        completionTokens.increment(u.completionTokens());
    }

    void timeToFirstToken(Duration d) {
        timeToFirstToken.record(d);
    }

    void queueWait(Duration d) {
        queueWait.record(d);
    }

    void answerDuration(Duration d) {
        answerDuration.record(d);
    }

    /** The outcome tag of an error status. */
    static String outcomeOf(int status) {
        return switch (status) {
            case 400 -> "bad_request";
            case 401 -> "unauthorized";
            case 404, 405 -> "not_found";
            case 413 -> "too_large";
            case 429 -> "rate_limited";
            case 503 -> "unavailable";
            default -> status >= 500 ? "failed" : "client_error";
        };
    }
}
