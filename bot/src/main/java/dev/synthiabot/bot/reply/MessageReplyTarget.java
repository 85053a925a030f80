package dev.synthiabot.bot.reply;

import net.dv8tion.jda.api.entities.Message;

/** Shows an answer as a reply to a user's message (a mention), with a typing indicator while it is written. */
public final class MessageReplyTarget extends DiscordReplyTarget {
    private final Message trigger;
    private long lastTyping;

    public MessageReplyTarget(Message trigger, String cancelLabel) {
        super(cancelLabel);
        this.trigger = trigger;
    }

    @Override
    public void show(int index, String text, boolean cancelButton) throws Exception {
        if (index == 0 && messageIds.isEmpty()) {
            Message m = await(trigger.reply(create(text, cancelButton)).mentionRepliedUser(false));
            remember(0, m.getId());
        } else {
            showInChannel(trigger.getChannel(), index, text, cancelButton);
        }
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
