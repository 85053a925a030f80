package dev.synthiabot.bot.reply;

import java.time.Duration;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.interactions.InteractionHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows an answer as the response to a (deferred) slash command: message 0 is the original response,
 * later parts are follow-ups. An interaction token lives 15 minutes; past that (with a margin) the
 * answer continues as plain channel messages.
 */
public final class InteractionReplyTarget extends DiscordReplyTarget {
    private static final Logger log = LoggerFactory.getLogger(InteractionReplyTarget.class);
    /** Switch to channel messages this long before the interaction token expires (15 min after the command). */
    static final Duration MARGIN = Duration.ofMinutes(1);

    private final InteractionHook hook;
    private final MessageChannel channel;
    private final boolean ephemeral;
    private boolean fellBack;

    public InteractionReplyTarget(InteractionHook hook, MessageChannel channel, boolean ephemeral, String cancelLabel) {
        super(cancelLabel);
        this.hook = hook;
        this.channel = channel;
        this.ephemeral = ephemeral;
    }

    @Override
    public void show(int index, String text, boolean cancelButton) throws Exception {
        if (!fellBack && (hook.isExpired() || System.currentTimeMillis() > hook.getExpirationTimestamp() - MARGIN.toMillis())) {
            fellBack = true;
            log.info("Interaction token about to expire: continuing the answer in channel messages");
            messageIds.clear();
        }
        if (fellBack && !ephemeral) {
            showInChannel(channel, index, text, cancelButton);
            return;
        }
        if (index == 0) {
            await(hook.editOriginal(edit(text, cancelButton)));
        } else if (index < messageIds.size() && messageIds.get(index) != null) {
            await(hook.editMessageById(messageIds.get(index), edit(text, cancelButton)));
        } else {
            Message m = await(hook.sendMessage(create(text, cancelButton)).setEphemeral(ephemeral));
            remember(index, m.getId());
        }
    }
}
