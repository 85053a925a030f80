package dev.synthiabot.config;

import java.util.List;

/** Settings that cannot be used; lists every problem found, each naming the key, the value and what is allowed. */
public final class ConfigException extends RuntimeException {
    private final List<String> problems;

    public ConfigException(List<String> problems) {
        super(format(problems));
        this.problems = List.copyOf(problems);
    }

    public List<String> problems() {
        return problems;
    }

    private static String format(List<String> problems) {
        StringBuilder sb = new StringBuilder("Invalid configuration (" + problems.size() + (problems.size() == 1 ? " problem" : " problems") + "):");
        for (String p : problems) sb.append("\n  - ").append(p);
        return sb.toString();
    }
}
