package dev.synthiabot.bot.terminal;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.synthiabot.bot.answer.ChatRequests;
import dev.synthiabot.bot.answer.Streamed;
import java.io.PrintStream;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One answer in the terminal, through the same LangChain4j streaming chain the bot uses: tokens are written to
 * standard output as they come (the log, with the speed line, goes to standard error).
 */
public final class TerminalAnswer {
    private TerminalAnswer() {}

    /** Streams the answer to one question to {@code out}; returns the response, or throws the model's error. */
    public static ChatResponse stream(StreamingChatModel model, String system, String question, PrintStream out) {
        return stream(model, ChatRequests.of(system, question), out, new AtomicBoolean());
    }

    /** Streams the answer to a request; {@code cancel} set stops it before its next token. */
    static ChatResponse stream(StreamingChatModel model, ChatRequest request, PrintStream out, AtomicBoolean cancel) {
        ChatResponse response = Streamed.chat(model, request, (partial, context) -> {
            if (cancel.get()) context.streamingHandle().cancel();
            out.print(partial.text());
            out.flush();
        }).join();
        out.println();
        out.flush();
        return response;
    }
}
