package dev.synthiabot.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Several answers generated together on our Q4 kernels (8-bit activations) give, token for token, what each gives
 * alone: greedy answers to prompts of different lengths (one across the KV cache's 256-position pages), with different
 * lengths of answer, joining and leaving the batch at different steps; a cancel of one leaves the others unchanged.
 */
class BatchedGenerationIT {
    @TempDir
    static Path cache;

    private record Question(String system, String user, int maxTokens) {
        ChatRequest request() {
            List<ChatMessage> messages = List.of(SystemMessage.from(system), UserMessage.from(user));
            return ChatRequest.builder().messages(messages).maxOutputTokens(maxTokens).build();
        }
    }

    private static final String LONG_SYSTEM = (Fixtures.TOT + " ").repeat(4); // several hundred tokens: crosses a KV page

    private static final List<Question> QUESTIONS = List.of(
        new Question(Fixtures.TOT, "What is a prime number?", 40),
        new Question("Translate the USER input to Japanese.", "Where is the station?", 12),
        new Question(LONG_SYSTEM, "Summarize all of that.", 30),
        new Question(Fixtures.TOT, "And what is a composite number, then, in a few words?", 25),
        new Question("S", "one", 50),
        new Question(LONG_SYSTEM, "A different question about the same long instructions.", 18));

    private static List<ChatResponse> solo() {
        List<ChatResponse> out = new ArrayList<>();
        try (SynthiaChatModel model = TinyModels.q4Greedy(cache).maxConcurrent(1).build()) {
            for (Question q : QUESTIONS) out.add(model.chat(q.request()));
        }
        return out;
    }

    @Test
    void should_give_every_answer_batched_exactly_the_tokens_it_gets_alone() throws Exception {
        List<ChatResponse> solo = solo();
        try (SynthiaChatModel model = TinyModels.q4Greedy(cache).maxConcurrent(4).build()) {
            ExecutorService callers = Executors.newFixedThreadPool(QUESTIONS.size());
            AtomicInteger mostRunning = new AtomicInteger();
            try {
                List<CompletableFuture<ChatResponse>> batched = new ArrayList<>();
                for (int i = 0; i < QUESTIONS.size(); i++) {
                    Question q = QUESTIONS.get(i);
                    int delay = 3 * i; // joining at different steps
                    batched.add(CompletableFuture.supplyAsync(() -> {
                        sleep(delay);
                        return model.chat(q.request());
                    }, callers));
                }
                while (!CompletableFuture.allOf(batched.toArray(CompletableFuture[]::new)).isDone()) {
                    mostRunning.accumulateAndGet(model.engine().running(), Math::max);
                    Thread.onSpinWait();
                }
                for (int i = 0; i < QUESTIONS.size(); i++) {
                    ChatResponse b = batched.get(i).get(60, TimeUnit.SECONDS);
                    assertThat(b.aiMessage().text()).as("answer %d", i).isEqualTo(solo.get(i).aiMessage().text());
                    assertThat(b.tokenUsage().outputTokenCount()).as("tokens of answer %d", i).isEqualTo(solo.get(i).tokenUsage().outputTokenCount());
                    assertThat(b.tokenUsage().inputTokenCount()).isEqualTo(solo.get(i).tokenUsage().inputTokenCount());
                }
            } finally {
                callers.shutdownNow();
            }
            assertThat(mostRunning.get()).as("answers generated together at some step").isBetween(2, 4);
        }
    }

    @Test
    void should_leave_the_other_answers_unchanged_when_one_is_cancelled() throws Exception {
        List<ChatResponse> solo = solo();
        try (SynthiaChatModel model = TinyModels.q4Greedy(cache).maxConcurrent(3).build()) {
            ChatModelBehaviourIT.Collector cancelled = new ChatModelBehaviourIT.Collector();
            cancelled.cancelAfter = 3;
            ChatModelBehaviourIT.Collector first = new ChatModelBehaviourIT.Collector(), fifth = new ChatModelBehaviourIT.Collector();
            ExecutorService callers = Executors.newFixedThreadPool(3);
            try {
                callers.submit(() -> model.chat(QUESTIONS.get(0).request(), first));
                callers.submit(() -> model.chat(QUESTIONS.get(4).request(), cancelled));
                callers.submit(() -> model.chat(QUESTIONS.get(4).request(), fifth));

                ChatResponse c = cancelled.await();
                assertThat(c.finishReason()).isEqualTo(FinishReason.OTHER);
                assertThat(cancelled.pieces).hasSize(3);
                assertThat(c.aiMessage().text()).isEqualTo(String.join("", cancelled.pieces).strip());
                assertThat(first.await().aiMessage().text()).isEqualTo(solo.get(0).aiMessage().text());
                assertThat(fifth.await().aiMessage().text()).isEqualTo(solo.get(4).aiMessage().text());
                assertThat(String.join("", fifth.pieces)).isEqualTo(solo.get(4).aiMessage().text());
            } finally {
                callers.shutdownNow();
            }
        }
    }

    private static void sleep(int millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
