package dev.synthiabot.bot.sim;

import com.fasterxml.jackson.databind.JsonNode;

/** One REST request JDA made to the simulator: when, what, and its JSON body (multipart: payload_json). */
public record RecordedRequest(long nanos, String method, String path, JsonNode body) {
    public boolean is(String method, String pathRegex) {
        return this.method.equals(method) && path.matches(pathRegex);
    }

    public String content() {
        return body != null && body.has("content") ? body.get("content").asText() : null;
    }

    @Override
    public String toString() {
        return method + " " + path + " " + (body == null ? "" : body.toString());
    }
}
