package dev.synthiabot.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.exception.ModelNotFoundException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiTokenUsage;
import dev.langchain4j.model.output.FinishReason;
import dev.synthiabot.server.ScriptedModel.Script;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Answers read through LangChain4j's own OpenAI client, as any OpenAI-compatible client would read them. */
class OpenAiClientTest {
    private final ScriptedModel model = new ScriptedModel(Script.answer("Hello", ", ", "world", "!"));
    private final Harness h = new Harness(model);

    @AfterEach
    void stop() {
        h.close();
    }

    private OpenAiChatModel.OpenAiChatModelBuilder client() {
        return OpenAiChatModel.builder().baseUrl(h.baseUrl()).apiKey("unused").modelName(Harness.MODEL_ID)
            .timeout(Duration.ofSeconds(30)).maxRetries(0);
    }

    @Test
    void answersAWholeCompletion() {
        ChatResponse r = client().build().chat(UserMessage.from("Hi"));

        assertThat(r.aiMessage().text()).isEqualTo("Hello, world!");
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        assertThat(r.metadata().modelName()).isEqualTo(Harness.MODEL_ID);
        OpenAiTokenUsage usage = (OpenAiTokenUsage) r.tokenUsage();
        assertThat(usage.inputTokenCount()).isEqualTo(ScriptedModel.PROMPT_TOKENS);
        assertThat(usage.outputTokenCount()).isEqualTo(4);
        assertThat(usage.totalTokenCount()).isEqualTo(ScriptedModel.PROMPT_TOKENS + 4);
        assertThat(usage.inputTokensDetails().cachedTokens()).isEqualTo(ScriptedModel.CACHED_TOKENS);
    }

    @Test
    void streamsTheAnswerInPieces() throws Exception {
        List<String> pieces = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = h.stream(pieces);
        ChatResponse r = done.get(30, TimeUnit.SECONDS);

        assertThat(pieces).containsExactly("Hello", ", ", "world", "!");
        assertThat(r.aiMessage().text()).isEqualTo("Hello, world!");
        assertThat(r.finishReason()).isEqualTo(FinishReason.STOP);
        OpenAiTokenUsage usage = (OpenAiTokenUsage) r.tokenUsage();
        assertThat(usage.inputTokenCount()).isEqualTo(ScriptedModel.PROMPT_TOKENS);
        assertThat(usage.outputTokenCount()).isEqualTo(4);
        assertThat(usage.inputTokensDetails().cachedTokens()).isEqualTo(ScriptedModel.CACHED_TOKENS);
    }

    @Test
    void reportsALengthFinish() {
        model.script(Script.answer("cut").finishing(FinishReason.LENGTH));
        assertThat(client().build().chat(UserMessage.from("Hi")).finishReason()).isEqualTo(FinishReason.LENGTH);
    }

    @Test
    void passesTheConversationAndSamplingParametersToTheModel() {
        client().temperature(0.3).topP(0.9).maxTokens(7).stop(List.of("END", "\n\n")).seed(42).user("someone").build()
            .chat(ChatRequest.builder()
                .messages(SystemMessage.from("Be brief."), UserMessage.from("Hi"), AiMessage.from("Hello!"), UserMessage.from("How are you?"))
                .build());

        ChatRequest seen = model.lastCall().request;
        assertThat(seen.messages()).containsExactly(
            SystemMessage.from("Be brief."), UserMessage.from("Hi"), AiMessage.from("Hello!"), UserMessage.from("How are you?"));
        ChatRequestParameters p = seen.parameters();
        assertThat(p.temperature()).isEqualTo(0.3);
        assertThat(p.topP()).isEqualTo(0.9);
        assertThat(p.maxOutputTokens()).isEqualTo(7);
        assertThat(p.stopSequences()).containsExactly("END", "\n\n");
    }

    @Test
    void anUnknownModelIsNotFound() {
        assertThatThrownBy(() -> client().modelName("gpt-4o").build().chat(UserMessage.from("Hi")))
            .isInstanceOf(ModelNotFoundException.class)
            .hasMessageContaining("model_not_found");
    }

    @Test
    void aPromptOverTheContextWindowIsAnInvalidRequest() {
        model.script(Script.failing(() -> new InvalidRequestException(
            "The prompt is 5000 tokens (system prompt and the last message, without history), but the context window is 4096 tokens "
                + "with 512 kept for the answer: shorten the message or the system prompt.")));

        assertThatThrownBy(() -> client().build().chat(UserMessage.from("Hi")))
            .isInstanceOf(InvalidRequestException.class)
            .hasMessageContaining("context_length_exceeded")
            .hasMessageContaining("5000 tokens");
    }
}
