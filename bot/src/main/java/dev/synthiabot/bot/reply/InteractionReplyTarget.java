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
    static final Duration TOKEN_LIFE = Duration.ofMinutes(14);

    private final InteractionHook hook;
    private final MessageChannel channel;
    private final boolean ephemeral;
    private final long createdAt;
    private final Duration tokenLife;
    private boolean fellBack;

    public InteractionReplyTarget(InteractionHook hook, MessageChannel channel, boolean ephemeral, String cancelLabel) {
        this(hook, channel, ephemeral, cancelLabel, TOKEN_LIFE);
    }

    InteractionReplyTarget(InteractionHook hook, MessageChannel channel, boolean ephemeral, String cancelLabel, Duration tokenLife) {
        super(cancelLabel);
        this.hook = hook;
        this.channel = channel;
        this.ephemeral = ephemeral;
        this.createdAt = System.nanoTime();
        this.tokenLife = tokenLife;
    }

    @Override
    public void show(int index, String text, boolean cancelButton) throws Exception {
        if (!fellBack && (hook.isExpired() || System.nanoTime() - createdAt > tokenLife.toNanos())) {
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
