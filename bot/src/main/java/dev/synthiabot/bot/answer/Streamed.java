package dev.synthiabot.bot.answer;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.util.concurrent.CompletableFuture;

/** One streamed answer as a future: each piece goes to {@code onPiece}, the end (or the error) completes the future. */
public final class Streamed {
    public interface Pieces {
        void accept(PartialResponse partial, PartialResponseContext context);
    }

    private Streamed() {}

    public static CompletableFuture<ChatResponse> chat(StreamingChatModel model, ChatRequest request, Pieces onPiece) {
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat(request, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                onPiece.accept(partial, context);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        return done;
    }
}
