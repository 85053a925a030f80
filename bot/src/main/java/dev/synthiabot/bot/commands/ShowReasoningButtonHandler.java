package dev.synthiabot.bot.commands;

import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.reply.MessageSplitter;
import dev.synthiabot.bot.reply.OutputText;
import dev.synthiabot.bot.reply.ReplyButton;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.function.Function;
import net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent;
import net.dv8tion.jda.api.interactions.InteractionHook;

/**
 * The Show reasoning (or English original) button under a finished answer: whoever presses it gets, privately, the
 * whole text the model wrote — its reasoning and answer, in English — split like answers. The text is kept by the
 * message it is under, so the button works after a restart too (for as long as the bot keeps it).
 */
public final class ShowReasoningButtonHandler implements ButtonHandler {
    private final Function<String, Optional<String>> wholeText;
    private final Executor storage;
    private final MessageSplitter splitter = new MessageSplitter();

    /**
     * @param wholeText the model's whole text behind a message of the bot's, by its id
     * @param storage runs the database read, off JDA's threads
     */
    public ShowReasoningButtonHandler(Function<String, Optional<String>> wholeText, Executor storage) {
        this.wholeText = wholeText;
        this.storage = storage;
    }

    @Override
    public String idPrefix() {
        return ReplyButton.ORIGINAL_ID;
    }

    @Override
    public void handle(ButtonInteractionEvent event, String argument) {
        Texts texts = Texts.forLocale(event.getUserLocale().getLocale());
        String messageId = event.getMessageId();
        event.deferReply(true).queue();
        InteractionHook hook = event.getHook();
        storage.execute(() -> {
            List<String> parts = wholeText.apply(messageId).map(t -> splitter.split(OutputText.clean(t))).filter(p -> !p.isEmpty())
                .orElse(List.of(texts.reasoningGone()));
            hook.editOriginal(parts.get(0)).queue();
            for (String part : parts.subList(1, parts.size())) hook.sendMessage(part).setEphemeral(true).queue();
        });
    }
}
