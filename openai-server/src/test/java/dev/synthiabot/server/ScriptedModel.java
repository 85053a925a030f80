package dev.synthiabot.server;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.output.FinishReason;
import dev.synthiabot.adapter.SynthiaTokenUsage;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A {@link StreamingChatModel} that plays a script, on the calling thread as {@code SynthiaChatModel} does: its pieces,
 * each after a delay, then (when {@code hold}) waits until {@link #release()}, then completes with the script's finish
 * reason and a {@link SynthiaTokenUsage}; or fails with the script's error at once. A cancel through the
 * {@link StreamingHandle} of its partial responses, or an interrupt, ends it before its next piece with
 * {@link FinishReason#OTHER}, as the adapter does. Every wait is bounded.
 */
final class ScriptedModel implements StreamingChatModel {

    /** How one answer goes. */
    record Script(List<String> pieces, Duration delay, boolean hold, FinishReason finish, Supplier<RuntimeException> error) {
        static Script answer(String... pieces) {
            return new Script(List.of(pieces), Duration.ZERO, false, FinishReason.STOP, null);
        }

        static Script failing(Supplier<RuntimeException> error) {
            return new Script(List.of(), Duration.ZERO, false, FinishReason.STOP, error);
        }

        /** {@code count} pieces {@code "tok "}, one every {@code delay}: a long answer that runs until cancelled. */
        static Script endless(int count, Duration delay) {
            return new Script(java.util.Collections.nCopies(count, "tok "), delay, false, FinishReason.LENGTH, null);
        }

        Script held() {
            return new Script(pieces, delay, true, finish, error);
        }

        Script finishing(FinishReason reason) {
            return new Script(pieces, delay, hold, reason, error);
        }
    }

    /** One call of the model, as the tests see it. */
    static final class Call {
        final ChatRequest request;
        final AtomicBoolean cancelled = new AtomicBoolean();
        final AtomicBoolean finished = new AtomicBoolean();
        final AtomicInteger piecesSent = new AtomicInteger();

        Call(ChatRequest request) {
            this.request = request;
        }
    }

    static final int PROMPT_TOKENS = 11;
    static final int CACHED_TOKENS = 4;
    private static final long MAX_HOLD_MILLIS = 30_000;

    private volatile Script script;
    private final CountDownLatch released = new CountDownLatch(1);
    final List<Call> calls = new CopyOnWriteArrayList<>();

    ScriptedModel(Script script) {
        this.script = script;
    }

    void script(Script script) {
        this.script = script;
    }

    /** Lets every held answer (now and later) complete. */
    void release() {
        released.countDown();
    }

    Call lastCall() {
        return calls.get(calls.size() - 1);
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        Script s = script;
        Call call = new Call(request);
        calls.add(call);
        try {
            if (s.error() != null) {
                handler.onError(s.error().get());
                return;
            }
            StreamingHandle handle = new StreamingHandle() {
                @Override
                public void cancel() {
                    call.cancelled.set(true);
                }

                @Override
                public boolean isCancelled() {
                    return call.cancelled.get();
                }
            };
            PartialResponseContext context = new PartialResponseContext(handle);
            StringBuilder text = new StringBuilder();
            for (String piece : s.pieces()) {
                if (stopped(call)) {
                    complete(handler, call, text, FinishReason.OTHER);
                    return;
                }
                if (!s.delay().isZero() && !sleep(s.delay())) {
                    call.cancelled.set(true);
                    complete(handler, call, text, FinishReason.OTHER);
                    return;
                }
                if (stopped(call)) {
                    complete(handler, call, text, FinishReason.OTHER);
                    return;
                }
                text.append(piece);
                call.piecesSent.incrementAndGet();
                handler.onPartialResponse(new PartialResponse(piece), context);
            }
            if (s.hold()) {
                long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(MAX_HOLD_MILLIS);
                while (!stopped(call) && System.nanoTime() < deadline) {
                    try {
                        if (released.await(10, TimeUnit.MILLISECONDS)) break;
                    } catch (InterruptedException e) {
                        call.cancelled.set(true);
                        break;
                    }
                }
                if (stopped(call)) {
                    complete(handler, call, text, FinishReason.OTHER);
                    return;
                }
            }
            complete(handler, call, text, s.finish());
        } finally {
            call.finished.set(true);
        }
    }

    private static boolean stopped(Call call) {
        if (Thread.currentThread().isInterrupted()) call.cancelled.set(true);
        return call.cancelled.get();
    }

    private static boolean sleep(Duration d) {
        try {
            Thread.sleep(d);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    private static void complete(StreamingChatResponseHandler handler, Call call, CharSequence text, FinishReason reason) {
        handler.onCompleteResponse(ChatResponse.builder()
            .aiMessage(AiMessage.from(text.toString()))
            .metadata(ChatResponseMetadata.builder()
                .finishReason(reason)
                .tokenUsage(new SynthiaTokenUsage(PROMPT_TOKENS, CACHED_TOKENS, call.piecesSent.get()))
                .build())
            .build());
    }
}
