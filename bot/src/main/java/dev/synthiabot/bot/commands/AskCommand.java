package dev.synthiabot.bot.commands;

import static dev.synthiabot.bot.commands.Definitions.JA;

import dev.synthiabot.bot.answer.Answers;
import java.util.Optional;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.interactions.commands.OptionMapping;
import net.dv8tion.jda.api.interactions.commands.OptionType;
import net.dv8tion.jda.api.interactions.commands.build.Commands;
import net.dv8tion.jda.api.interactions.commands.build.OptionData;
import net.dv8tion.jda.api.interactions.commands.build.SlashCommandData;

/** {@code /ask question:<text> [private:true]}: answers with the channel's system prompt, in the asker's language. */
public final class AskCommand implements SlashCommand {
    static final String NAME = "ask";
    static final String QUESTION = "question";
    static final String PRIVATE = "private";

    private final Answers answers;
    private final int maxInputChars;

    public AskCommand(Answers answers, int maxInputChars) {
        this.answers = answers;
        this.maxInputChars = maxInputChars;
    }

    @Override
    public SlashCommandData definition() {
        return Definitions.guildOnly(Commands.slash(NAME, "Ask SynthIA a question")
            .setNameLocalization(JA, "質問")
            .setDescriptionLocalization(JA, "SynthIA に質問する")
            .addOptions(
                new OptionData(OptionType.STRING, QUESTION, "Your question", true).setMaxLength(Definitions.maxText(maxInputChars))
                    .setNameLocalization(JA, "質問内容").setDescriptionLocalization(JA, "質問の内容"),
                new OptionData(OptionType.BOOLEAN, PRIVATE, "Only you see the answer", false)
                    .setNameLocalization(JA, "非公開").setDescriptionLocalization(JA, "自分だけに回答を表示する")));
    }

    @Override
    public void handle(SlashCommandInteractionEvent event) {
        String question = Optional.ofNullable(event.getOption(QUESTION)).map(OptionMapping::getAsString).orElse("");
        boolean ephemeral = Optional.ofNullable(event.getOption(PRIVATE)).map(OptionMapping::getAsBoolean).orElse(false);
        answers.answerQuestion(NAME, event, event.getChannel(), question, ephemeral);
    }
}
