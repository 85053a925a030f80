package dev.synthiabot.bot.translate;

import dev.langchain4j.data.message.UserMessage;
import dev.synthiabot.bot.Feature;
import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.reply.InteractionReplyTarget;
import dev.synthiabot.bot.reply.Mentions;
import java.util.List;
import java.util.Optional;
import net.dv8tion.jda.api.entities.Member;
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
        translate(event, event.getChannel(), event.getMember(), event.getUser().getId(), language, text);
    }

    public void handle(MessageContextInteractionEvent event) {
        translate(event, event.getMessageChannel(), event.getMember(), event.getUser().getId(), "ja", event.getTarget().getContentRaw());
    }

    private void translate(IReplyCallback event, MessageChannel channel, Member member, String userId, String language, String text) {
        Texts texts = Texts.forLocale(event.getUserLocale().getLocale());
        String prompt = feature.settings().prompts().translation().get(language);
        if (prompt == null || !feature.allowed(channel, member)) {
            event.reply(texts.notAllowedHere()).setEphemeral(true).queue();
            return;
        }
        Optional<String> bad = feature.checkInput(text, texts);
        if (bad.isPresent()) {
            event.reply(bad.get()).setEphemeral(true).queue();
            return;
        }
        event.deferReply().queue();
        var target = new InteractionReplyTarget(event.getHook(), channel, false, texts.cancelButton());
        feature.enqueue(userId, target, texts, () -> Feature.request(prompt, List.of(UserMessage.from(text))))
            .ifPresent(refusal -> event.getHook().editOriginal(refusal).setAllowedMentions(Mentions.none()).queue());
    }
}
