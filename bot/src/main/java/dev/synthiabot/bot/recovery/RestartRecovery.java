package dev.synthiabot.bot.recovery;

import static dev.synthiabot.bot.reply.DiscordReplyTarget.await;

import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.reply.InteractionReplyTarget;
import dev.synthiabot.bot.reply.AllowedMentions;
import dev.synthiabot.bot.reply.MessageSplitter;
import dev.synthiabot.bot.reply.StreamingReply;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.interactions.InteractionHook;
import net.dv8tion.jda.api.utils.messages.MessageCreateBuilder;
import net.dv8tion.jda.api.utils.messages.MessageEditBuilder;
import net.dv8tion.jda.api.utils.messages.MessageEditData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start, finishes the replies a killed process left in flight: every message loses its cursor and Cancel
 * button, and the last one says what happened ("the bot restarted…"; after answer text, below it). The original
 * response of a slash command is reached through its interaction token while that lives (15 minutes), later
 * through the channel; a mention that got no reply yet gets one.
 */
public final class RestartRecovery {
    private static final Logger log = LoggerFactory.getLogger(RestartRecovery.class);
    private static final Duration TOKEN_LIFE = Duration.ofMinutes(15);

    private final JDA jda;
    private final PendingReplies pending;
    private final Clock clock;

    public RestartRecovery(JDA jda, PendingReplies pending, Clock clock) {
        this.jda = jda;
        this.pending = pending;
        this.clock = clock;
    }

    /** Finishes every leftover reply; returns how many there were. Failures are logged, never thrown. */
    public int finishLeftovers() {
        List<PendingReply> left = pending.all();
        if (left.isEmpty()) return 0;
        log.info("Finishing {} repl{} left unfinished by the previous run", left.size(), left.size() == 1 ? "y" : "ies");
        for (PendingReply p : left) {
            try {
                finish(p);
            } catch (Exception e) {
                log.warn("Could not finish reply {} left by the previous run: {}", p.key(), e.toString());
            }
            pending.remove(p.key());
        }
        return left.size();
    }

    private void finish(PendingReply p) throws Exception {
        Texts texts = Texts.forLocale(p.locale());
        String note = p.writing() ? texts.restartedWhileWriting() : texts.restartedBeforeAnswer();
        MessageChannel channel = jda.getChannelById(MessageChannel.class, p.channelId());
        boolean tokenAlive = p.isInteraction()
            && clock.millis() < p.createdAtMs() + TOKEN_LIFE.minus(InteractionReplyTarget.MARGIN).toMillis();
        List<String> ids = p.messageIds();
        int count = Math.max(ids.size(), tokenAlive ? 1 : 0);
        if (count == 0) {
            if (p.triggerMessageId() != null && channel != null) {
                await(channel.sendMessage(new MessageCreateBuilder().setContent(note).setAllowedMentions(AllowedMentions.none()).build())
                    .setMessageReference(p.triggerMessageId()).mentionRepliedUser(false).failOnInvalidReply(false));
            } else {
                log.info("Reply {} cannot be reached any more: its token expired before its message id was recorded", p.key());
            }
            return;
        }
        InteractionHook hook = tokenAlive ? InteractionHook.from(jda, p.interactionToken()) : null;
        for (int i = 0; i < count; i++) {
            boolean last = i == count - 1;
            String id = i < ids.size() ? ids.get(i) : null;
            if (i == 0 && hook != null) {
                String shown = await(hook.retrieveOriginal()).getContentRaw();
                await(hook.editOriginal(finished(shown, last ? note : null, p.writing())));
            } else if (id != null && channel != null && !p.ephemeral()) {
                Message m = await(channel.retrieveMessageById(id));
                await(channel.editMessageById(id, finished(m.getContentRaw(), last ? note : null, p.writing())));
            } else if (id != null && hook != null) {
                await(hook.editMessageComponentsById(id, List.of())); // a private follow-up: its text cannot be read back
            } else {
                log.info("Reply {}: message {} cannot be reached any more (private, or its token expired)", p.key(), i);
            }
        }
    }

    /** The message's text without the cursor, with the note below the answer (or instead of a status line); no button. */
    static MessageEditData finished(String shown, String note, boolean writing) {
        String text = shown.endsWith(StreamingReply.CURSOR) ? shown.substring(0, shown.length() - StreamingReply.CURSOR.length()) : shown;
        if (note != null) {
            if (!writing || text.isBlank()) {
                text = note;
            } else {
                int room = MessageSplitter.LIMIT - note.length() - 3;
                text = (text.length() > room ? text.substring(0, room - 1) + "…" : text) + "\n\n" + note;
            }
        }
        return new MessageEditBuilder().setContent(text).setComponents(List.of()).setAllowedMentions(AllowedMentions.none()).build();
    }
}
