package dev.synthiabot.bot.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import dev.synthiabot.bot.servers.ServerStatus;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;

/**
 * The bot's metrics (Micrometer, Prometheus format): requests by command and outcome, queue wait, time to first
 * token, prompt and decode tokens/s, prompt tokens reused and computed, errors by kind, answers running and waiting,
 * and the JVM's own (memory, GC, threads, CPU, uptime). Kept whether or not {@code metrics.port} serves them.
 */
public final class BotMetrics {
    /** How a request ended, as counted in {@code synthia_requests_total{outcome=…}}. */
    public enum Outcome {
        ANSWERED, CANCELLED, TIMED_OUT, FAILED, SHUT_DOWN, TOO_LONG,
        REFUSED_BUSY, REFUSED_COOLDOWN, REFUSED_LIMIT, REFUSED_SHUTTING_DOWN, BAD_INPUT;

        String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final PrometheusMeterRegistry registry = processRegistry();
    private final Timer queueWait;
    private final Timer timeToFirstToken;
    private final DistributionSummary promptRate;
    private final DistributionSummary decodeRate;
    private final Counter promptReused;
    private final Counter promptComputed;
    private final Counter generated;
    private volatile Supplier<List<ServerStatus>> servers = List::of;
    private final MultiGauge serverUp;
    private final MultiGauge serverRunning;
    private final MultiGauge serverDecode;
    private final MultiGauge serverAnswers;

    /** A Prometheus registry with the JVM's own meters (memory, GC, threads, CPU, uptime): the bot's, and {@code serve}'s. */
    public static PrometheusMeterRegistry processRegistry() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return registry;
    }

    public BotMetrics() {
        queueWait = Timer.builder("synthia.queue.wait").description("Time from a request being taken to its answer starting").register(registry);
        timeToFirstToken = Timer.builder("synthia.time.to.first.token").description("Time from an answer starting to its first token").register(registry);
        promptRate = DistributionSummary.builder("synthia.prompt.tokens.per.second").description("Prompt tokens computed per second, per answer").register(registry);
        decodeRate = DistributionSummary.builder("synthia.decode.tokens.per.second").description("Tokens generated per second after the first, per answer").register(registry);
        promptReused = Counter.builder("synthia.prompt.tokens").tag("source", "kv_cache").description("Prompt tokens, by where they came from").register(registry);
        promptComputed = Counter.builder("synthia.prompt.tokens").tag("source", "computed").description("Prompt tokens, by where they came from").register(registry);
        generated = Counter.builder("synthia.generated.tokens").description("Tokens generated").register(registry);
        serverUp = MultiGauge.builder("synthia.model.server.up").description("1 while a model server takes work, 0 while it is out").register(registry);
        serverRunning = MultiGauge.builder("synthia.model.server.answers.running").description("Answers a model server is writing").register(registry);
        serverDecode = MultiGauge.builder("synthia.model.server.decode.tokens.per.second").description("A model server's decode speed over its answers")
            .register(registry);
        serverAnswers = MultiGauge.builder("synthia.model.server.answers").description("Answers a model server ended, by outcome (since start)")
            .register(registry);
    }

    /** Answers running and waiting, read when scraped. */
    public void queue(Supplier<Number> running, Supplier<Number> waiting) {
        Gauge.builder("synthia.answers.running", running).description("Answers being generated").register(registry);
        Gauge.builder("synthia.answers.waiting", waiting).description("Requests waiting in the queue").register(registry);
    }

    public void request(String command, Outcome outcome) {
        Counter.builder("synthia.requests").tag("command", command).tag("outcome", outcome.tag()).description("Requests, by command and outcome")
            .register(registry).increment();
    }

    /** An answer given in another language than the model's, through the translation step. */
    public void translated(String language) {
        Counter.builder("synthia.translated.answers").tag("language", language).description("Answers translated into the asker's language")
            .register(registry).increment();
    }

    public void error(String kind) {
        Counter.builder("synthia.errors").tag("kind", kind).description("Errors, by kind").register(registry).increment();
    }

    public void queueWait(Duration d) {
        queueWait.record(d);
    }

    /** One answer's figures: prompt tokens computed and reused, tokens generated, prompt and decode times. */
    public void answer(int computed, int reused, int tokens, long promptNanos, long decodeNanos) {
        promptComputed.increment(computed);
        promptReused.increment(reused);
        generated.increment(tokens);
        timeToFirstToken.record(Duration.ofNanos(promptNanos));
        if (computed > 0 && promptNanos > 0) promptRate.record(computed / (promptNanos / 1e9));
        if (tokens > 1 && decodeNanos > 0) decodeRate.record((tokens - 1) / (decodeNanos / 1e9));
    }

    /** The registry, for the meters other parts of the bot keep (Discord REST calls). */
    io.micrometer.core.instrument.MeterRegistry registry() {
        return registry;
    }

    /** The model servers, when the bot answers through them: read at each scrape (up, answers running, decode speed). */
    public void modelServers(Supplier<List<ServerStatus>> servers) {
        this.servers = servers;
    }

    /** The Prometheus text exposition of every metric. */
    public String scrape() {
        List<ServerStatus> now = servers.get();
        if (!now.isEmpty()) {
            serverUp.register(now.stream().map(s -> MultiGauge.Row.of(Tags.of("server", s.name()), s.up() ? 1 : 0)).toList(), true);
            serverRunning.register(now.stream().map(s -> MultiGauge.Row.of(Tags.of("server", s.name()), s.running())).toList(), true);
            serverDecode.register(now.stream().filter(s -> s.decodeTokensPerSecond().isPresent())
                .map(s -> MultiGauge.Row.of(Tags.of("server", s.name()), s.decodeTokensPerSecond().get())).toList(), true);
            serverAnswers.register(now.stream().flatMap(s -> List.of(
                MultiGauge.Row.of(Tags.of("server", s.name(), "outcome", "answered"), s.answered()),
                MultiGauge.Row.of(Tags.of("server", s.name(), "outcome", "failed"), s.failed())).stream()).toList(), true);
        }
        return registry.scrape();
    }
}
