package dev.synthiabot.config;

import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Where answers come from: the model in the bot's own JVM ({@code local}), or OpenAI-compatible model servers
 * ({@code openai}: our {@code serve}, llama-server, vLLM, Ollama), each running up to {@code maxConcurrent} answers.
 */
public record ProviderSettings(Provider provider, List<Endpoint> endpoints) {
    public enum Provider { LOCAL, OPENAI }

    /**
     * One model server: its base URL (ending in {@code /v1} for most servers), the model name it is asked for, its
     * places, and its API key if it needs one.
     */
    public record Endpoint(URI url, String model, int maxConcurrent, Optional<Secret> apiKey) {}

    public static final int DEFAULT_MAX_CONCURRENT = 4;
    /** The name {@code synthia-bot serve} answers as by default (the Hugging Face model's name, lower case). */
    public static final String DEFAULT_MODEL = "synthia-7b-v1.3";

    public ProviderSettings {
        endpoints = List.copyOf(endpoints);
        Problems p = new Problems();
        p.check(provider != Provider.OPENAI || !endpoints.isEmpty(), "model.endpoints", "[]",
            "is empty: model.provider openai needs at least one server URL");
        for (Endpoint e : endpoints) {
            p.check(e.url().getScheme() != null && e.url().getScheme().matches("https?") && e.url().getHost() != null,
                "model.endpoints", e.url(), "is not an http(s) URL with a host");
            p.range("model.endpoints max_concurrent", e.maxConcurrent(), 1, 256);
            p.check(!e.model().isBlank(), "model.endpoints model", "''", "is empty");
        }
        p.check(endpoints.stream().map(Endpoint::url).distinct().count() == endpoints.size(), "model.endpoints", endpoints.size() + " entries",
            "lists a server twice");
        p.throwIfAny();
    }

    /** Answers the endpoints run at once in all. */
    public int places() {
        return endpoints.stream().mapToInt(Endpoint::maxConcurrent).sum();
    }
}
