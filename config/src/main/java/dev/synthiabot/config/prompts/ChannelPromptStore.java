package dev.synthiabot.config.prompts;

import dev.synthiabot.config.SqliteFile;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-channel system prompts in an SQLite file, with an in-memory write-through cache so the lookup
 * on every message costs a map access.
 *
 * <p>Why SQLite: one file an admin can inspect with {@code sqlite3}, transactions that survive a
 * {@code kill -9} (WAL journal, {@code synchronous=FULL}: a set that returned has reached the disk),
 * safe concurrent writers (the database serializes them; this class also does), and a JDBC driver on
 * Maven Central that bundles the native library for the usual platforms.
 *
 * <p>Lookup order: the channel (or thread) → its parent channel → the guild's default → the global default.
 */
public final class ChannelPromptStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ChannelPromptStore.class);
    static final String GUILD_PREFIX = "guild:";

    private final Connection db;
    private final String globalDefault;
    private final int maxLength;
    private final Clock clock;
    private final Map<String, Optional<ChannelPrompt>> cache = new ConcurrentHashMap<>();

    public ChannelPromptStore(Path file, String globalDefault, int maxLength, Clock clock) {
        this.globalDefault = globalDefault;
        this.maxLength = maxLength;
        this.clock = clock;
        db = SqliteFile.open(file, SqliteFile.Durability.FULL);
    }

    public ChannelPromptStore(Path file, String globalDefault, int maxLength) {
        this(file, globalDefault, maxLength, Clock.systemUTC());
    }

    public synchronized int schemaVersion() throws SQLException {
        return SqliteFile.schemaVersion(db);
    }

    /** The prompt that applies in a channel; {@code parentId} is a thread's parent channel. */
    public ResolvedPrompt resolve(String channelId, Optional<String> parentId, Optional<String> guildId) {
        Optional<ChannelPrompt> own = get(channelId);
        if (own.isPresent()) return new ResolvedPrompt(own.get().prompt(), ResolvedPrompt.Source.CHANNEL);
        if (parentId.isPresent()) {
            Optional<ChannelPrompt> parent = get(parentId.get());
            if (parent.isPresent()) return new ResolvedPrompt(parent.get().prompt(), ResolvedPrompt.Source.PARENT_CHANNEL);
        }
        if (guildId.isPresent()) {
            Optional<ChannelPrompt> guild = get(GUILD_PREFIX + guildId.get());
            if (guild.isPresent()) return new ResolvedPrompt(guild.get().prompt(), ResolvedPrompt.Source.GUILD_DEFAULT);
        }
        return new ResolvedPrompt(globalDefault, ResolvedPrompt.Source.GLOBAL_DEFAULT);
    }

    /** The prompt set for exactly this scope (a channel id, or {@link #guildScope}). */
    public Optional<ChannelPrompt> get(String scope) {
        Optional<ChannelPrompt> cached = cache.get(scope);
        if (cached != null) return cached;
        Optional<ChannelPrompt> loaded = load(scope);
        cache.putIfAbsent(scope, loaded);
        return loaded;
    }

    private synchronized Optional<ChannelPrompt> load(String scope) {
        try (PreparedStatement q = db.prepareStatement("SELECT prompt, changed_by, changed_at FROM channel_prompt WHERE scope = ?")) {
            q.setString(1, scope);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) return Optional.empty();
                return Optional.of(new ChannelPrompt(scope, rs.getString(1), rs.getString(2), Instant.ofEpochMilli(rs.getLong(3))));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the prompt of " + scope + ": " + e.getMessage(), e);
        }
    }

    /** Sets a prompt; when this returns, the change is on disk. */
    public synchronized ChannelPrompt set(String scope, String prompt, String changedBy) {
        String p = prompt == null ? "" : prompt.strip();
        if (p.isEmpty()) throw new PromptRejectedException("The prompt is empty.");
        if (p.length() > maxLength) {
            throw new PromptRejectedException("The prompt is " + p.length() + " characters; the limit is " + maxLength + ".");
        }
        ChannelPrompt cp = new ChannelPrompt(scope, p, changedBy, clock.instant());
        write(cp.scope(), cp.prompt(), changedBy, cp.changedAt(),
            "INSERT INTO channel_prompt(scope, prompt, changed_by, changed_at) VALUES (?, ?, ?, ?) "
                + "ON CONFLICT(scope) DO UPDATE SET prompt = excluded.prompt, changed_by = excluded.changed_by, changed_at = excluded.changed_at");
        cache.put(scope, Optional.of(cp));
        return cp;
    }

    /** Removes a scope's own prompt (it then inherits); returns whether there was one. */
    public synchronized boolean reset(String scope, String changedBy) {
        boolean had = get(scope).isPresent();
        write(scope, null, changedBy, clock.instant(), "DELETE FROM channel_prompt WHERE scope = ?");
        cache.put(scope, Optional.empty());
        return had;
    }

    /** Sets a prompt only where none is stored yet (for prompts seeded from the settings file). */
    public synchronized boolean seed(String scope, String prompt) {
        if (get(scope).isPresent()) return false;
        set(scope, prompt, "settings file");
        return true;
    }

    private void write(String scope, String prompt, String changedBy, Instant at, String sql) {
        try {
            db.setAutoCommit(false);
            try (PreparedStatement w = db.prepareStatement(sql);
                 PreparedStatement h = db.prepareStatement("INSERT INTO prompt_history(scope, prompt, changed_by, changed_at) VALUES (?, ?, ?, ?)")) {
                w.setString(1, scope);
                if (prompt != null) {
                    w.setString(2, prompt);
                    w.setString(3, changedBy);
                    w.setLong(4, at.toEpochMilli());
                }
                w.executeUpdate();
                h.setString(1, scope);
                h.setString(2, prompt);
                h.setString(3, changedBy);
                h.setLong(4, at.toEpochMilli());
                h.executeUpdate();
                db.commit();
            } catch (SQLException e) {
                db.rollback();
                throw e;
            } finally {
                db.setAutoCommit(true);
            }
        } catch (SQLException e) {
            cache.remove(scope);
            throw new IllegalStateException("Cannot store the prompt of " + scope + ": " + e.getMessage(), e);
        }
    }

    /**
     * The value of a channel setting that applies in a channel, looked up as prompts are (channel, parent, server),
     * else {@code fallback} (the settings file's). Read from the database each time: a rare lookup.
     */
    public ResolvedSetting resolve(ChannelSetting setting, String channelId, Optional<String> parentId, Optional<String> guildId, String fallback) {
        Optional<String> own = setting(setting, channelId);
        if (own.isPresent()) return new ResolvedSetting(own.get(), ResolvedPrompt.Source.CHANNEL);
        Optional<String> parent = parentId.flatMap(p -> setting(setting, p));
        if (parent.isPresent()) return new ResolvedSetting(parent.get(), ResolvedPrompt.Source.PARENT_CHANNEL);
        Optional<String> guild = guildId.flatMap(g -> setting(setting, GUILD_PREFIX + g));
        if (guild.isPresent()) return new ResolvedSetting(guild.get(), ResolvedPrompt.Source.GUILD_DEFAULT);
        return new ResolvedSetting(fallback, ResolvedPrompt.Source.GLOBAL_DEFAULT);
    }

    /** The value of a channel setting set for exactly this scope. */
    public synchronized Optional<String> setting(ChannelSetting setting, String scope) {
        try (PreparedStatement q = db.prepareStatement("SELECT value FROM channel_setting WHERE scope = ? AND name = ?")) {
            q.setString(1, scope);
            q.setString(2, setting.key);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot read the " + setting.key + " of " + scope + ": " + e.getMessage(), e);
        }
    }

    /** Sets (or with {@code value} empty, removes: the scope then inherits) a scope's channel setting; on disk when this returns. */
    public synchronized void setSetting(ChannelSetting setting, String scope, Optional<String> value, String changedBy) {
        String sql = value.isPresent()
            ? "INSERT INTO channel_setting(scope, name, value, changed_by, changed_at) VALUES (?, ?, ?, ?, ?) ON CONFLICT(scope, name) DO UPDATE SET "
                + "value = excluded.value, changed_by = excluded.changed_by, changed_at = excluded.changed_at"
            : "DELETE FROM channel_setting WHERE scope = ? AND name = ?";
        try (PreparedStatement w = db.prepareStatement(sql)) {
            w.setString(1, scope);
            w.setString(2, setting.key);
            if (value.isPresent()) {
                w.setString(3, value.get());
                w.setString(4, changedBy);
                w.setLong(5, clock.instant().toEpochMilli());
            }
            w.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot store the " + setting.key + " of " + scope + ": " + e.getMessage(), e);
        }
    }

    /** All stored prompts, by scope. */
    public synchronized List<ChannelPrompt> list() {
        List<ChannelPrompt> all = new ArrayList<>();
        try (Statement s = db.createStatement();
             ResultSet rs = s.executeQuery("SELECT scope, prompt, changed_by, changed_at FROM channel_prompt ORDER BY scope")) {
            while (rs.next()) all.add(new ChannelPrompt(rs.getString(1), rs.getString(2), rs.getString(3), Instant.ofEpochMilli(rs.getLong(4))));
        } catch (SQLException e) {
            throw new IllegalStateException("Cannot list prompts: " + e.getMessage(), e);
        }
        return all;
    }

    public static String guildScope(String guildId) {
        return GUILD_PREFIX + guildId;
    }

    @Override
    public synchronized void close() {
        SqliteFile.close(db);
    }
}
