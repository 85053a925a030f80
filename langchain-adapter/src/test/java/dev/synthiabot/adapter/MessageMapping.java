package dev.synthiabot.adapter;

import dev.langchain4j.data.message.ChatMessage;
import dev.synthiabot.adapter.prompt.Transcript;
import java.util.List;

/** The adapter's mapping of LangChain4j messages to SynthIA's conversation, for tests in other packages. */
public final class MessageMapping {
    private MessageMapping() {}

    public static Transcript toTranscript(List<ChatMessage> messages) {
        return MessageMapper.toTranscript(messages);
    }
}
