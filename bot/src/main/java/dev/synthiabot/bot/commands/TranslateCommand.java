package dev.synthiabot.bot.commands;

import static dev.synthiabot.bot.commands.Definitions.JA;

import dev.synthiabot.bot.answer.Answers;
import dev.synthiabot.bot.i18n.Texts;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.interactions.callbacks.IReplyCallback;
import net.dv8tion.jda.api.interactions.commands.OptionMapping;
import net.dv8tion.jda.api.interactions.commands.OptionType;
import net.dv8tion.jda.api.interactions.commands.build.Commands;
import net.dv8tion.jda.api.interactions.commands.build.OptionData;
import net.dv8tion.jda.api.interactions.commands.build.SlashCommandData;
import net.dv8tion.jda.api.interactions.commands.build.SubcommandData;

/**
 * {@code /translate <language> text:<text>}: one subcommand per language of {@code prompts.translation} (e.g. {@code ja}),
 * in the settings' order. The system prompt is the language's translation prompt, never the channel's.
 */
public final class TranslateCommand implements SlashCommand {
    static final String NAME = "translate";
    static final String TEXT = "text";

    private final Answers answers;
    private final Map<String, String> prompts;
    private final int maxInputChars;

    /** @param prompts target language code to its translation prompt */
    public TranslateCommand(Answers answers, Map<String, String> prompts, int maxInputChars) {
        this.answers = answers;
        this.prompts = prompts;
        this.maxInputChars = maxInputChars;
    }

    @Override
    public SlashCommandData definition() {
        SlashCommandData translate = Commands.slash(NAME, "Translate text")
            .setNameLocalization(JA, "翻訳")
            .setDescriptionLocalization(JA, "テキストを翻訳する");
        for (String code : prompts.keySet()) {
            Locale language = Locale.forLanguageTag(code);
            translate.addSubcommands(new SubcommandData(code, "Translate into " + language.getDisplayName(Locale.ENGLISH))
                .setNameLocalization(JA, code.equals("ja") ? "日本語" : code)
                .setDescriptionLocalization(JA, language.getDisplayName(Locale.JAPANESE) + "に翻訳する")
                .addOptions(new OptionData(OptionType.STRING, TEXT, "The text to translate", true).setMaxLength(Definitions.maxText(maxInputChars))
                    .setNameLocalization(JA, "テキスト").setDescriptionLocalization(JA, "翻訳するテキスト")));
        }
        return Definitions.guildOnly(translate);
    }

    @Override
    public void handle(SlashCommandInteractionEvent event) {
        String language = Optional.ofNullable(event.getSubcommandName()).orElse("");
        String text = Optional.ofNullable(event.getOption(TEXT)).map(OptionMapping::getAsString).orElse("");
        translate(event, event.getChannel(), language, text);
    }

    /** Translates {@code text} into {@code language} as an answer to {@code event} (also the context menu's way). */
    void translate(IReplyCallback event, MessageChannel channel, String language, String text) {
        String prompt = prompts.get(language);
        if (prompt == null) { // a subcommand Discord still shows after the language was removed from the settings
            event.reply(Texts.forLocale(event.getUserLocale().getLocale()).unknownLanguage(language, prompts.keySet()))
                .setEphemeral(true).queue();
            return;
        }
        answers.answerCommand(NAME, event, channel, text, false, () -> prompt);
    }
}
