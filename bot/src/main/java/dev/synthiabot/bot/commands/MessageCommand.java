package dev.synthiabot.bot.commands;

import net.dv8tion.jda.api.events.interaction.command.MessageContextInteractionEvent;
import net.dv8tion.jda.api.interactions.commands.build.CommandData;

/** A message context-menu command (right-click a message → Apps): its definition and handler, as {@link SlashCommand}. */
public interface MessageCommand {
    CommandData definition();

    /** Handles one use, on JDA's event thread (the same rules as {@link SlashCommand#handle}). */
    void handle(MessageContextInteractionEvent event);
}
