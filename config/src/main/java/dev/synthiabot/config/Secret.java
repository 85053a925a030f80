package dev.synthiabot.config;

import java.util.Objects;

/** A secret value (the Discord bot token): never shown by {@code toString()}, logs or error messages. */
public final class Secret {
    private final String value;

    public Secret(String value) {
        this.value = Objects.requireNonNull(value, "value");
    }

    /** The secret itself, for the one place that needs it (logging in to Discord). */
    public String reveal() {
        return value;
    }


    @Override
    public String toString() {
        return "Secret[****]";
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Secret s && s.value.equals(value);
    }

    @Override
    public int hashCode() {
        return value.hashCode();
    }
}
