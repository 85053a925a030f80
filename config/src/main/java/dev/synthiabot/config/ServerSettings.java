package dev.synthiabot.config;

import java.util.List;

/**
 * {@code serve}: the OpenAI-compatible API on {@code bind}:{@code port}, the API keys clients must send (none: no
 * authentication), how many requests may wait beyond the model's places, and the largest request body.
 */
public record ServerSettings(String bind, int port, List<Secret> apiKeys, int queueCapacity, int maxBodyKb) {
    public ServerSettings {
        apiKeys = List.copyOf(apiKeys);
        Problems p = new Problems();
        p.check(!bind.isBlank() && !bind.contains("/") && !bind.contains(" "), "server.bind", bind, "is not a host name or address");
        p.range("server.port", port, 0, 65_535);
        p.range("server.queue_capacity", queueCapacity, 0, 10_000);
        p.range("server.max_body_kb", maxBodyKb, 1, 1 << 20);
        p.throwIfAny();
    }
}
