package dev.synthiabot.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.synthiabot.adapter.generation.TokenBytes;
import dev.synthiabot.adapter.prompt.Transcript;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The unquantized tiny model against Hugging Face's reference: token ids and greedy continuations. */
class ReferenceGenerationIT {
    private static SynthiaChatModel model;

    /** The four reference prompts as LangChain4j conversations. */
    static final Map<String, List<ChatMessage>> CONVERSATIONS = Map.of(
        "ask_en", List.of(SystemMessage.from(Fixtures.TOT), UserMessage.from("Is the universe expanding? How is that even possible?")),
        "ask_ja", List.of(SystemMessage.from(Fixtures.TOT + " Answer in Japanese."),
            UserMessage.from("バイオエンジニアリングの勉強をしたいです。どのような順番で勉強していけばいいですか？")),
        "translate_ja", List.of(SystemMessage.from("Translate the USER input to Japanese."),
            UserMessage.from("First, I will consider the reasons why I feel tired in the mornings.")),
        "multi_turn", List.of(SystemMessage.from(Fixtures.TOT), UserMessage.from("Hi! 👋 What is 2+2?"),
            AiMessage.from("2+2 equals 4."), UserMessage.from("And times\ttwo? Ünïcödé ok?")));

    @BeforeAll
    static void load() {
        model = TinyModels.f32Greedy().build();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    static List<String> cases() {
        return Fixtures.caseNames();
    }

    @ParameterizedTest
    @MethodSource("cases")
    void should_render_the_reference_prompt(String name) {
        assertThat(Internals.renderPrompt(model, CONVERSATIONS.get(name))).isEqualTo(Fixtures.refCase(name).path("prompt").asText());
    }

    @ParameterizedTest
    @MethodSource("cases")
    void should_tokenize_exactly_like_hugging_face(String name) {
        int[] ids = model.engine().encoder().encode(MessageMapperAccess.transcript(CONVERSATIONS.get(name)));

        assertThat(ids).containsExactly(Fixtures.ints(Fixtures.refCase(name).path("input_ids")));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void should_generate_the_reference_greedy_tokens_through_the_chat_model_api(String name) {
        JsonNode ref = Fixtures.refCase(name);

        ChatResponse response = model.chat(ChatRequest.builder().messages(CONVERSATIONS.get(name)).build());

        String expected = decode(Fixtures.ints(ref.path("greedy_24")));
        assertThat(response.aiMessage().text()).isEqualTo(expected.strip());
        assertThat(response.aiMessage().text()).isEqualTo(ref.path("greedy_24_text").asText().strip());
        assertThat(response.finishReason()).isEqualTo(FinishReason.LENGTH);
        assertThat(response.tokenUsage().outputTokenCount()).isEqualTo(24);
        assertThat(response.tokenUsage().inputTokenCount()).isEqualTo(ref.path("input_ids").size());
    }

    @Test
    void should_round_trip_japanese_emoji_tabs_and_accents_through_byte_decoding() {
        String text = "バイオエンジニアリング 👋\tÜnïcödé 🇯🇵 終わり";
        int[] ids = model.engine().encoder().continuation(text);

        assertThat(java.util.Arrays.stream(ids).anyMatch(id -> id >= 3 && id < 259)).as("byte-fallback tokens are used").isTrue();
        assertThat(decode(ids)).isEqualTo(text);
    }

    static String decode(int[] ids) {
        var tok = model.tokenizer();
        TokenBytes bytes = new TokenBytes(tok.getModel().vocabLookup.inverse(), 32000, id -> tok.getModel().isSpecialToken(id));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int id : ids) out.writeBytes(bytes.of(id));
        return out.toString(StandardCharsets.UTF_8);
    }

    /** Test access to the adapter's message mapping. */
    static final class MessageMapperAccess {
        static Transcript transcript(List<ChatMessage> messages) {
            return MessageMapper.toTranscript(messages);
        }
    }

    @Test
    void should_map_a_conversation_without_system_message() {
        Transcript t = MessageMapperAccess.transcript(List.of(UserMessage.from("a"), UserMessage.from("b")));

        assertThat(t.system()).isEqualTo(Optional.empty());
        assertThat(t.user()).isEqualTo("a\nb");
    }
}
