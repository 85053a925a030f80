package dev.synthiabot.bot.sim;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicLong;

/** Discord objects as JSON, minimal but complete enough for JDA 6 to parse. */
final class SimPayloads {
    static final ObjectMapper JSON = new ObjectMapper();
    private static final long DISCORD_EPOCH = 1420070400000L;
    private static final AtomicLong counter = new AtomicLong();

    static final long EVERYONE_PERMS = (1L << 10) | (1L << 11) | (1L << 14) | (1L << 15) | (1L << 16) | (1L << 31) | (1L << 38) | (1L << 6);
    static final long MANAGE_CHANNELS = 1L << 4;
    static final long MANAGE_GUILD = 1L << 5;

    private SimPayloads() {}

    /** A snowflake with the current time in it (JDA derives creation times, e.g. interaction expiry, from ids). */
    static String snowflake() {
        return snowflake(System.currentTimeMillis());
    }

    static String snowflake(long epochMillis) {
        return Long.toString(((epochMillis - DISCORD_EPOCH) << 22) | (counter.incrementAndGet() & 0x3FFFFF));
    }

    static ObjectNode user(String id, String name, boolean bot) {
        ObjectNode u = JSON.createObjectNode().put("id", id).put("username", name).put("discriminator", "0").put("global_name", name);
        u.putNull("avatar");
        u.put("bot", bot);
        return u;
    }

    static ObjectNode role(String id, String name, long permissions, int position) {
        ObjectNode r = JSON.createObjectNode().put("id", id).put("name", name).put("color", 0).put("hoist", false)
            .put("position", position).put("permissions", Long.toString(permissions)).put("managed", false).put("mentionable", false)
            .put("flags", 0);
        r.putNull("icon");
        r.putNull("unicode_emoji");
        r.putObject("colors").put("primary_color", 0).putNull("secondary_color").putNull("tertiary_color");
        return r;
    }

    static ObjectNode textChannel(String id, String guildId, String name, int position) {
        ObjectNode c = JSON.createObjectNode().put("id", id).put("type", 0).put("guild_id", guildId).put("name", name)
            .put("position", position).put("nsfw", false).put("rate_limit_per_user", 0).put("flags", 0);
        c.putArray("permission_overwrites");
        c.putNull("parent_id");
        c.putNull("topic");
        c.putNull("last_message_id");
        return c;
    }

    static ObjectNode thread(String id, String guildId, String parentId, String ownerId, String name) {
        ObjectNode t = JSON.createObjectNode().put("id", id).put("type", 11).put("guild_id", guildId).put("parent_id", parentId)
            .put("owner_id", ownerId).put("name", name).put("rate_limit_per_user", 0).put("message_count", 0).put("member_count", 1)
            .put("total_message_sent", 0).put("flags", 0);
        t.putNull("last_message_id");
        t.putObject("thread_metadata").put("archived", false).put("auto_archive_duration", 1440)
            .put("archive_timestamp", Instant.now().toString()).put("locked", false).put("invitable", true);
        return t;
    }

    static ObjectNode member(ObjectNode user, String... roles) {
        ObjectNode m = JSON.createObjectNode();
        m.set("user", user);
        ArrayNode r = m.putArray("roles");
        for (String role : roles) r.add(role);
        m.put("joined_at", "2024-01-01T00:00:00.000000+00:00").put("deaf", false).put("mute", false).put("flags", 0).put("pending", false);
        m.putNull("nick");
        m.putNull("avatar");
        m.putNull("premium_since");
        return m;
    }

    static ObjectNode message(String id, String channelId, String guildId, ObjectNode author, String content) {
        ObjectNode m = JSON.createObjectNode().put("id", id).put("type", 0).put("channel_id", channelId).put("content", content)
            .put("timestamp", Instant.now().toString()).put("tts", false).put("mention_everyone", false).put("pinned", false).put("flags", 0);
        if (guildId != null) m.put("guild_id", guildId);
        m.set("author", author);
        m.putNull("edited_timestamp");
        m.putArray("mentions");
        m.putArray("mention_roles");
        m.putArray("attachments");
        m.putArray("embeds");
        m.putArray("components");
        return m;
    }
}
