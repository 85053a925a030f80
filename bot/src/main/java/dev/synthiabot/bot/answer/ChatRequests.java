package dev.synthiabot.bot.answer;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import java.util.ArrayList;
import java.util.List;

/** The one way the bot turns a system prompt and a conversation into a chat request (Discord and the terminal alike). */
public final class ChatRequests {
    private ChatRequests() {}

    /** The system prompt, then the conversation's turns in order (the last one the user's). */
    public static ChatRequest of(String system, List<ChatMessage> conversation) {
        List<ChatMessage> messages = new ArrayList<>(conversation.size() + 1);
        messages.add(SystemMessage.from(system));
        messages.addAll(conversation);
        return ChatRequest.builder().messages(messages).build();
    }

    /** One question under a system prompt. */
    public static ChatRequest of(String system, String question) {
        return of(system, List.of(UserMessage.from(question)));
    }
}
