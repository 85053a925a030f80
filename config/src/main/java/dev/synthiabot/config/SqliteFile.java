package dev.synthiabot.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's SQLite file ({@code storage.database_path}), opened the same way by each store in it: parent directories
 * created, write-ahead logging (readers never block the writer), a busy timeout for the other connections, and the
 * schema of the whole file brought up to date by the one list of numbered {@link #MIGRATIONS}.
 */
public final class SqliteFile {
    private static final Logger log = LoggerFactory.getLogger(SqliteFile.class);

    /** How durable a committed write is: FULL survives a power loss, NORMAL (in WAL mode) a process crash. */
    public enum Durability { FULL, NORMAL }

    /** Schema migrations of the whole file: index i brings it from version i ({@code PRAGMA user_version}) to i + 1. */
    private static final List<String[]> MIGRATIONS = List.of(
        new String[] {
            "CREATE TABLE channel_prompt (scope TEXT PRIMARY KEY, prompt TEXT NOT NULL, changed_by TEXT NOT NULL, changed_at INTEGER NOT NULL)"
        },
        new String[] {
            "CREATE TABLE prompt_history (id INTEGER PRIMARY KEY AUTOINCREMENT, scope TEXT NOT NULL, prompt TEXT, changed_by TEXT NOT NULL, changed_at INTEGER NOT NULL)",
            "CREATE INDEX prompt_history_scope ON prompt_history(scope)"
        },
        new String[] {
            // The replies in flight (the bot's recovery). IF NOT EXISTS: bots before this migration created it unnumbered.
            "CREATE TABLE IF NOT EXISTS pending_reply (key TEXT PRIMARY KEY, interaction_token TEXT, created_at INTEGER NOT NULL, "
                + "channel_id TEXT NOT NULL, trigger_message_id TEXT, message_ids TEXT NOT NULL, ephemeral INTEGER NOT NULL, "
                + "locale TEXT NOT NULL, writing INTEGER NOT NULL)"
        },
        new String[] {
            // The answer language per channel or server (/prompt language), like the prompts' scopes.
            "CREATE TABLE channel_language (scope TEXT PRIMARY KEY, language TEXT NOT NULL, changed_by TEXT NOT NULL, changed_at INTEGER NOT NULL)"
        },
        new String[] {
            // A translated answer's English, by the id of each Discord message showing it: a reply chain continues in it.
            "CREATE TABLE answer_original (message_id TEXT PRIMARY KEY, text TEXT NOT NULL, created_at INTEGER NOT NULL)"
        },
        new String[] {
            // Per channel or server settings set from Discord (/prompt language, /prompt reasoning) in one table.
            "CREATE TABLE channel_setting (scope TEXT NOT NULL, name TEXT NOT NULL, value TEXT NOT NULL, changed_by TEXT NOT NULL, "
                + "changed_at INTEGER NOT NULL, PRIMARY KEY (scope, name))",
            "INSERT INTO channel_setting SELECT scope, 'answer_language', language, changed_by, changed_at FROM channel_language",
            "DROP TABLE channel_language"
        });

    private SqliteFile() {}

    public static Connection open(Path file, Durability durability) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) Files.createDirectories(parent);
            Connection db = DriverManager.getConnection("jdbc:sqlite:" + file.toAbsolutePath());
            try (Statement s = db.createStatement()) {
                s.execute("PRAGMA journal_mode=WAL");
                s.execute("PRAGMA synchronous=" + durability);
                s.execute("PRAGMA busy_timeout=10000");
            }
            try {
                migrate(db);
            } catch (SQLException e) {
                close(db);
                throw e;
            }
            return db;
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("Cannot open the database " + file + ": " + e.getMessage(), e);
        }
    }

    public static int schemaVersion(Connection db) throws SQLException {
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("PRAGMA user_version")) {
            return rs.next() ? rs.getInt(1) : 0;
        }
    }

    /** Each migration in a transaction of its own; {@code BEGIN IMMEDIATE} so two connections never migrate at once. */
    private static void migrate(Connection db) throws SQLException {
        try (Statement s = db.createStatement()) {
            for (int v = schemaVersion(db); v < MIGRATIONS.size(); v = schemaVersion(db)) {
                s.execute("BEGIN IMMEDIATE");
                try {
                    int now = schemaVersion(db);
                    if (now != v) { // another connection migrated meanwhile
                        s.execute("COMMIT");
                        continue;
                    }
                    for (String sql : MIGRATIONS.get(v)) s.execute(sql);
                    s.execute("PRAGMA user_version=" + (v + 1));
                    s.execute("COMMIT");
                    log.info("Database migrated to schema version {}", v + 1);
                } catch (SQLException e) {
                    s.execute("ROLLBACK");
                    throw e;
                }
            }
            int version = schemaVersion(db);
            if (version > MIGRATIONS.size()) {
                throw new SQLException("database schema version " + version + " is newer than this bot (" + MIGRATIONS.size() + "); upgrade the bot");
            }
        }
    }

    public static void close(Connection db) {
        try {
            db.close();
        } catch (SQLException e) {
            log.warn("Closing the database failed: {}", e.getMessage());
        }
    }
}
