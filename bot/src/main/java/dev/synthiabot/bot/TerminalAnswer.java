package dev.synthiabot.bot;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.data.message.ChatMessage;
import java.io.PrintStream;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One answer in the terminal, through the same LangChain4j streaming chain the bot uses: tokens are written to
 * standard output as they come (the log, with the speed line, goes to standard error).
 */
final class TerminalAnswer {
    private TerminalAnswer() {}

    /** Streams the answer to one question to {@code out}; returns the response, or throws the model's error. */
    static ChatResponse stream(StreamingChatModel model, String system, String question, PrintStream out) throws Exception {
        return stream(model, List.of(SystemMessage.from(system), UserMessage.from(question)), out, new AtomicBoolean());
    }

    /** Streams the answer to a conversation; {@code cancel} set stops it before its next token. */
    static ChatResponse stream(StreamingChatModel model, List<ChatMessage> messages, PrintStream out, AtomicBoolean cancel) throws Exception {
        ChatResponse response = Streamed.chat(model, ChatRequest.builder().messages(messages).build(), (partial, context) -> {
            if (cancel.get()) context.streamingHandle().cancel();
            out.print(partial.text());
            out.flush();
        }).join();
        out.println();
        out.flush();
        return response;
    }
}
