package dev.synthiabot.bot.ask;

import dev.langchain4j.data.message.UserMessage;
import dev.synthiabot.bot.Feature;
import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.reply.InteractionReplyTarget;
import java.util.List;
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
        Texts texts = Texts.forLocale(event.getUserLocale().getLocale());
        String question = Optional.ofNullable(event.getOption(QUESTION)).map(OptionMapping::getAsString).orElse("");
        boolean ephemeral = Optional.ofNullable(event.getOption(PRIVATE)).map(OptionMapping::getAsBoolean).orElse(false);
        if (!feature.allowed(event.getChannel(), event.getMember())) {
            event.reply(texts.notAllowedHere()).setEphemeral(true).queue();
            return;
        }
        Optional<String> bad = feature.checkInput(question, texts);
        if (bad.isPresent()) {
            event.reply(bad.get()).setEphemeral(true).queue();
            return;
        }
        event.deferReply(ephemeral).queue();
        String system = feature.systemPrompt(event.getChannel());
        var target = new InteractionReplyTarget(event.getHook(), event.getChannel(), ephemeral, texts.cancelButton());
        feature.enqueue(event.getUser().getId(), target, texts, () -> Feature.request(system, List.of(UserMessage.from(question))))
            .ifPresent(refusal -> event.getHook().editOriginal(refusal).setAllowedMentions(dev.synthiabot.bot.reply.Mentions.none()).queue());
    }
}
