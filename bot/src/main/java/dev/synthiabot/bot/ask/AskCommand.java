package dev.synthiabot.bot.ask;

import dev.synthiabot.bot.Feature;
import java.util.Optional;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.interactions.commands.OptionMapping;

/** {@code /ask question:<text> [private:true]}: answers with the channel's system prompt. */
public final class AskCommand {
    public static final String NAME = "ask";
    public static final String QUESTION = "question";
    public static final String PRIVATE = "private";

    private final Feature feature;

    public AskCommand(Feature feature) {
        this.feature = feature;
    }

    public void handle(SlashCommandInteractionEvent event) {
        String question = Optional.ofNullable(event.getOption(QUESTION)).map(OptionMapping::getAsString).orElse("");
        boolean ephemeral = Optional.ofNullable(event.getOption(PRIVATE)).map(OptionMapping::getAsBoolean).orElse(false);
        feature.answerCommand(NAME, event, event.getChannel(), question, ephemeral, () -> feature.systemPrompt(event.getChannel()));
    }
}
