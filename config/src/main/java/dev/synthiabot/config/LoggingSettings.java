package dev.synthiabot.config;

import java.util.List;

/**
 * How the bot logs: {@code format} {@code text} (a readable line per event) or {@code json} (one JSON object per
 * line, for log collectors); {@code level} the least severe level written. User content and the token are never
 * logged at INFO or above, whatever the format.
 */
public record LoggingSettings(String format, String level) {
    static final List<String> LEVELS = List.of("trace", "debug", "info", "warn", "error");

    public LoggingSettings {
        Problems p = new Problems();
        p.check(format.equals("text") || format.equals("json"), "logging.format", format, "is not one of: text, json");
        p.check(LEVELS.contains(level), "logging.level", level, "is not one of: " + String.join(", ", LEVELS));
        p.throwIfAny();
    }

    public boolean json() {
        return format.equals("json");
    }
}
