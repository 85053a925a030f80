package dev.synthiabot.bot.sim;

import static dev.synthiabot.bot.sim.SimPayloads.JSON;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A local Discord API for end-to-end tests: REST over HTTP and the Gateway over WebSocket, on
 * 127.0.0.1 only. The unmodified JDA connects to it through the bot's rest_url / gateway_url settings.
 * It holds one guild (two text channels, a thread, a few members), records every REST request, can
 * inject slash commands, context-menu commands, messages, replies and button presses, and can answer
 * with faults (429 with Retry-After, 5xx) or drop the gateway connection.
 */
public final class DiscordSimulator implements AutoCloseable {
    public static final String APP_ID = SimPayloads.snowflake();
    /** The only bot token the simulator accepts (REST and gateway); others get 401 / close 4004. */
    public static final String TOKEN = "sim.token.secret";
    public final String guildId = SimPayloads.snowflake();
    public final String general = SimPayloads.snowflake();
    public final String random = SimPayloads.snowflake();
    public final String thread = SimPayloads.snowflake();
    /** A channel where @everyone (the bot included) may read but not send. */
    public final String readonly = SimPayloads.snowflake();
    public final String modsRole = SimPayloads.snowflake();
    public final ObjectNode bot = SimPayloads.user(APP_ID, "SynthIA", true);
    public final ObjectNode alice = SimPayloads.user(SimPayloads.snowflake(), "alice", false);
    public final ObjectNode bob = SimPayloads.user(SimPayloads.snowflake(), "bob", false);
    public final ObjectNode admin = SimPayloads.user(SimPayloads.snowflake(), "admin", false);
    public final ObjectNode otherBot = SimPayloads.user(SimPayloads.snowflake(), "otherbot", true);

    private final HttpServer http;
    private final SimRest rest;
    private final SimGateway gateway;
    private final int gatewayPort;
    final List<RecordedRequest> requests = new CopyOnWriteArrayList<>();
    final Map<String, ObjectNode> messages = new ConcurrentHashMap<>();
    final Map<String, Long> dispatchedAt = new ConcurrentHashMap<>();
    final List<Fault> faults = new CopyOnWriteArrayList<>();
    final List<Delay> delays = new CopyOnWriteArrayList<>();
    final Map<String, ArrayNode> commands = new ConcurrentHashMap<>();
    final Map<String, List<String>> followUps = new ConcurrentHashMap<>();

    public DiscordSimulator() throws IOException {
        gateway = new SimGateway(this::ready, this::guildCreate);
        gateway.start();
        gatewayPort = gateway.awaitPort(10_000);
        http = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        rest = new SimRest(this);
        http.createContext("/api/v10/", this::handle);
        http.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        http.start();
    }

    public URI restUrl() {
        return URI.create("http://127.0.0.1:" + http.getAddress().getPort() + "/api/v10/");
    }

    public URI gatewayUrl() {
        return URI.create("ws://127.0.0.1:" + gatewayPort + "/");
    }

    public String id(ObjectNode user) {
        return user.get("id").asText();
    }

    // ---- Gateway payloads

    private ObjectNode ready() {
        ObjectNode d = JSON.createObjectNode().put("v", 10).put("session_id", "sim-session").put("resume_gateway_url", gatewayUrl().toString());
        d.set("user", bot.deepCopy().put("verified", true).put("mfa_enabled", false).put("flags", 0));
        d.putArray("guilds").addObject().put("id", guildId).put("unavailable", true);
        d.putObject("application").put("id", APP_ID).put("flags", 0);
        d.putArray("private_channels");
        d.putArray("_trace").add("sim");
        return d;
    }

    private ObjectNode guildCreate() {
        ObjectNode g = JSON.createObjectNode().put("id", guildId).put("name", "Test Guild").put("owner_id", id(alice))
            .put("unavailable", false).put("member_count", 5).put("large", false).put("preferred_locale", "en-US")
            .put("verification_level", 0).put("default_message_notifications", 0).put("explicit_content_filter", 0)
            .put("mfa_level", 0).put("nsfw_level", 0).put("premium_tier", 0).put("premium_progress_bar_enabled", false)
            .put("system_channel_flags", 0).put("afk_timeout", 300);
        g.putNull("icon");
        g.putArray("features");
        ArrayNode roles = g.putArray("roles");
        roles.add(SimPayloads.role(guildId, "@everyone", SimPayloads.EVERYONE_PERMS, 0));
        roles.add(SimPayloads.role(modsRole, "Mods", SimPayloads.MANAGE_CHANNELS | SimPayloads.MANAGE_GUILD, 1));
        ArrayNode channels = g.putArray("channels");
        channels.add(SimPayloads.textChannel(general, guildId, "general", 0));
        channels.add(SimPayloads.textChannel(random, guildId, "random", 1));
        ObjectNode ro = SimPayloads.textChannel(readonly, guildId, "announcements", 2);
        ((ArrayNode) ro.get("permission_overwrites")).addObject().put("id", guildId).put("type", 0).put("allow", "0").put("deny", Long.toString(1L << 11));
        channels.add(ro);
        g.putArray("threads").add(SimPayloads.thread(thread, guildId, general, id(alice), "a-thread"));
        ArrayNode members = g.putArray("members");
        members.add(SimPayloads.member(bot));
        members.add(SimPayloads.member(alice));
        members.add(SimPayloads.member(bob));
        members.add(SimPayloads.member(admin, modsRole));
        for (String empty : List.of("voice_states", "emojis", "guild_scheduled_events", "presences", "stickers", "stage_instances", "soundboard_sounds")) {
            g.putArray(empty);
        }
        return g;
    }

    // ---- Injection

    /** Dispatches a slash command; returns the interaction id. {@code options} may nest a subcommand. */
    public String slash(ObjectNode user, String channelId, String name, ArrayNode options, String locale) {
        return slashCreatedAgo(user, channelId, name, options, locale, Duration.ZERO);
    }

    /** A slash command whose interaction was created {@code age} ago (its token expires 15 minutes after that). */
    public String slashCreatedAgo(ObjectNode user, String channelId, String name, ArrayNode options, String locale, Duration age) {
        ObjectNode data = JSON.createObjectNode().put("id", SimPayloads.snowflake()).put("name", name).put("type", 1);
        data.set("options", options);
        return interaction(SimPayloads.snowflake(System.currentTimeMillis() - age.toMillis()), user, channelId, 2, data, locale, null);
    }

    /** Options of a slash command: name, value pairs (strings or booleans). */
    public static ArrayNode options(Object... nameValues) {
        ArrayNode a = JSON.createArrayNode();
        for (int i = 0; i < nameValues.length; i += 2) {
            ObjectNode o = a.addObject().put("name", (String) nameValues[i]);
            if (nameValues[i + 1] instanceof Boolean b) {
                o.put("type", 5).put("value", b);
            } else {
                o.put("type", 3).put("value", (String) nameValues[i + 1]);
            }
        }
        return a;
    }

    public static ArrayNode subcommand(String name, ArrayNode options) {
        ArrayNode a = JSON.createArrayNode();
        a.addObject().put("name", name).put("type", 1).set("options", options);
        return a;
    }

    /** Dispatches the message context command {@code name} on a stored message. */
    public String messageCommand(ObjectNode user, String channelId, String name, String messageId, String locale) {
        ObjectNode data = JSON.createObjectNode().put("id", SimPayloads.snowflake()).put("name", name).put("type", 3).put("target_id", messageId);
        data.putObject("resolved").putObject("messages").set(messageId, messages.get(messageId));
        return interaction(SimPayloads.snowflake(), user, channelId, 2, data, locale, null);
    }

    /** Presses a button on a message. */
    public String button(ObjectNode user, String channelId, String messageId, String customId) {
        ObjectNode data = JSON.createObjectNode().put("custom_id", customId).put("component_type", 2);
        return interaction(SimPayloads.snowflake(), user, channelId, 3, data, "en-US", messages.get(messageId));
    }

    private String interaction(String id, ObjectNode user, String channelId, int type, ObjectNode data, String locale, ObjectNode message) {
        ObjectNode d = JSON.createObjectNode().put("id", id).put("application_id", APP_ID).put("type", type).put("token", "tok-" + id)
            .put("version", 1).put("guild_id", guildId).put("channel_id", channelId).put("locale", locale).put("guild_locale", "en-US")
            .put("app_permissions", Long.toString(SimPayloads.EVERYONE_PERMS)).put("context", 0);
        d.putArray("entitlements");
        d.set("data", data);
        d.putObject("guild").put("id", guildId).put("locale", "en-US").putArray("features");
        d.set("channel", channelJson(channelId));
        boolean isAdmin = user == admin;
        ObjectNode member = SimPayloads.member(user, isAdmin ? new String[] {modsRole} : new String[0]);
        member.put("permissions", Long.toString(SimPayloads.EVERYONE_PERMS | (isAdmin ? SimPayloads.MANAGE_CHANNELS | SimPayloads.MANAGE_GUILD : 0)));
        d.set("member", member);
        d.putObject("authorizing_integration_owners").put("0", guildId);
        if (message != null) d.set("message", message);
        dispatchedAt.put(id, System.nanoTime());
        gateway.dispatch("INTERACTION_CREATE", d);
        return id;
    }

    private ObjectNode channelJson(String channelId) {
        if (channelId.equals(thread)) return SimPayloads.thread(thread, guildId, general, id(alice), "a-thread");
        return SimPayloads.textChannel(channelId, guildId, channelId.equals(general) ? "general" : "random", channelId.equals(general) ? 0 : 1);
    }

    /** A user posts a message; {@code replyTo} makes it a reply. Returns the message id. */
    public String post(ObjectNode author, String channelId, String content, String replyTo) {
        String id = SimPayloads.snowflake();
        ObjectNode m = SimPayloads.message(id, channelId, guildId, author, content);
        m.set("member", SimPayloads.member(author).without("user"));
        if (content.contains("<@" + APP_ID + ">")) {
            ObjectNode mentioned = bot.deepCopy();
            mentioned.set("member", SimPayloads.member(bot).without("user"));
            ((ArrayNode) m.get("mentions")).add(mentioned);
        }
        if (replyTo != null) {
            m.put("type", 19);
            m.putObject("message_reference").put("type", 0).put("message_id", replyTo).put("channel_id", channelId).put("guild_id", guildId);
            ObjectNode ref = messages.get(replyTo);
            if (ref != null) m.set("referenced_message", ref);
        }
        messages.put(id, m);
        gateway.dispatch("MESSAGE_CREATE", m);
        return id;
    }

    // ---- Faults and connection

    /** Answers the next {@code times} requests matching with {@code status} (429 gets Retry-After). */
    public void fail(String method, String pathRegex, int status, int retryAfterSeconds, int times) {
        faults.add(Fault.of(method, pathRegex, b -> true, status, retryAfterSeconds, times));
    }

    /** Answers the next {@code times} final edits (a PATCH that leaves no Cancel button) matching with {@code status}. */
    public void failFinalEdits(String pathRegex, int status, int times) {
        faults.add(Fault.of("PATCH", pathRegex, b -> b != null && b.has("components") && !hasCancelButton(b), status, 0, times));
    }

    /** Holds every request matching for {@code millis} before answering it (a slow Discord). */
    public void delay(String method, String pathRegex, long millis) {
        delays.add(new Delay(method, pathRegex, millis));
    }

    /** From now on the gateway closes every IDENTIFY with 4014: the bot's Message Content intent is not enabled. */
    public void refuseIntents() {
        gateway.refuseIntents = true;
    }

    public void dropGateway(int closeCode) {
        gateway.drop(closeCode);
    }

    public boolean gatewayConnected() {
        return gateway.connected();
    }

    public List<String> gatewayReceived() {
        return gateway.received;
    }

    // ---- Assertions

    public List<RecordedRequest> requests() {
        return List.copyOf(requests);
    }

    public List<RecordedRequest> requests(String method, String pathRegex) {
        return requests.stream().filter(r -> r.is(method, pathRegex)).toList();
    }

    /** Waits (bounded) until a request matches; returns it or throws. */
    public RecordedRequest await(Predicate<RecordedRequest> match, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (RecordedRequest r : requests) if (match.test(r)) return r;
            sleep(20);
        }
        throw new AssertionError("No matching request within " + timeout + "; got:\n" + String.join("\n", requests.stream().map(RecordedRequest::toString).toList()));
    }

    /**
     * Waits until the answer to interaction {@code id} runs: its original response shows the thinking status or answer
     * text (a reply coalesces statuses, so "Thinking…" itself may be skipped when text follows at once).
     */
    public RecordedRequest awaitRunning(String interactionId, Duration timeout) {
        return await(r -> r.is("PATCH", "webhooks/\\d+/tok-" + interactionId + "/messages/@original") && r.content() != null
            && !r.content().startsWith("⏳"), timeout);
    }

    /**
     * Waits until the original response of interaction {@code id} is final: answer text or a note, no Cancel button
     * (a status line — queued, thinking — always has one). Returns the message as the simulator holds it.
     */
    public ObjectNode awaitFinalResponse(String interactionId, Duration timeout) {
        return awaitMessage(() -> messages.get("orig:tok-" + interactionId), timeout, "the final response to interaction " + interactionId);
    }

    /** The same for the bot's reply to a user's message (a mention). */
    public ObjectNode awaitFinalReplyTo(String messageId, Duration timeout) {
        return awaitMessage(() -> messages.values().stream()
            .filter(m -> m.path("author").path("id").asText().equals(APP_ID) && m.path("message_reference").path("message_id").asText().equals(messageId))
            .findFirst().orElse(null), timeout, "the final reply to message " + messageId);
    }

    private ObjectNode awaitMessage(java.util.function.Supplier<ObjectNode> find, Duration timeout, String what) {
        long deadline = System.nanoTime() + timeout.toNanos();
        ObjectNode m;
        while ((m = find.get()) == null || !isFinal(m)) {
            if (System.nanoTime() > deadline) throw new AssertionError("No " + what + " within " + timeout + "; it is: " + m);
            sleep(20);
        }
        return m;
    }

    /**
     * Final: it has text and no Cancel button (every status line and every streaming state carries one; a finished
     * answer may carry others, such as Show reasoning).
     */
    public static boolean isFinal(ObjectNode message) {
        return !message.path("content").asText().isEmpty() && !hasCancelButton(message);
    }

    /** Whether a message (or a message payload) carries the Cancel button. */
    public static boolean hasCancelButton(JsonNode message) {
        return buttonIds(message).stream().anyMatch(id -> id.startsWith("synthia-cancel:"));
    }

    /** The custom ids of a message's (or message payload's) buttons, in order. */
    public static List<String> buttonIds(JsonNode message) {
        List<String> ids = new java.util.ArrayList<>();
        for (JsonNode row : message.path("components")) {
            for (JsonNode c : row.path("components")) ids.add(c.path("custom_id").asText());
        }
        return ids;
    }

    /** Nanoseconds from dispatching interaction {@code id} to its callback (the ack). */
    public long ackNanos(String interactionId) {
        RecordedRequest ack = await(r -> r.is("POST", "interactions/" + interactionId + "/.*/callback"), Duration.ofSeconds(10));
        return ack.nanos() - dispatchedAt.get(interactionId);
    }

    /** The current text of each message of an interaction's response: the original, then follow-ups in order. */
    public List<String> responseTexts(String interactionId) {
        String token = "tok-" + interactionId;
        List<String> texts = new java.util.ArrayList<>();
        ObjectNode original = messages.get("orig:" + token);
        if (original != null) texts.add(original.path("content").asText());
        for (String id : followUps.getOrDefault(token, List.of())) texts.add(messages.get(id).path("content").asText());
        return texts;
    }

    /** Ids of all messages the simulator holds (posted by users or sent by the bot). */
    public List<String> storedMessageIds() {
        return messages.keySet().stream().filter(k -> k.matches("\\d+")).toList();
    }

    public ObjectNode message(String id) {
        return messages.get(id);
    }

    private void handle(HttpExchange ex) throws IOException {
        try {
            rest.handle(ex);
        } catch (RuntimeException e) {
            e.printStackTrace();
            byte[] body = ("{\"code\":0,\"message\":\"simulator error: " + e.getMessage() + "\"}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(500, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        } finally {
            ex.close();
        }
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    JsonNode botUser() {
        return bot;
    }

    @Override
    public void close() throws Exception {
        http.stop(0);
        ((java.util.concurrent.ExecutorService) http.getExecutor()).shutdownNow();
        gateway.stop(1000);
    }
}
