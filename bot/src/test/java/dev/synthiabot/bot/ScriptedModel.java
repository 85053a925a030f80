package dev.synthiabot.bot;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.synthiabot.adapter.CancelFlag;

/**
 * A model that streams a given answer (for tests of what the bot does with specific model output:
 * {@code @everyone}, answers over 2000 characters, code blocks). The Discord side stays real.
 */
final class ScriptedModel implements StreamingChatModel {
    private volatile String answer;
    private final int pieceLength;
    private final long pieceDelayMs;
    /** When each piece was handed to the handler and the handler returned (nanoTime), over all answers. */
    final java.util.List<Long> emittedAt = new java.util.concurrent.CopyOnWriteArrayList<>();

    ScriptedModel(String answer, int pieceLength, long pieceDelayMs) {
        this.answer = answer;
        this.pieceLength = pieceLength;
        this.pieceDelayMs = pieceDelayMs;
    }

    void answer(String answer) {
        this.answer = answer;
    }

    @Override
    public void chat(ChatRequest request, StreamingChatResponseHandler handler) {
        CancelFlag cancelled = new CancelFlag();
        PartialResponseContext ctx = new PartialResponseContext(cancelled);
        String text = answer;
        StringBuilder sent = new StringBuilder();
        for (int i = 0; i < text.length() && !cancelled.isCancelled() && !Thread.currentThread().isInterrupted(); i += pieceLength) {
            String piece = text.substring(i, Math.min(text.length(), i + pieceLength));
            sent.append(piece);
            handler.onPartialResponse(new PartialResponse(piece), ctx);
            emittedAt.add(System.nanoTime());
            try {
                Thread.sleep(pieceDelayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        handler.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from(sent.toString()))
            .finishReason(cancelled.isCancelled() ? FinishReason.OTHER : FinishReason.STOP).build());
    }
}
