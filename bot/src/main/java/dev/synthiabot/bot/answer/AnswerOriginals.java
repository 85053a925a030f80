package dev.synthiabot.bot.answer;

import dev.synthiabot.config.SqliteFile;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model's whole text of answers that show less of it — the English of translated answers, the reasoning before
 * an answer's "Answer:" — by the Discord message that shows each (table {@code answer_original} of the bot's
 * database): a follow-up in a reply chain carries the conversation as the model wrote it, in the language it reasons
 * in, and the Show reasoning button shows it. Kept for {@link #KEEP}; past that a follow-up reads what was shown.
 */
public final class AnswerOriginals implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(AnswerOriginals.class);
    static final Duration KEEP = Duration.ofDays(30);
    private final Connection db;
    private final Clock clock;

    public AnswerOriginals(Path file, Clock clock) {
        this.db = SqliteFile.open(file, SqliteFile.Durability.NORMAL);
        this.clock = clock;
        try (PreparedStatement d = db.prepareStatement("DELETE FROM answer_original WHERE created_at < ?")) {
            d.setLong(1, clock.instant().minus(KEEP).toEpochMilli());
            d.executeUpdate();
        } catch (SQLException e) {
            log.warn("Could not forget old answers' English: {}", e.getMessage());
        }
    }

    /** {@code whole} is what the model wrote of the answer the messages {@code messageIds} show. */
    public synchronized void save(List<String> messageIds, String whole) {
        try (PreparedStatement s = db.prepareStatement("INSERT OR REPLACE INTO answer_original VALUES (?, ?, ?)")) {
            for (String id : messageIds.stream().filter(Objects::nonNull).toList()) {
                s.setString(1, id);
                s.setString(2, whole);
                s.setLong(3, clock.instant().toEpochMilli());
                s.addBatch();
            }
            s.executeBatch();
        } catch (SQLException e) {
            log.warn("Could not keep an answer's whole text (a follow-up will read what was shown): {}", e.getMessage());
        }
    }

    /** The messages {@code messageIds} show all the model wrote now (an answer regenerated in them): nothing to keep. */
    public synchronized void forget(List<String> messageIds) {
        try (PreparedStatement d = db.prepareStatement("DELETE FROM answer_original WHERE message_id = ?")) {
            for (String id : messageIds.stream().filter(Objects::nonNull).toList()) {
                d.setString(1, id);
                d.addBatch();
            }
            d.executeBatch();
        } catch (SQLException e) {
            log.warn("Could not forget an answer's whole text: {}", e.getMessage());
        }
    }

    /** The model's whole text behind a message of the bot's, if it showed less of it. */
    public synchronized Optional<String> find(String messageId) {
        try (PreparedStatement q = db.prepareStatement("SELECT text FROM answer_original WHERE message_id = ?")) {
            q.setString(1, messageId);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            log.warn("Could not read an answer's whole text: {}", e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public synchronized void close() {
        SqliteFile.close(db);
    }
}
