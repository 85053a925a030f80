package dev.synthiabot.bot.reply;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.requests.RestAction;
import net.dv8tion.jda.api.utils.messages.MessageCreateBuilder;
import net.dv8tion.jda.api.utils.messages.MessageCreateData;
import net.dv8tion.jda.api.utils.messages.MessageEditBuilder;
import net.dv8tion.jda.api.utils.messages.MessageEditData;

/** Common parts of the Discord reply targets: the Cancel button's ticket, message payloads, waiting on REST. */
public abstract class DiscordReplyTarget implements ReplyTarget {
    static final long REST_TIMEOUT_S = 60;
    protected final String cancelLabel;
    protected final List<String> messageIds = new ArrayList<>();
    private volatile String ticketId;

    DiscordReplyTarget(String cancelLabel) {
        this.cancelLabel = cancelLabel;
    }

    /** The queue ticket the Cancel button cancels. */
    public void attach(String ticketId) {
        this.ticketId = ticketId;
    }

    protected MessageEditData edit(String text, boolean cancelButton) {
        MessageEditBuilder b = new MessageEditBuilder().setContent(text).setAllowedMentions(Mentions.none());
        b.setComponents(cancelButton && ticketId != null ? CancelButton.row(ticketId, cancelLabel) : List.of());
        return b.build();
    }

    protected MessageCreateData create(String text, boolean cancelButton) {
        MessageCreateBuilder b = new MessageCreateBuilder().setContent(text).setAllowedMentions(Mentions.none());
        if (cancelButton && ticketId != null) b.setComponents(CancelButton.row(ticketId, cancelLabel));
        return b.build();
    }

    /** Waits for a REST call (never called on JDA's threads: replies are rendered on the bot's scheduler). */
    protected static <T> T await(RestAction<T> action) throws Exception {
        return action.submit().get(REST_TIMEOUT_S, TimeUnit.SECONDS);
    }

    /** Shows message {@code index} as a plain channel message (creating or editing it). */
    protected void showInChannel(MessageChannel channel, int index, String text, boolean cancelButton) throws Exception {
        if (index < messageIds.size() && messageIds.get(index) != null) {
            await(channel.editMessageById(messageIds.get(index), edit(text, cancelButton)));
        } else {
            Message m = await(channel.sendMessage(create(text, cancelButton)));
            remember(index, m.getId());
        }
    }

    protected void remember(int index, String id) {
        while (messageIds.size() <= index) messageIds.add(null);
        messageIds.set(index, id);
    }
}
