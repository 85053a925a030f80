package dev.synthiabot.bot.commands;

import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.interactions.commands.build.SlashCommandData;

/**
 * One slash command: what Discord shows (name, options, Japanese localization) and what it does, in one class.
 * The composition root lists the commands once; the {@link CommandRouter} and the registration derive from that list.
 */
public interface SlashCommand {
    /** The command as registered with Discord; its name routes events to {@link #handle}. */
    SlashCommandData definition();

    /**
     * Handles one use of the command, on JDA's event thread: acknowledge within Discord's 3 s (reply, defer, or hand
     * the question to {@link dev.synthiabot.bot.answer.Answers#answerCommand}) and never wait on the model or on REST.
     */
    void handle(SlashCommandInteractionEvent event);
}
