package dev.synthiabot.bot.commands;

import net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent;

/** Presses of the buttons whose component id starts with {@link #idPrefix()}; the rest of the id is the argument. */
public interface ButtonHandler {
    String idPrefix();

    /** Handles one press, on JDA's event thread: acknowledge at once. */
    void handle(ButtonInteractionEvent event, String argument);
}
