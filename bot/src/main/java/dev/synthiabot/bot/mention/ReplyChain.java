package dev.synthiabot.bot.mention;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.MessageReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The conversation memory of a mention: the chain of Discord replies that leads to the message, oldest
 * first. The bot's own messages are the assistant's turns; everyone else's are the user's. The chain is
 * fetched up to {@link #MAX_DEPTH} messages; the model drops the oldest turns that don't fit its window.
 */
public final class ReplyChain {
    private static final Logger log = LoggerFactory.getLogger(ReplyChain.class);
    static final int MAX_DEPTH = 40;

    private ReplyChain() {}

    /**
     * The conversation ending with {@code trigger} (fetches referenced messages over REST: not for JDA threads). The
     * bot's own turns are what the model wrote: {@code original} gives the English behind a translated answer.
     */
    public static List<ChatMessage> of(Message trigger, String selfId, Function<String, Optional<String>> original) {
        List<Message> chain = new ArrayList<>();
        chain.add(trigger);
        Message current = trigger;
        while (chain.size() < MAX_DEPTH) {
            Message parent = parentOf(current);
            if (parent == null) break;
            chain.add(parent);
            current = parent;
        }
        Collections.reverse(chain);
        List<ChatMessage> conversation = new ArrayList<>();
        for (Message m : chain) {
            String text = clean(m.getContentRaw(), selfId);
            if (m.getAuthor().getId().equals(selfId)) {
                conversation.add(AiMessage.from(original.apply(m.getId()).orElse(text)));
            } else if (!text.isBlank()) {
                conversation.add(UserMessage.from(text));
            }
        }
        return conversation;
    }

    private static Message parentOf(Message m) {
        if (m.getReferencedMessage() != null) return m.getReferencedMessage();
        MessageReference ref = m.getMessageReference();
        if (ref == null || ref.getType() != net.dv8tion.jda.api.entities.MessageReference.MessageReferenceType.DEFAULT) return null;
        try {
            return ref.resolve().submit().get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            log.info("Reply chain ends at a message that cannot be fetched ({}): {}", ref.getMessageId(), e.toString());
            return null;
        }
    }

    /** The text without the bot's mention. */
    static String clean(String content, String selfId) {
        return content.replace("<@" + selfId + ">", "").replace("<@!" + selfId + ">", "").strip();
    }
}
