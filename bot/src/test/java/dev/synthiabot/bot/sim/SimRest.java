package dev.synthiabot.bot.sim;

import static dev.synthiabot.bot.sim.SimPayloads.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The simulator's REST routes: the part of Discord's HTTP API the bot uses. */
final class SimRest {
    private static final Pattern MULTIPART_JSON = Pattern.compile("name=\"payload_json\".*?\\r\\n\\r\\n(.*?)\\r\\n--", Pattern.DOTALL);
    private final DiscordSimulator sim;

    SimRest(DiscordSimulator sim) {
        this.sim = sim;
    }

    void handle(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        String path = ex.getRequestURI().getPath().substring("/api/v10/".length());
        String raw = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        JsonNode body = parse(raw, ex.getRequestHeaders().getFirst("Content-Type"));
        sim.requests.add(new RecordedRequest(System.nanoTime(), method, path, body));
        String auth = ex.getRequestHeaders().getFirst("Authorization");
        if (auth != null && !auth.equals("Bot " + DiscordSimulator.TOKEN)) {
            send(ex, 401, JSON.createObjectNode().put("code", 0).put("message", "401: Unauthorized"));
            return;
        }
        for (Delay d : sim.delays) {
            if (method.equals(d.method()) && path.matches(d.pathRegex())) DiscordSimulator.sleep(d.millis());
        }

        for (Fault f : sim.faults) {
            if (f.take(method, path, body)) {
                if (f.status() == 429) {
                    ex.getResponseHeaders().add("Retry-After", Integer.toString(f.retryAfterSeconds()));
                    ex.getResponseHeaders().add("X-RateLimit-Scope", "user");
                    ex.getResponseHeaders().add("Via", "1.1 google");
                    send(ex, 429, JSON.createObjectNode().put("message", "You are being rate limited.")
                        .put("retry_after", (double) f.retryAfterSeconds()).put("global", false));
                } else {
                    send(ex, f.status(), JSON.createObjectNode().put("code", 0).put("message", "simulated " + f.status()));
                }
                return;
            }
        }
        if (body != null && body.has("content") && body.get("content").asText().length() > 2000) {
            send(ex, 400, JSON.createObjectNode().put("code", 50035).put("message", "Invalid Form Body"));
            return;
        }
        route(ex, method, path, body);
    }

    private void route(HttpExchange ex, String method, String path, JsonNode body) throws IOException {
        Matcher m;
        if (method.equals("GET") && path.equals("users/@me")) {
            send(ex, 200, sim.bot);
        } else if (path.startsWith("gateway")) {
            send(ex, 200, JSON.createObjectNode().put("url", sim.gatewayUrl().toString()).put("shards", 1));
        } else if ((m = match("applications/(\\d+)(?:/guilds/(\\d+))?/commands", path)) != null) {
            String scope = m.group(2) == null ? "global" : m.group(2);
            if (method.equals("PUT")) {
                ArrayNode stored = JSON.createArrayNode();
                for (JsonNode c : body) {
                    ObjectNode copy = ((ObjectNode) c).deepCopy().put("id", SimPayloads.snowflake()).put("application_id", DiscordSimulator.APP_ID)
                        .put("version", SimPayloads.snowflake());
                    if (m.group(2) != null) copy.put("guild_id", m.group(2));
                    stored.add(copy);
                }
                sim.commands.put(scope, stored);
            }
            send(ex, 200, sim.commands.getOrDefault(scope, JSON.createArrayNode()));
        } else if ((m = match("interactions/(\\d+)/([^/]+)/callback", path)) != null) {
            if (body != null && body.path("type").asInt() == 4) {
                sim.messages.put("orig:" + m.group(2), botMessage(body.path("data"), sim.general, null));
            }
            ex.sendResponseHeaders(204, -1);
        } else if ((m = match("webhooks/(\\d+)/([^/]+)/messages/@original", path)) != null) {
            String key = "orig:" + m.group(2);
            if (method.equals("GET")) {
                sendOr404(ex, sim.messages.get(key));
                return;
            }
            ObjectNode msg = sim.messages.computeIfAbsent(key, k -> botMessage(JSON.createObjectNode(), sim.general, null));
            apply(msg, body);
            sim.messages.put(msg.get("id").asText(), msg);
            send(ex, 200, msg);
        } else if ((m = match("webhooks/(\\d+)/([^/]+)/messages/(\\d+)", path)) != null) {
            ObjectNode msg = sim.messages.get(m.group(3));
            if (msg == null) {
                send(ex, 404, JSON.createObjectNode().put("code", 10008).put("message", "Unknown Message"));
                return;
            }
            apply(msg, body);
            send(ex, 200, msg);
        } else if (method.equals("POST") && (m = match("webhooks/(\\d+)/([^/]+)", path)) != null) {
            ObjectNode msg = botMessage(body, sim.general, null);
            sim.messages.put(msg.get("id").asText(), msg);
            sim.followUps.computeIfAbsent(m.group(2), k -> new java.util.concurrent.CopyOnWriteArrayList<>()).add(msg.get("id").asText());
            send(ex, 200, msg);
        } else if ((m = match("channels/(\\d+)/typing", path)) != null) {
            ex.sendResponseHeaders(204, -1);
        } else if (method.equals("POST") && (m = match("channels/(\\d+)/messages", path)) != null) {
            ObjectNode msg = botMessage(body, m.group(1), body.path("message_reference").path("message_id").asText(null));
            sim.messages.put(msg.get("id").asText(), msg);
            send(ex, 200, msg);
        } else if ((m = match("channels/(\\d+)/messages/(\\d+)", path)) != null) {
            ObjectNode msg = sim.messages.get(m.group(2));
            if (msg == null) {
                send(ex, 404, JSON.createObjectNode().put("code", 10008).put("message", "Unknown Message"));
                return;
            }
            if (method.equals("PATCH")) apply(msg, body);
            send(ex, 200, msg);
        } else if (method.equals("POST") && path.equals("users/@me/channels")) {
            ObjectNode dm = JSON.createObjectNode().put("id", SimPayloads.snowflake()).put("type", 1);
            dm.putNull("last_message_id");
            dm.putArray("recipients").add(sim.alice);
            send(ex, 200, dm);
        } else {
            send(ex, 404, JSON.createObjectNode().put("code", 0).put("message", "404: Not Found (" + method + " " + path + ")"));
        }
    }

    private ObjectNode botMessage(JsonNode body, String channelId, String replyTo) {
        ObjectNode msg = SimPayloads.message(SimPayloads.snowflake(), channelId, sim.guildId, sim.bot.deepCopy(), "");
        msg.put("application_id", DiscordSimulator.APP_ID);
        apply(msg, body);
        msg.putNull("edited_timestamp");
        if (replyTo != null) {
            msg.put("type", 19);
            msg.putObject("message_reference").put("type", 0).put("message_id", replyTo).put("channel_id", channelId).put("guild_id", sim.guildId);
            ObjectNode ref = sim.messages.get(replyTo);
            if (ref != null) msg.set("referenced_message", ref);
        }
        return msg;
    }

    private static void apply(ObjectNode msg, JsonNode body) {
        if (body == null) return;
        if (body.has("content")) msg.put("content", body.get("content").asText());
        if (body.has("components")) msg.set("components", body.get("components"));
        if (body.has("flags")) msg.put("flags", body.get("flags").asInt());
        msg.put("edited_timestamp", Instant.now().toString());
    }

    private static Matcher match(String regex, String path) {
        Matcher m = Pattern.compile(regex).matcher(path);
        return m.matches() ? m : null;
    }

    private static JsonNode parse(String raw, String contentType) {
        if (raw.isEmpty()) return null;
        try {
            if (contentType != null && contentType.startsWith("multipart/")) {
                Matcher m = MULTIPART_JSON.matcher(raw);
                return m.find() ? JSON.readTree(m.group(1)) : null;
            }
            return JSON.readTree(raw);
        } catch (IOException e) {
            return null;
        }
    }

    private static void sendOr404(HttpExchange ex, JsonNode body) throws IOException {
        if (body == null) {
            send(ex, 404, JSON.createObjectNode().put("code", 10008).put("message", "Unknown Message"));
        } else {
            send(ex, 200, body);
        }
    }

    static void send(HttpExchange ex, int status, JsonNode body) throws IOException {
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(bytes);
        }
    }
}
