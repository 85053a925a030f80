package dev.synthiabot.config;

/** What keeps one model usable by many people. */
public record LimitSettings(int queueCapacity, int perUserConcurrent, int perUserCooldownSeconds, int maxInputChars,
                            int replyEditIntervalMs, int generationTimeoutSeconds, int shutdownGraceSeconds) {
    public LimitSettings {
        Problems p = new Problems();
        p.range("limits.queue_capacity", queueCapacity, 1, 10_000);
        p.range("limits.per_user_concurrent", perUserConcurrent, 1, 100);
        p.range("limits.per_user_cooldown_seconds", perUserCooldownSeconds, 0, 86_400);
        p.range("limits.max_input_chars", maxInputChars, 1, 100_000);
        p.range("limits.reply_edit_interval_ms", replyEditIntervalMs, 250, 60_000);
        p.range("limits.generation_timeout_seconds", generationTimeoutSeconds, 1, 86_400);
        p.range("limits.shutdown_grace_seconds", shutdownGraceSeconds, 0, 3_600);
        p.throwIfAny();
    }
}
