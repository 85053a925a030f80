package dev.synthiabot.bot.reply;

import java.util.List;
import net.dv8tion.jda.api.components.actionrow.ActionRow;
import net.dv8tion.jda.api.components.buttons.Button;

/** The Cancel button under a queued or running answer; its id carries the queue ticket. */
public final class CancelButton {
    public static final String PREFIX = "synthia-cancel:";

    private CancelButton() {}

    public static List<ActionRow> row(String ticketId, String label) {
        return List.of(ActionRow.of(Button.secondary(PREFIX + ticketId, label)));
    }
}
