package dev.synthiabot.bot.reply;

import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.recovery.PendingReply;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import net.dv8tion.jda.api.components.actionrow.ActionRow;
import net.dv8tion.jda.api.components.buttons.Button;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.requests.RestAction;
import net.dv8tion.jda.api.utils.messages.MessageCreateBuilder;
import net.dv8tion.jda.api.utils.messages.MessageCreateData;
import net.dv8tion.jda.api.utils.messages.MessageEditBuilder;
import net.dv8tion.jda.api.utils.messages.MessageEditData;

/**
 * Common parts of the Discord reply targets: the buttons (labels in the asker's language, the Cancel button's
 * ticket), message payloads, waiting on REST, and the {@link PendingReply} record that lets a restarted bot finish
 * the reply's messages.
 */
public abstract class DiscordReplyTarget implements ReplyTarget {
    /** How long one REST call may take before it counts as failed (and is retried for text the user has not seen). */
    static final long REST_TIMEOUT_S = 20;
    private final Texts texts;
    private final String locale;
    private final List<String> messageIds = new ArrayList<>();
    private volatile String ticketId;
    private volatile boolean writing;
    private volatile Consumer<PendingReply> onChange = p -> {};

    DiscordReplyTarget(Texts texts, String locale) {
        this.texts = texts;
        this.locale = locale;
    }

    /** The queue ticket the Cancel button cancels (also the key of the pending record). */
    public void attach(String ticketId) {
        this.ticketId = ticketId;
    }

    /** Told each time the pending record changes (a message was created, answer text started). */
    public void onChange(Consumer<PendingReply> listener) {
        this.onChange = Objects.requireNonNull(listener);
    }

    /** The record of this reply as it stands. */
    public synchronized PendingReply pending() {
        return pending(ticketId, new ArrayList<>(messageIds), locale, writing);
    }

    protected abstract PendingReply pending(String key, List<String> messageIds, String locale, boolean writing);

    /** Answer text (not a status line) is being shown from now on: a restart must say the answer was cut. */
    @Override
    public void writing() {
        if (writing) return;
        writing = true;
        onChange.accept(pending());
    }

    protected MessageEditData edit(String text, Set<ReplyButton> buttons) {
        return new MessageEditBuilder().setContent(text).setAllowedMentions(AllowedMentions.none()).setComponents(components(buttons)).build();
    }

    protected MessageCreateData create(String text, Set<ReplyButton> buttons) {
        return new MessageCreateBuilder().setContent(text).setAllowedMentions(AllowedMentions.none()).setComponents(components(buttons)).build();
    }

    private List<ActionRow> components(Set<ReplyButton> buttons) {
        List<Button> row = new ArrayList<>();
        for (ReplyButton b : ReplyButton.values()) {
            if (!buttons.contains(b)) continue;
            switch (b) {
                case CANCEL -> {
                    if (ticketId != null) row.add(Button.secondary(ReplyButton.CANCEL_ID + ticketId, texts.cancelButton()));
                }
                case SHOW_REASONING -> row.add(Button.secondary(ReplyButton.ORIGINAL_ID, texts.showReasoningButton()));
                case SHOW_ENGLISH -> row.add(Button.secondary(ReplyButton.ORIGINAL_ID, texts.showEnglishButton()));
                case REGENERATE -> row.add(Button.secondary(ReplyButton.REGENERATE_ID, texts.regenerateButton()));
                case CONTINUE -> row.add(Button.secondary(ReplyButton.CONTINUE_ID, texts.continueButton()));
            }
        }
        return row.isEmpty() ? List.of() : List.of(ActionRow.of(row));
    }

    /** Waits for a REST call, bounded (never called on JDA's threads: replies are rendered on the bot's own). */
    public static <T> T await(RestAction<T> action) throws Exception {
        return action.submit().get(REST_TIMEOUT_S, TimeUnit.SECONDS);
    }

    protected synchronized String messageId(int index) {
        return index < messageIds.size() ? messageIds.get(index) : null;
    }

    protected synchronized void forgetMessages() {
        messageIds.clear();
    }

    /** Shows message {@code index} as a plain channel message (creating or editing it). */
    protected void showInChannel(MessageChannel channel, int index, String text, Set<ReplyButton> buttons) throws Exception {
        String id = messageId(index);
        if (id != null) {
            await(channel.editMessageById(id, edit(text, buttons)));
        } else {
            Message m = await(channel.sendMessage(create(text, buttons)));
            remember(index, m.getId());
        }
    }

    protected void remember(int index, String id) {
        synchronized (this) {
            while (messageIds.size() <= index) messageIds.add(null);
            if (id.equals(messageIds.get(index))) return;
            messageIds.set(index, id);
        }
        onChange.accept(pending());
    }
}
