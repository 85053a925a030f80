package dev.synthiabot.bot.discord;

import dev.synthiabot.bot.ask.AskCommand;
import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.mention.MentionReply;
import dev.synthiabot.bot.prompt.PromptCommand;
import dev.synthiabot.bot.queue.InferenceQueue;
import dev.synthiabot.bot.reply.CancelButton;
import dev.synthiabot.bot.status.StatusCommand;
import dev.synthiabot.bot.translate.TranslateCommand;
import net.dv8tion.jda.api.events.interaction.command.MessageContextInteractionEvent;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent;
import net.dv8tion.jda.api.events.message.MessageReceivedEvent;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's only JDA listener: sends each event to its feature. Features acknowledge at once and hand
 * model work to the queue, so nothing slow ever runs on JDA's event thread.
 */
public final class CommandRouter extends ListenerAdapter {
    private static final Logger log = LoggerFactory.getLogger(CommandRouter.class);

    private final AskCommand ask;
    private final TranslateCommand translate;
    private final PromptCommand prompt;
    private final MentionReply mention;
    private final StatusCommand status;
    private final InferenceQueue queue;

    public CommandRouter(AskCommand ask, TranslateCommand translate, PromptCommand prompt, StatusCommand status, MentionReply mention,
                         InferenceQueue queue) {
        this.status = status;
        this.ask = ask;
        this.translate = translate;
        this.prompt = prompt;
        this.mention = mention;
        this.queue = queue;
    }

    @Override
    public void onSlashCommandInteraction(SlashCommandInteractionEvent event) {
        try {
            switch (event.getName()) {
                case AskCommand.NAME -> ask.handle(event);
                case TranslateCommand.NAME -> translate.handle(event);
                case PromptCommand.NAME -> prompt.handle(event);
                case StatusCommand.NAME -> status.handle(event);
                default -> event.reply("Unknown command").setEphemeral(true).queue();
            }
        } catch (RuntimeException e) {
            log.error("/{} failed", event.getName(), e);
            if (!event.isAcknowledged()) event.reply(Texts.forLocale(event.getUserLocale().getLocale()).modelFailed()).setEphemeral(true).queue();
        }
    }

    @Override
    public void onMessageContextInteraction(MessageContextInteractionEvent event) {
        try {
            if (event.getName().equals(TranslateCommand.CONTEXT_MENU_JA)) translate.handle(event);
        } catch (RuntimeException e) {
            log.error("Context command {} failed", event.getName(), e);
        }
    }

    @Override
    public void onButtonInteraction(ButtonInteractionEvent event) {
        CancelButton.ticketId(event.getComponentId()).ifPresent(ticket -> {
            Texts texts = Texts.forLocale(event.getUserLocale().getLocale());
            if (queue.cancel(ticket, event.getUser().getId())) {
                event.deferEdit().queue();
            } else if (queue.find(ticket).isPresent()) {
                event.reply(texts.notYourRequest()).setEphemeral(true).queue();
            } else {
                event.reply(texts.alreadyFinished()).setEphemeral(true).queue();
            }
        });
    }

    @Override
    public void onMessageReceived(MessageReceivedEvent event) {
        try {
            mention.handle(event);
        } catch (RuntimeException e) {
            log.error("Handling a mention failed", e);
        }
    }
}
