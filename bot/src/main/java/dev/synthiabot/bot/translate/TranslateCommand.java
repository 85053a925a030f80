package dev.synthiabot.bot.translate;

import dev.synthiabot.bot.Feature;
import dev.synthiabot.bot.i18n.Texts;
import java.util.Map;
import java.util.Optional;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.events.interaction.command.MessageContextInteractionEvent;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.interactions.callbacks.IReplyCallback;
import net.dv8tion.jda.api.interactions.commands.OptionMapping;

/**
 * {@code /translate <language> text:<text>} (one subcommand per configured language, e.g. {@code ja})
 * and the message context command "Translate to Japanese". The system prompt is the language's
 * translation prompt, never the channel's.
 */
public final class TranslateCommand {
    public static final String NAME = "translate";
    public static final String TEXT = "text";
    public static final String CONTEXT_MENU_JA = "Translate to Japanese";

    private final Feature feature;

    public TranslateCommand(Feature feature) {
        this.feature = feature;
    }

    public void handle(SlashCommandInteractionEvent event) {
        String language = Optional.ofNullable(event.getSubcommandName()).orElse("");
        String text = Optional.ofNullable(event.getOption(TEXT)).map(OptionMapping::getAsString).orElse("");
        translate(event, event.getChannel(), language, text);
    }

    public void handle(MessageContextInteractionEvent event) {
        translate(event, event.getMessageChannel(), "ja", event.getTarget().getContentRaw());
    }

    private void translate(IReplyCallback event, MessageChannel channel, String language, String text) {
        Map<String, String> prompts = feature.settings().prompts().translation();
        String prompt = prompts.get(language);
        if (prompt == null) { // a subcommand Discord still shows after the language was removed from the settings
            event.reply(Texts.forLocale(event.getUserLocale().getLocale()).unknownLanguage(language, prompts.keySet()))
                .setEphemeral(true).queue();
            return;
        }
        feature.answerCommand(NAME, event, channel, text, false, () -> prompt);
    }
}
