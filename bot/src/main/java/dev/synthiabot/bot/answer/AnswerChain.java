package dev.synthiabot.bot.answer;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * An answer in the asker's language, the one way Discord and the terminal ask the model. SynthIA reasons and answers
 * best in English, even when told to answer in another language; its English answer, sent through a translation
 * prompt, comes back in that language. So: the model's answer to the request, then — when the answer is to be given
 * in a translation language — that answer (the part after its reasoning, {@link ReasoningSplit}) translated with the
 * language's prompt, as a second chat request. Both steps stream, and a stop cancels whichever is running before
 * its next token.
 */
public final class AnswerChain {
    private final StreamingChatModel model;

    public AnswerChain(StreamingChatModel model) {
        this.model = model;
    }

    /** Where the pieces go: the answer's (shown as it comes when there is no translation), then the translation's. */
    public record Listener(Consumer<String> answerPiece, Consumer<String> translationPiece) {}

    /** One step's response and its times: until its first token (the prompt), and from there to its end (decode). */
    public record Step(ChatResponse response, long promptNanos, long decodeNanos) {
        public String text() {
            return response.aiMessage().text() == null ? "" : response.aiMessage().text();
        }
    }

    /** The model's answer, and its translation when there was a step for it (none when it was stopped before). */
    public record Result(Step answer, Optional<Step> translation) {
        /** The answer as the model wrote it (the conversation's turn: what a follow-up builds on). */
        public String answerText() {
            return answer.text();
        }
    }

    /**
     * Runs the steps on the calling thread.
     *
     * @param translationPrompt the target language's translation prompt, or empty to answer as the model writes
     * @param stop true once the answer should end (cancel, timeout, shutdown): the running step is cancelled
     * @param timeout for both steps together
     * @throws ExecutionException the model failed (its error is the cause)
     */
    public Result run(ChatRequest request, Optional<String> translationPrompt, Listener listener, BooleanSupplier stop, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Step answer = step(request, listener.answerPiece(), stop, deadline);
        if (translationPrompt.isEmpty() || stop.getAsBoolean() || answer.text().isBlank()) return new Result(answer, Optional.empty());
        // The answer part is translated, not the reasoning before it: the asker gets the answer in their language,
        // and the reasoning stays available in the model's own words.
        String toTranslate = ReasoningSplit.of(answer.text()).answerOrAll();
        Step translation = step(ChatRequests.of(translationPrompt.get(), toTranslate), listener.translationPiece(), stop, deadline);
        return new Result(answer, Optional.of(translation));
    }

    private Step step(ChatRequest request, Consumer<String> pieces, BooleanSupplier stop, long deadline)
            throws InterruptedException, ExecutionException, TimeoutException {
        long started = System.nanoTime();
        long[] firstToken = {0};
        ChatResponse response = Streamed.chat(model, request, (partial, context) -> {
            if (firstToken[0] == 0) firstToken[0] = System.nanoTime();
            if (stop.getAsBoolean()) context.streamingHandle().cancel();
            pieces.accept(partial.text());
        }).get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        long ended = System.nanoTime();
        return firstToken[0] == 0 ? new Step(response, ended - started, 0) : new Step(response, firstToken[0] - started, ended - firstToken[0]);
    }
}
