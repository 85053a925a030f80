package dev.synthiabot.bot;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.synthiabot.adapter.CancelFlag;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A model that answers by its system prompt (one text for the translation prompt, another for any other), streamed a
 * word at a time with a delay, and records every request: what a test of the answer-then-translate chain needs.
 */
final class PromptedModel implements StreamingChatModel {
    private final Map<String, String> bySystemPrompt;
    private final String otherwise;
    private final long wordDelayMs;
    final List<ChatRequest> requests = new CopyOnWriteArrayList<>();

    PromptedModel(Map<String, String> bySystemPrompt, String otherwise, long wordDelayMs) {
        this.bySystemPrompt = bySystemPrompt;
        this.otherwise = otherwise;
        this.wordDelayMs = wordDelayMs;
    }

    @Override
    public void chat(ChatRequest request, StreamingChatResponseHandler handler) {
        requests.add(request);
        String system = request.messages().get(0) instanceof SystemMessage s ? s.text() : "";
        String text = bySystemPrompt.getOrDefault(system, otherwise);
        CancelFlag cancelled = new CancelFlag();
        PartialResponseContext ctx = new PartialResponseContext(cancelled);
        StringBuilder sent = new StringBuilder();
        for (String word : text.split("(?<= )")) {
            if (cancelled.isCancelled() || Thread.currentThread().isInterrupted()) break;
            sent.append(word);
            handler.onPartialResponse(new PartialResponse(word), ctx);
            try {
                Thread.sleep(wordDelayMs);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        handler.onCompleteResponse(ChatResponse.builder().aiMessage(AiMessage.from(sent.toString()))
            .finishReason(cancelled.isCancelled() ? FinishReason.OTHER : FinishReason.STOP).build());
    }
}
