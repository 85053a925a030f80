package dev.synthiabot.adapter;

import dev.langchain4j.data.message.ChatMessage;
import java.util.List;

/** The reference conversations, for tests in other packages. */
public final class ReferenceGenerationITAccess {
    private ReferenceGenerationITAccess() {}

    public static List<ChatMessage> conversation(String name) {
        return ReferenceGenerationIT.CONVERSATIONS.get(name);
    }
}
