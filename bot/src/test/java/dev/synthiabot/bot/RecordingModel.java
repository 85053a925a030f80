package dev.synthiabot.bot;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Passes requests to a real model and records them, so tests can check the prompt the model received. */
final class RecordingModel implements StreamingChatModel {
    private final StreamingChatModel delegate;
    final List<ChatRequest> requests = new CopyOnWriteArrayList<>();

    RecordingModel(StreamingChatModel delegate) {
        this.delegate = delegate;
    }

    @Override
    public void chat(ChatRequest request, StreamingChatResponseHandler handler) {
        requests.add(request);
        delegate.chat(request, handler);
    }
}
