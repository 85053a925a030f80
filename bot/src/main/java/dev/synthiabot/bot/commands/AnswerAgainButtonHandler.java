package dev.synthiabot.bot.commands;

import dev.synthiabot.bot.answer.Answers;
import dev.synthiabot.bot.reply.ReplyButton;
import net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent;

/** The Regenerate and Continue buttons under a finished answer (one handler each, told which at construction). */
public final class AnswerAgainButtonHandler implements ButtonHandler {
    private final Answers answers;
    private final boolean goOn;

    private AnswerAgainButtonHandler(Answers answers, boolean goOn) {
        this.answers = answers;
        this.goOn = goOn;
    }

    public static AnswerAgainButtonHandler regenerate(Answers answers) {
        return new AnswerAgainButtonHandler(answers, false);
    }

    public static AnswerAgainButtonHandler goOn(Answers answers) {
        return new AnswerAgainButtonHandler(answers, true);
    }

    @Override
    public String idPrefix() {
        return goOn ? ReplyButton.CONTINUE_ID : ReplyButton.REGENERATE_ID;
    }

    @Override
    public void handle(ButtonInteractionEvent event, String argument) {
        answers.answerAgain(event, goOn);
    }
}
