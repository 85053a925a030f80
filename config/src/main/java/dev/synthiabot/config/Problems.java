package dev.synthiabot.config;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/** Collects validation problems so that all of them are reported at once. */
public final class Problems {
    private final List<String> list = new ArrayList<>();

    /** Adds {@code "key: value message"} unless {@code ok}. */
    public Problems check(boolean ok, String key, Object value, String message) {
        if (!ok) add(key + ": " + show(value) + " " + message);
        return this;
    }

    public Problems range(String key, double value, double min, double max) {
        return check(value >= min && value <= max, key, value, "is not in [" + num(min) + ", " + num(max) + "]");
    }

    public Problems range(String key, long value, long min, long max) {
        return check(value >= min && value <= max, key, value, "is not in [" + min + ", " + max + "]");
    }

    public Problems snowflakes(String key, Collection<String> ids) {
        for (String id : ids) check(id.matches("\\d{1,20}"), key, id, "is not a Discord id (digits only)");
        return this;
    }

    public void add(String problem) {
        list.add(problem);
    }



    public List<String> list() {
        return List.copyOf(list);
    }

    public void throwIfAny() {
        if (!list.isEmpty()) throw new ConfigException(list);
    }

    private static String num(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    static String show(Object value) {
        if (value instanceof Secret) return "****";
        if (value instanceof String s) return "'" + (s.length() > 60 ? s.substring(0, 57) + "..." : s) + "'";
        if (value instanceof Double d) return num(d);
        return String.valueOf(value);
    }
}
