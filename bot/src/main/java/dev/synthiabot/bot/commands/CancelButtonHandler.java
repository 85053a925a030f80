package dev.synthiabot.bot.commands;

import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.queue.InferenceQueue;
import dev.synthiabot.bot.reply.ReplyButton;
import net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent;

/** The Cancel button under a queued or running answer: only the asker may press it; others are told privately. */
public final class CancelButtonHandler implements ButtonHandler {
    private final InferenceQueue queue;

    public CancelButtonHandler(InferenceQueue queue) {
        this.queue = queue;
    }

    @Override
    public String idPrefix() {
        return ReplyButton.CANCEL_ID;
    }

    @Override
    public void handle(ButtonInteractionEvent event, String ticketId) {
        Texts texts = Texts.forLocale(event.getUserLocale().getLocale());
        if (queue.cancel(ticketId, event.getUser().getId())) {
            event.deferEdit().queue();
        } else if (queue.find(ticketId).isPresent()) {
            event.reply(texts.notYourRequest()).setEphemeral(true).queue();
        } else {
            event.reply(texts.alreadyFinished()).setEphemeral(true).queue();
        }
    }
}
