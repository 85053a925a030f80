package dev.synthiabot.server;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import java.util.concurrent.BlockingDeque;
import java.util.concurrent.LinkedBlockingDeque;

/**
 * One answer from a {@link StreamingChatModel}, its callbacks turned into events that the request's thread takes in
 * order ({@link #next()}). The model is called on a virtual thread of its own, so that a model that streams on the
 * calling thread (as {@code SynthiaChatModel} does) and one that calls back from elsewhere look the same.
 *
 * <p>{@link #cancel()} stops the model before its next token: through the {@link StreamingHandle} of the first
 * partial response when there was one, else by interrupting the calling thread (which {@code SynthiaChatModel} takes
 * as a cancel while it waits for a place or works through the prompt).
 */
final class Answer implements StreamingChatResponseHandler {

    sealed interface Event permits Piece, Done, Failed, Forced {}

    /** A piece of the answer's text. */
    record Piece(String text) implements Event {}

    /** The model finished: its whole response. */
    record Done(ChatResponse response) implements Event {}

    /** The model failed (before or during the answer). */
    record Failed(Throwable error) implements Event {}

    /** The server ends the answer now (drain past its grace): it goes out as cut short. */
    record Forced() implements Event {}

    private final BlockingDeque<Event> events = new LinkedBlockingDeque<>();
    private volatile StreamingHandle handle;
    private volatile boolean cancelled;
    private volatile boolean finished;
    private volatile Thread caller;

    /** Calls the model for {@code request} on a new virtual thread. */
    void start(StreamingChatModel model, ChatRequest request) {
        caller = Thread.ofVirtual().name("openai-answer").start(() -> {
            try {
                model.chat(request, this);
            } catch (Throwable t) {
                onError(t);
            }
        });
    }

    /** The next event, waiting for it. */
    Event next() throws InterruptedException {
        return events.takeFirst();
    }

    /** The next event within {@code timeout}, or null. */
    Event next(java.time.Duration timeout) throws InterruptedException {
        return events.pollFirst(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
    }

    /**
     * Ends the answer at the server's word: {@link #next()} gives {@link Forced} after the pieces the model has already
     * sent (they are part of the answer so far), and whatever the model sends afterwards is not used.
     */
    void force() {
        events.addLast(new Forced());
    }

    /** Stops the model's work on this answer before its next token; nothing it sends afterwards is used. */
    void cancel() {
        if (cancelled || finished) return;
        cancelled = true;
        StreamingHandle h = handle;
        if (h != null) {
            h.cancel();
        } else {
            Thread t = caller;
            if (t != null && !finished) t.interrupt();
        }
    }

    boolean cancelled() {
        return cancelled;
    }

    @Override
    public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
        if (handle == null && context != null) {
            handle = context.streamingHandle();
            if (cancelled) handle.cancel();
        }
        events.addLast(new Piece(partial.text()));
    }

    @Override
    public void onPartialResponse(String text) {
        events.addLast(new Piece(text));
    }

    @Override
    public void onCompleteResponse(ChatResponse response) {
        finished = true;
        events.addLast(new Done(response));
    }

    @Override
    public void onError(Throwable error) {
        finished = true;
        events.addLast(new Failed(error));
    }
}
