package dev.synthiabot.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's SQLite file ({@code storage.database_path}), opened the same way by each store in it: parent directories
 * created, write-ahead logging (readers never block the writer), a busy timeout for the other connections.
 */
public final class SqliteFile {
    private static final Logger log = LoggerFactory.getLogger(SqliteFile.class);

    /** How durable a committed write is: FULL survives a power loss, NORMAL (in WAL mode) a process crash. */
    public enum Durability { FULL, NORMAL }

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
            return db;
        } catch (SQLException | IOException e) {
            throw new IllegalStateException("Cannot open the database " + file + ": " + e.getMessage(), e);
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
