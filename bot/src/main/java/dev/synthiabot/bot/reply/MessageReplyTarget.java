package dev.synthiabot.bot.reply;

import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.recovery.PendingReply;
import java.util.List;
import java.util.Set;
import net.dv8tion.jda.api.entities.Message;

/** Shows an answer as a reply to a user's message (a mention), with a typing indicator while it is written. */
public final class MessageReplyTarget extends DiscordReplyTarget {
    private final Message trigger;
    private long lastTyping;

    public MessageReplyTarget(Message trigger, Texts texts, String locale) {
        super(texts, locale);
        this.trigger = trigger;
    }

    @Override
    public void show(int index, String text, Set<ReplyButton> buttons) throws Exception {
        if (index == 0 && messageId(0) == null) {
            Message m = await(trigger.reply(create(text, buttons)).mentionRepliedUser(false).failOnInvalidReply(false));
            remember(0, m.getId());
        } else {
            showInChannel(trigger.getChannel(), index, text, buttons);
        }
    }

    @Override
    public void postInstead(int index, String text) throws Exception {
        Message m = await(trigger.reply(create(text, Set.of())).mentionRepliedUser(false).failOnInvalidReply(false));
        remember(index, m.getId());
    }

    @Override
    protected PendingReply pending(String key, List<String> messageIds, String locale, boolean writing) {
        return new PendingReply(key, null, trigger.getTimeCreated().toInstant().toEpochMilli(), trigger.getChannel().getId(), trigger.getId(),
            messageIds, false, locale, writing);
    }

    /** Typing lasts about 10 s on Discord: refresh it every 8 s while generating. */
    @Override
    public void working() {
        long now = System.currentTimeMillis();
        if (now - lastTyping > 8000) {
            lastTyping = now;
            trigger.getChannel().sendTyping().queue(ok -> {}, err -> {});
        }
    }
}
