package dev.synthiabot.bot.reply;

import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.recovery.PendingReply;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.interactions.InteractionHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows an answer as the response to a (deferred) slash command: message 0 is the original response,
 * later parts are follow-ups. JDA holds the hook's requests until the deferral is acknowledged, so a reply may
 * start rendering before that. An interaction token lives 15 minutes; past that (with a margin) the
 * answer continues as plain channel messages.
 */
public final class InteractionReplyTarget extends DiscordReplyTarget {
    private static final Logger log = LoggerFactory.getLogger(InteractionReplyTarget.class);
    /** Switch to channel messages this long before the interaction token expires (15 min after the command). */
    public static final Duration MARGIN = Duration.ofMinutes(1);

    private final InteractionHook hook;
    private final MessageChannel channel;
    private final boolean ephemeral;
    private boolean fellBack;

    public InteractionReplyTarget(InteractionHook hook, MessageChannel channel, boolean ephemeral, Texts texts, String locale) {
        super(texts, locale);
        this.hook = hook;
        this.channel = channel;
        this.ephemeral = ephemeral;
    }

    @Override
    public void show(int index, String text, Set<ReplyButton> buttons) throws Exception {
        if (!fellBack && tokenExpiring()) {
            fellBack = true;
            log.info("Interaction token about to expire: continuing the answer in channel messages");
            forgetMessages();
        }
        if (fellBack && !ephemeral) {
            showInChannel(channel, index, text, buttons);
            return;
        }
        String id = messageId(index);
        if (index == 0) {
            Message m = await(hook.editOriginal(edit(text, buttons)));
            remember(0, m.getId());
        } else if (id != null) {
            await(hook.editMessageById(id, edit(text, buttons)));
        } else {
            Message m = await(hook.sendMessage(create(text, buttons)).setEphemeral(ephemeral));
            remember(index, m.getId());
        }
    }

    /** A private answer can only be posted through the interaction; a public one goes to the channel, which needs no token. */
    @Override
    public void postInstead(int index, String text) throws Exception {
        Message m = ephemeral
            ? await(hook.sendMessage(create(text, Set.of())).setEphemeral(true))
            : await(channel.sendMessage(create(text, Set.of())));
        remember(index, m.getId());
    }

    private boolean tokenExpiring() {
        return hook.isExpired() || System.currentTimeMillis() > hook.getExpirationTimestamp() - MARGIN.toMillis();
    }

    @Override
    protected PendingReply pending(String key, List<String> messageIds, String locale, boolean writing) {
        long created = hook.getInteraction().getTimeCreated().toInstant().toEpochMilli();
        return new PendingReply(key, fellBack ? null : hook.getInteraction().getToken(), created, channel.getId(), null, messageIds, ephemeral,
            locale, writing);
    }
}
