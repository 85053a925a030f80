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
 * The English of translated answers, by the Discord message that shows each (table {@code answer_original} of the
 * bot's database): a follow-up in a reply chain carries the conversation in the language the model reasons in, not
 * the translations. Kept for {@link #KEEP}; a reply to an older answer reads the translation instead.
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

    /** {@code english} is what the messages {@code messageIds} show translated. */
    public synchronized void save(List<String> messageIds, String english) {
        try (PreparedStatement s = db.prepareStatement("INSERT OR REPLACE INTO answer_original VALUES (?, ?, ?)")) {
            for (String id : messageIds.stream().filter(Objects::nonNull).toList()) {
                s.setString(1, id);
                s.setString(2, english);
                s.setLong(3, clock.instant().toEpochMilli());
                s.addBatch();
            }
            s.executeBatch();
        } catch (SQLException e) {
            log.warn("Could not keep a translated answer's English (a follow-up will read the translation): {}", e.getMessage());
        }
    }

    /** The English behind a message of the bot's, if it showed a translated answer. */
    public synchronized Optional<String> find(String messageId) {
        try (PreparedStatement q = db.prepareStatement("SELECT text FROM answer_original WHERE message_id = ?")) {
            q.setString(1, messageId);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            log.warn("Could not read a translated answer's English: {}", e.getMessage());
            return Optional.empty();
        }
    }

    @Override
    public synchronized void close() {
        SqliteFile.close(db);
    }
}
