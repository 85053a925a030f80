package dev.synthiabot.bot.commands;

import static dev.synthiabot.bot.commands.Definitions.JA;

import java.util.Map;
import net.dv8tion.jda.api.events.interaction.command.MessageContextInteractionEvent;
import net.dv8tion.jda.api.interactions.commands.build.CommandData;
import net.dv8tion.jda.api.interactions.commands.build.Commands;

/** The message context command "Translate to Japanese": {@code /translate ja} on the message's text. */
public final class TranslateMessageCommand implements MessageCommand {
    static final String NAME = "Translate to Japanese";

    private final TranslateCommand translate;

    public TranslateMessageCommand(TranslateCommand translate) {
        this.translate = translate;
    }

    @Override
    public CommandData definition() {
        return Definitions.guildOnly(Commands.message(NAME).setNameLocalizations(Map.of(JA, "日本語に翻訳")));
    }

    @Override
    public void handle(MessageContextInteractionEvent event) {
        translate.translate(event, event.getMessageChannel(), "ja", event.getTarget().getContentRaw());
    }
}
