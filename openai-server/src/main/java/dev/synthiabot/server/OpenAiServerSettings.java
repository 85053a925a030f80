package dev.synthiabot.server;

import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * How {@link OpenAiServer} listens and admits requests, in plain values.
 *
 * @param bindAddress the address to listen on (default {@value #DEFAULT_BIND_ADDRESS}: this machine only)
 * @param port the TCP port (default {@value #DEFAULT_PORT}); 0 takes any free port, which {@link OpenAiServer#port()}
 *     then tells
 * @param apiKeys the keys a client may send as {@code Authorization: Bearer <key>} on {@code /v1/*}; empty: no
 *     authentication
 * @param queueCapacity requests that may wait, first come first served, while {@code maxConcurrent} answers run;
 *     beyond that a request gets 429 with {@code Retry-After}
 * @param maxConcurrent answers generated at once (the model batches them): the model's own {@code maxConcurrent()}
 * @param maxBodyKb the largest request body, in KiB (1024 bytes); a larger one gets 413
 * @param modelId the one model this server answers as (e.g. {@code synthia-7b-v1.3}): listed by {@code /v1/models};
 *     a request naming another gets 404 {@code model_not_found}
 * @param contextWindowTokens the model's context window for prompt and answer, in tokens: listed by
 *     {@code /v1/models}, the most {@code max_tokens} may ask for, and quoted when a prompt is too long
 * @param shutdownGrace how long {@link OpenAiServer#drain()} lets running answers finish before it ends them
 */
public record OpenAiServerSettings(
    String bindAddress,
    int port,
    Set<String> apiKeys,
    int queueCapacity,
    int maxConcurrent,
    int maxBodyKb,
    String modelId,
    int contextWindowTokens,
    Duration shutdownGrace) {

    public static final String DEFAULT_BIND_ADDRESS = "127.0.0.1";
    public static final int DEFAULT_PORT = 8080;
    public static final int DEFAULT_QUEUE_CAPACITY = 16;
    public static final int DEFAULT_MAX_CONCURRENT = 4;
    public static final int DEFAULT_MAX_BODY_KB = 1024;
    public static final int DEFAULT_CONTEXT_WINDOW_TOKENS = 4096;
    public static final Duration DEFAULT_SHUTDOWN_GRACE = Duration.ofSeconds(30);

    public OpenAiServerSettings {
        Objects.requireNonNull(bindAddress, "bindAddress");
        if (bindAddress.isBlank()) throw new IllegalArgumentException("bindAddress: must not be blank");
        if (port < 0 || port > 65535) throw new IllegalArgumentException("port: " + port + " must be in [0, 65535] (0: any free port)");
        apiKeys = Set.copyOf(Objects.requireNonNull(apiKeys, "apiKeys"));
        if (apiKeys.stream().anyMatch(String::isBlank)) throw new IllegalArgumentException("apiKeys: a key must not be blank");
        if (queueCapacity < 0) throw new IllegalArgumentException("queueCapacity: " + queueCapacity + " must be >= 0");
        if (maxConcurrent < 1) throw new IllegalArgumentException("maxConcurrent: " + maxConcurrent + " must be >= 1");
        if (maxBodyKb < 1) throw new IllegalArgumentException("maxBodyKb: " + maxBodyKb + " must be >= 1");
        Objects.requireNonNull(modelId, "modelId");
        if (modelId.isBlank()) throw new IllegalArgumentException("modelId: must not be blank");
        if (contextWindowTokens < 16) throw new IllegalArgumentException("contextWindowTokens: " + contextWindowTokens + " must be >= 16");
        Objects.requireNonNull(shutdownGrace, "shutdownGrace");
        if (shutdownGrace.isNegative()) throw new IllegalArgumentException("shutdownGrace: " + shutdownGrace + " must not be negative");
    }

    /** The defaults above for a model id: 127.0.0.1:8080, no API keys. */
    public static OpenAiServerSettings defaults(String modelId) {
        return new OpenAiServerSettings(DEFAULT_BIND_ADDRESS, DEFAULT_PORT, Set.of(), DEFAULT_QUEUE_CAPACITY, DEFAULT_MAX_CONCURRENT,
            DEFAULT_MAX_BODY_KB, modelId, DEFAULT_CONTEXT_WINDOW_TOKENS, DEFAULT_SHUTDOWN_GRACE);
    }

    public OpenAiServerSettings withBindAddress(String bindAddress) {
        return new OpenAiServerSettings(bindAddress, port, apiKeys, queueCapacity, maxConcurrent, maxBodyKb, modelId, contextWindowTokens, shutdownGrace);
    }

    public OpenAiServerSettings withPort(int port) {
        return new OpenAiServerSettings(bindAddress, port, apiKeys, queueCapacity, maxConcurrent, maxBodyKb, modelId, contextWindowTokens, shutdownGrace);
    }

    public OpenAiServerSettings withApiKeys(Set<String> apiKeys) {
        return new OpenAiServerSettings(bindAddress, port, apiKeys, queueCapacity, maxConcurrent, maxBodyKb, modelId, contextWindowTokens, shutdownGrace);
    }

    public OpenAiServerSettings withQueueCapacity(int queueCapacity) {
        return new OpenAiServerSettings(bindAddress, port, apiKeys, queueCapacity, maxConcurrent, maxBodyKb, modelId, contextWindowTokens, shutdownGrace);
    }

    public OpenAiServerSettings withMaxConcurrent(int maxConcurrent) {
        return new OpenAiServerSettings(bindAddress, port, apiKeys, queueCapacity, maxConcurrent, maxBodyKb, modelId, contextWindowTokens, shutdownGrace);
    }

    public OpenAiServerSettings withMaxBodyKb(int maxBodyKb) {
        return new OpenAiServerSettings(bindAddress, port, apiKeys, queueCapacity, maxConcurrent, maxBodyKb, modelId, contextWindowTokens, shutdownGrace);
    }

    public OpenAiServerSettings withContextWindowTokens(int contextWindowTokens) {
        return new OpenAiServerSettings(bindAddress, port, apiKeys, queueCapacity, maxConcurrent, maxBodyKb, modelId, contextWindowTokens, shutdownGrace);
    }

    public OpenAiServerSettings withShutdownGrace(Duration shutdownGrace) {
        return new OpenAiServerSettings(bindAddress, port, apiKeys, queueCapacity, maxConcurrent, maxBodyKb, modelId, contextWindowTokens, shutdownGrace);
    }

    /** The largest request body in bytes. */
    public long maxBodyBytes() {
        return maxBodyKb * 1024L;
    }

    /** The settings without the API keys themselves (their count only), for logs. */
    @Override
    public String toString() {
        return "OpenAiServerSettings[bindAddress=" + bindAddress + ", port=" + port + ", apiKeys=" + apiKeys.size() + " key(s)"
            + ", queueCapacity=" + queueCapacity + ", maxConcurrent=" + maxConcurrent + ", maxBodyKb=" + maxBodyKb + ", modelId=" + modelId
            + ", contextWindowTokens=" + contextWindowTokens + ", shutdownGrace=" + shutdownGrace + "]";
    }
}
