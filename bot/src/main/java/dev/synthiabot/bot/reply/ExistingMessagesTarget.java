package dev.synthiabot.bot.reply;

import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.recovery.PendingReply;
import java.util.List;
import java.util.Set;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;

/**
 * Shows an answer in the messages of an earlier one (Regenerate, Continue): it edits them in order and sends more in
 * the channel when the answer needs more. Channel REST only, so no interaction token can expire under it.
 */
public final class ExistingMessagesTarget extends DiscordReplyTarget {
    private final MessageChannel channel;
    private final long createdAtMs = System.currentTimeMillis();

    public ExistingMessagesTarget(MessageChannel channel, List<String> messageIds, Texts texts, String locale) {
        super(texts, locale);
        this.channel = channel;
        for (int i = 0; i < messageIds.size(); i++) remember(i, messageIds.get(i));
    }

    @Override
    public void show(int index, String text, Set<ReplyButton> buttons) throws Exception {
        showInChannel(channel, index, text, buttons);
    }

    @Override
    public void postInstead(int index, String text) throws Exception {
        Message m = await(channel.sendMessage(create(text, Set.of())));
        remember(index, m.getId());
    }

    @Override
    protected PendingReply pending(String key, List<String> messageIds, String locale, boolean writing) {
        return new PendingReply(key, null, createdAtMs, channel.getId(), null, messageIds, false, locale, writing);
    }
}
