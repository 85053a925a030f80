package dev.synthiabot.bot.reply;

import dev.synthiabot.bot.recovery.PendingReply;
import java.util.List;
import net.dv8tion.jda.api.entities.Message;

/** Shows an answer as a reply to a user's message (a mention), with a typing indicator while it is written. */
public final class MessageReplyTarget extends DiscordReplyTarget {
    private final Message trigger;
    private long lastTyping;

    public MessageReplyTarget(Message trigger, String cancelLabel, String locale) {
        super(cancelLabel, locale);
        this.trigger = trigger;
    }

    @Override
    public void show(int index, String text, boolean cancelButton) throws Exception {
        if (index == 0 && messageId(0) == null) {
            Message m = await(trigger.reply(create(text, cancelButton)).mentionRepliedUser(false).failOnInvalidReply(false));
            remember(0, m.getId());
        } else {
            showInChannel(trigger.getChannel(), index, text, cancelButton);
        }
    }

    @Override
    public void postInstead(int index, String text) throws Exception {
        Message m = await(trigger.reply(create(text, false)).mentionRepliedUser(false).failOnInvalidReply(false));
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
