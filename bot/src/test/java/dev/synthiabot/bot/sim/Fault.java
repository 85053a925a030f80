package dev.synthiabot.bot.sim;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.function.Predicate;

/** A failure the simulator answers with, for the next {@code times} matching requests (and bodies). */
record Fault(String method, String pathRegex, Predicate<JsonNode> body, int status, int retryAfterSeconds, int[] remaining) {
    static Fault of(String method, String pathRegex, Predicate<JsonNode> body, int status, int retryAfterSeconds, int times) {
        return new Fault(method, pathRegex, body, status, retryAfterSeconds, new int[] {times});
    }

    synchronized boolean take(String m, String path, JsonNode requestBody) {
        if (remaining[0] <= 0 || !m.equals(method) || !path.matches(pathRegex) || !body.test(requestBody)) return false;
        remaining[0]--;
        return true;
    }
}
