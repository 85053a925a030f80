package dev.synthiabot.bot.recovery;

import dev.synthiabot.config.SqliteFile;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replies in flight, in the bot's SQLite file (table {@code pending_reply}, beside the prompt tables): a reply
 * is recorded when its request is accepted, updated when it gets a message, and removed once its final text is
 * shown. What a SIGKILL or a power loss leaves behind is finished with a notice at the next start
 * ({@link RestartRecovery}). Writes are durable across a process crash (WAL, {@code synchronous=NORMAL}); a
 * power loss may lose the last few, which are then simply not finished.
 */
public final class PendingReplies implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(PendingReplies.class);
    private final Connection db;

    /** Opens the bot's database, whose schema (table {@code pending_reply} included) {@link SqliteFile} keeps current. */
    public PendingReplies(Path file) {
        db = SqliteFile.open(file, SqliteFile.Durability.NORMAL);
    }

    public synchronized void save(PendingReply p) {
        if (p.key() == null) return;
        try (PreparedStatement s = db.prepareStatement("INSERT OR REPLACE INTO pending_reply VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            s.setString(1, p.key());
            s.setString(2, p.interactionToken());
            s.setLong(3, p.createdAtMs());
            s.setString(4, p.channelId());
            s.setString(5, p.triggerMessageId());
            s.setString(6, String.join(",", p.messageIds().stream().map(id -> id == null ? "" : id).toList()));
            s.setInt(7, p.ephemeral() ? 1 : 0);
            s.setString(8, p.locale());
            s.setInt(9, p.writing() ? 1 : 0);
            s.executeUpdate();
        } catch (SQLException e) {
            log.warn("Could not record reply {} as in flight (a crash now would leave it unfinished): {}", p.key(), e.getMessage());
        }
    }

    public synchronized void remove(String key) {
        if (key == null) return;
        try (PreparedStatement s = db.prepareStatement("DELETE FROM pending_reply WHERE key = ?")) {
            s.setString(1, key);
            s.executeUpdate();
        } catch (SQLException e) {
            log.warn("Could not mark reply {} as finished: {}", key, e.getMessage());
        }
    }

    public synchronized List<PendingReply> all() {
        List<PendingReply> all = new ArrayList<>();
        try (Statement s = db.createStatement(); ResultSet rs = s.executeQuery("SELECT * FROM pending_reply ORDER BY created_at")) {
            while (rs.next()) {
                String ids = rs.getString("message_ids");
                List<String> messageIds = ids.isEmpty() ? List.of()
                    : Arrays.stream(ids.split(",", -1)).map(id -> id.isEmpty() ? null : id).toList();
                all.add(new PendingReply(rs.getString("key"), rs.getString("interaction_token"), rs.getLong("created_at"), rs.getString("channel_id"),
                    rs.getString("trigger_message_id"), messageIds, rs.getInt("ephemeral") == 1, rs.getString("locale"), rs.getInt("writing") == 1));
            }
        } catch (SQLException e) {
            log.warn("Could not read the replies left in flight: {}", e.getMessage());
        }
        return all;
    }

    @Override
    public synchronized void close() {
        SqliteFile.close(db);
    }
}
