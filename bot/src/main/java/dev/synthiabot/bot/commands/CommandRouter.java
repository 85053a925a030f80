package dev.synthiabot.bot.commands;

import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.mention.MentionReply;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.dv8tion.jda.api.events.interaction.command.MessageContextInteractionEvent;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent;
import net.dv8tion.jda.api.events.message.MessageReceivedEvent;
import net.dv8tion.jda.api.hooks.ListenerAdapter;
import net.dv8tion.jda.api.interactions.commands.build.CommandData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's only JDA listener: each event goes to the command, button or mention handler it names. Handlers
 * acknowledge at once and hand model work to the queue, so nothing slow runs on JDA's event thread; a handler that
 * throws is logged and the user told, never left with "the application did not respond".
 */
public final class CommandRouter extends ListenerAdapter {
    private static final Logger log = LoggerFactory.getLogger(CommandRouter.class);

    private final Map<String, SlashCommand> slash = new LinkedHashMap<>();
    private final Map<String, MessageCommand> message = new LinkedHashMap<>();
    private final List<ButtonHandler> buttons;
    private final MentionReply mentions;

    public CommandRouter(List<SlashCommand> slash, List<MessageCommand> message, List<ButtonHandler> buttons, MentionReply mentions) {
        slash.forEach(c -> put(this.slash, c.definition().getName(), c));
        message.forEach(c -> put(this.message, c.definition().getName(), c));
        this.buttons = List.copyOf(buttons);
        this.mentions = mentions;
    }

    private static <T> void put(Map<String, T> map, String name, T command) {
        if (map.putIfAbsent(name, command) != null) throw new IllegalArgumentException("Two commands are named " + name);
    }

    /** Every command's definition, as registered with Discord. */
    public List<CommandData> definitions() {
        List<CommandData> all = new ArrayList<>();
        slash.values().forEach(c -> all.add(c.definition()));
        message.values().forEach(c -> all.add(c.definition()));
        return all;
    }

    @Override
    public void onSlashCommandInteraction(SlashCommandInteractionEvent event) {
        SlashCommand command = slash.get(event.getName());
        try {
            if (command == null) {
                event.reply("Unknown command").setEphemeral(true).queue();
            } else {
                command.handle(event);
            }
        } catch (RuntimeException e) {
            log.error("/{} failed", event.getName(), e);
            if (!event.isAcknowledged()) event.reply(Texts.forLocale(event.getUserLocale().getLocale()).modelFailed()).setEphemeral(true).queue();
        }
    }

    @Override
    public void onMessageContextInteraction(MessageContextInteractionEvent event) {
        MessageCommand command = message.get(event.getName());
        if (command == null) return;
        try {
            command.handle(event);
        } catch (RuntimeException e) {
            log.error("Context command {} failed", event.getName(), e);
            if (!event.isAcknowledged()) event.reply(Texts.forLocale(event.getUserLocale().getLocale()).modelFailed()).setEphemeral(true).queue();
        }
    }

    @Override
    public void onButtonInteraction(ButtonInteractionEvent event) {
        String id = event.getComponentId();
        for (ButtonHandler b : buttons) {
            if (!id.startsWith(b.idPrefix())) continue;
            try {
                b.handle(event, id.substring(b.idPrefix().length()));
            } catch (RuntimeException e) {
                log.error("Button {} failed", id, e);
            }
            return;
        }
    }

    @Override
    public void onMessageReceived(MessageReceivedEvent event) {
        try {
            mentions.handle(event);
        } catch (RuntimeException e) {
            log.error("Handling a mention failed", e);
        }
    }
}
