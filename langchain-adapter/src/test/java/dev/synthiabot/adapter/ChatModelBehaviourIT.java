package dev.synthiabot.adapter;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.listener.ChatModelErrorContext;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.listener.ChatModelRequestContext;
import dev.langchain4j.model.chat.listener.ChatModelResponseContext;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.synthiabot.adapter.generation.PromptTooLongException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The chat model's behaviour on the tiny model: streaming, KV reuse, cancellation, limits. */
class ChatModelBehaviourIT {

    private static List<ChatMessage> ask(String system, String user) {
        return List.of(SystemMessage.from(system), UserMessage.from(user));
    }

    private static ChatRequest request(List<ChatMessage> messages) {
        return ChatRequest.builder().messages(messages).build();
    }

    /** Collects a streamed answer. */
    static final class Collector implements StreamingChatResponseHandler {
        final List<String> pieces = new CopyOnWriteArrayList<>();
        final CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        volatile int cancelAfter = -1;

        @Override
        public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
            pieces.add(partial.text());
            if (pieces.size() == cancelAfter) context.streamingHandle().cancel();
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            done.complete(response);
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }

        ChatResponse await() throws Exception {
            return done.get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void should_stream_exactly_the_synchronous_answer() throws Exception {
        try (SynthiaChatModel model = TinyModels.f32Greedy().maxOutputTokens(40).build()) {
            List<ChatMessage> conv = ask("Translate the USER input to Japanese.", "Where is the station?");
            ChatResponse sync = model.chat(request(conv));
            Collector c = new Collector();

            model.chat(request(conv), c);
            ChatResponse streamed = c.await();

            assertThat(streamed.aiMessage().text()).isEqualTo(sync.aiMessage().text());
            assertThat(String.join("", c.pieces)).isEqualTo(sync.aiMessage().text());
            assertThat(c.pieces.size()).isGreaterThan(1);
            assertThat(sync.aiMessage().text()).doesNotStartWith(" ");
        }
    }

    @Test
    void should_process_only_the_new_tokens_of_a_follow_up_turn_and_answer_as_if_fresh() {
        List<ChatMessage> turn1 = ask(Fixtures.TOT, "What is a prime number?");
        try (SynthiaChatModel cached = TinyModels.f32Greedy().build();
             SynthiaChatModel fresh = TinyModels.f32Greedy().build()) {
            assertThat(cached.status().forwardPass()).as("the kernels that run: Jlama's for unquantized weights")
                .startsWith("Jlama forward pass (Panama Vector Operations, ").endsWith(" CPUs)");
            ChatResponse first = cached.chat(request(turn1));
            List<ChatMessage> turn2 = new ArrayList<>(turn1);
            turn2.add(first.aiMessage());
            turn2.add(UserMessage.from("And 7?"));

            ChatResponse second = cached.chat(request(turn2));
            // The fresh model answers turn 1 too (so it replays the same answer tokens), then forgets its cache.
            fresh.chat(request(turn1));
            fresh.engine().kvCache().clear();
            ChatResponse reference = fresh.chat(request(turn2));

            SynthiaTokenUsage usage = (SynthiaTokenUsage) second.tokenUsage();
            assertThat(second.aiMessage().text()).isEqualTo(reference.aiMessage().text());
            assertThat(((SynthiaTokenUsage) reference.tokenUsage()).cachedInputTokenCount()).isZero();
            // Everything up to the end of the first answer is reused: only " \nUSER: And 7? \nASSISTANT: " is new,
            // plus the answer's last token, which was sampled but never run through the model (max tokens reached).
            int newTokens = cached.engine().encoder().continuation(" \nUSER: And 7? \nASSISTANT: ").length + 1;
            assertThat(first.finishReason()).isEqualTo(FinishReason.LENGTH);
            assertThat(usage.processedInputTokenCount()).isEqualTo(newTokens);
            assertThat(usage.cachedInputTokenCount()).isEqualTo(usage.inputTokenCount() - newTokens);
        }
    }

    @Test
    void should_continue_an_answer_from_its_kv_cache_as_if_it_had_been_written_in_one_go(@org.junit.jupiter.api.io.TempDir java.nio.file.Path cache) {
        List<ChatMessage> turn = ask(Fixtures.TOT, "Tell me about Rome.");
        try (SynthiaChatModel model = TinyModels.q4Greedy(cache).build(); SynthiaChatModel fresh = TinyModels.q4Greedy(cache).build()) {
            ChatResponse first = model.chat(ChatRequest.builder().messages(turn).maxOutputTokens(10).build());
            assertThat(first.finishReason()).isEqualTo(FinishReason.LENGTH);
            List<ChatMessage> goOn = new ArrayList<>(turn);
            goOn.add(first.aiMessage());

            ChatResponse more = model.chat(ChatRequest.builder().messages(goOn).maxOutputTokens(10).build());
            ChatResponse again = model.chat(ChatRequest.builder().messages(List.of(goOn.get(0), goOn.get(1),
                AiMessage.from(first.aiMessage().text() + more.aiMessage().text()))).maxOutputTokens(10).build());
            ChatResponse inOneGo = fresh.chat(ChatRequest.builder().messages(turn).maxOutputTokens(30).build());

            assertThat(first.aiMessage().text() + more.aiMessage().text() + again.aiMessage().text())
                .as("greedy: continued twice is the same as written at once").isEqualTo(inOneGo.aiMessage().text());
            for (ChatResponse continued : List.of(more, again)) {
                SynthiaTokenUsage usage = (SynthiaTokenUsage) continued.tokenUsage();
                // Only the last token of the part before, sampled but never run through the model, is computed.
                assertThat(usage.processedInputTokenCount()).as("computed prompt tokens").isEqualTo(1);
                assertThat(usage.cachedInputTokenCount()).isEqualTo(usage.inputTokenCount() - 1);
            }
        }
    }

    @Test
    void should_reuse_and_fork_kv_caches_with_our_q4_kernels_exactly_like_fresh_computation(@org.junit.jupiter.api.io.TempDir java.nio.file.Path cache) {
        List<ChatMessage> turn1 = ask(Fixtures.TOT, "What is a prime number?");
        // 8-bit activations (the default): a reused cache runs a follow-up's few new tokens on the matrix-vector kernels
        // where a fresh start runs the whole prompt through the GEMM; the kernels agree bit for bit, so the answers do.
        try (SynthiaChatModel cached = TinyModels.q4Greedy(cache).build();
             SynthiaChatModel fresh = TinyModels.q4Greedy(cache).build()) {
            assertThat(cached.engine().transformer().describe()).startsWith("synthia-bot Q4 kernels");
            ChatResponse first = cached.chat(request(turn1));
            List<ChatMessage> turn2 = new ArrayList<>(turn1);
            turn2.add(first.aiMessage());
            turn2.add(UserMessage.from("And 7?"));
            ChatResponse other = cached.chat(request(ask(Fixtures.TOT, "Something else entirely.")));

            ChatResponse second = cached.chat(request(turn2));
            fresh.chat(request(turn1)); // same greedy answer, so the same replayed answer tokens
            fresh.engine().kvCache().clear();
            ChatResponse reference = fresh.chat(request(turn2));

            assertThat(((SynthiaTokenUsage) reference.tokenUsage()).cachedInputTokenCount()).isZero();
            assertThat(second.aiMessage().text()).isEqualTo(reference.aiMessage().text());
            assertThat(other.aiMessage().text()).isEqualTo(fresh.chat(request(ask(Fixtures.TOT, "Something else entirely."))).aiMessage().text());
            assertThat(((SynthiaTokenUsage) other.tokenUsage()).cachedInputTokenCount()).as("forked system prompt").isPositive();
            assertThat(((SynthiaTokenUsage) second.tokenUsage()).processedInputTokenCount())
                .isEqualTo(cached.engine().encoder().continuation(" \nUSER: And 7? \nASSISTANT: ").length + 1);
        }
    }

    @Test
    void should_reuse_a_seen_system_prompt_for_a_new_conversation_without_losing_the_old_one() {
        try (SynthiaChatModel model = TinyModels.f32Greedy().build();
             SynthiaChatModel fresh = TinyModels.f32Greedy().build()) {
            ChatResponse a = model.chat(request(ask(Fixtures.TOT, "Tell me about whales.")));
            ChatResponse b = model.chat(request(ask(Fixtures.TOT, "Tell me about rockets.")));
            ChatResponse aAgain = model.chat(request(ask(Fixtures.TOT, "Tell me about whales.")));

            int systemTokens = model.engine().encoder().leading("SYSTEM: " + Fixtures.TOT + " ").length + 2; // BOS + newline
            assertThat(((SynthiaTokenUsage) b.tokenUsage()).cachedInputTokenCount()).isGreaterThanOrEqualTo(systemTokens);
            assertThat(b.aiMessage().text()).isEqualTo(fresh.chat(request(ask(Fixtures.TOT, "Tell me about rockets."))).aiMessage().text());
            SynthiaTokenUsage again = (SynthiaTokenUsage) aAgain.tokenUsage();
            assertThat(again.processedInputTokenCount()).as("the first conversation's cache survived the fork").isEqualTo(1);
            assertThat(aAgain.aiMessage().text()).isEqualTo(a.aiMessage().text());
        }
    }

    @Test
    void should_evict_least_recently_used_conversations_to_stay_within_the_budget() {
        long bytesPerToken = 2L * 2 * 32 * 4; // layers * (k,v) * kvLength * float
        long budget = 60 * bytesPerToken; // each conversation below holds about 40 tokens
        try (SynthiaChatModel model = TinyModels.f32Greedy().kvCacheBytes(budget).build()) {
            model.chat(request(ask("Alpha system prompt.", "first conversation")));
            long afterOne = model.engine().kvCache().usedBytes();
            model.chat(request(ask("Beta system prompt, different from the first.", "second conversation")));

            assertThat(model.engine().kvCache().bytesPerToken()).isEqualTo(bytesPerToken);
            assertThat(afterOne).isPositive();
            assertThat(model.engine().kvCache().conversations()).isEqualTo(1);
            assertThat(model.engine().kvCache().usedBytes()).isLessThanOrEqualTo(budget);
        }
    }

    @Test
    void should_stop_within_one_token_when_cancelled() throws Exception {
        try (SynthiaChatModel model = TinyModels.f32Greedy().maxOutputTokens(200).build()) {
            Collector c = new Collector();
            c.cancelAfter = 1;

            model.chat(request(ask("S", "Write a long story.")), c);
            ChatResponse r = c.await();

            assertThat(c.pieces).hasSize(1);
            assertThat(r.finishReason()).isEqualTo(FinishReason.OTHER);
            assertThat(r.tokenUsage().outputTokenCount()).isLessThanOrEqualTo(3); // tokens that produced piece 1, no more
            assertThat(r.aiMessage().text()).isEqualTo(c.pieces.get(0));
        }
    }

    @Test
    void should_batch_concurrent_callers_and_give_each_its_own_answer() throws Exception {
        try (SynthiaChatModel model = TinyModels.f32Greedy().build()) {
            List<String> questions = List.of("one", "two", "three", "four");
            List<String> sequential = new ArrayList<>();
            for (String q : questions) sequential.add(model.chat(request(ask("S", q))).aiMessage().text());
            ExecutorService pool = Executors.newFixedThreadPool(4);
            try {
                List<Future<String>> futures = new ArrayList<>();
                for (String q : questions) futures.add(pool.submit(() -> model.chat(request(ask("S", q))).aiMessage().text()));
                for (int i = 0; i < questions.size(); i++) {
                    assertThat(futures.get(i).get(60, TimeUnit.SECONDS)).isEqualTo(sequential.get(i));
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void should_drop_the_oldest_turns_to_fit_the_context_window() {
        try (SynthiaChatModel model = TinyModels.f32Greedy().contextWindow(160).maxOutputTokens(16).build()) {
            List<ChatMessage> conv = new ArrayList<>();
            conv.add(SystemMessage.from("Keep me."));
            for (int i = 0; i < 10; i++) {
                conv.add(UserMessage.from("Question number " + i + " is about the history of the Roman empire?"));
                conv.add(AiMessage.from("Answer number " + i + " talks about emperors and legions."));
            }
            conv.add(UserMessage.from("Last question?"));

            String prompt = Internals.renderPrompt(model, conv);
            ChatResponse r = model.chat(request(conv));

            assertThat(prompt).startsWith("SYSTEM: Keep me. \nUSER: ").endsWith("USER: Last question? \nASSISTANT: ");
            assertThat(prompt).doesNotContain("number 0 ").contains("number 9 ");
            assertThat(r.tokenUsage().inputTokenCount() + 16).isLessThanOrEqualTo(160);
        }
    }

    @Test
    void should_reject_a_single_message_longer_than_the_window_with_a_clear_error() {
        try (SynthiaChatModel model = TinyModels.f32Greedy().contextWindow(64).build()) {
            List<ChatMessage> conv = ask("S", "word ".repeat(200));

            assertThatThrownBy(() -> model.chat(request(conv)))
                .isInstanceOf(PromptTooLongException.class)
                .hasMessageContaining("context window is 64 tokens");
            Collector c = new Collector();
            model.chat(request(conv), c);
            assertThat(c.done).isCompletedExceptionally();
        }
    }

    @Test
    void should_fire_listeners_on_request_response_and_error() {
        List<String> events = new CopyOnWriteArrayList<>();
        ChatModelListener listener = new ChatModelListener() {
            @Override
            public void onRequest(ChatModelRequestContext ctx) {
                events.add("request:" + ctx.chatRequest().parameters().temperature());
            }

            @Override
            public void onResponse(ChatModelResponseContext ctx) {
                events.add("response:" + ctx.chatResponse().finishReason());
            }

            @Override
            public void onError(ChatModelErrorContext ctx) {
                events.add("error:" + ctx.error().getClass().getSimpleName());
            }
        };
        try (SynthiaChatModel model = TinyModels.f32Greedy().contextWindow(64).listeners(List.of(listener)).build()) {
            model.chat(request(ask("S", "hi")));
            assertThatThrownBy(() -> model.chat(request(ask("S", "word ".repeat(200))))).isInstanceOf(PromptTooLongException.class);

            assertThat(events).containsExactly("request:0.0", "response:LENGTH", "request:0.0", "error:PromptTooLongException");
        }
    }

    @Test
    void should_expose_model_card_sampling_defaults() {
        try (SynthiaChatModel model = SynthiaChatModel.builder().modelPath(Fixtures.tinyModel()).quantize(false).build()) {
            assertThat(model.defaultRequestParameters().temperature()).isEqualTo(0.75);
            assertThat(model.defaultRequestParameters().topK()).isEqualTo(50);
            assertThat(model.defaultRequestParameters().topP()).isEqualTo(1.0);
            assertThat(model.defaultRequestParameters().maxOutputTokens()).isEqualTo(512);
        }
    }
}
