package dev.synthiabot.adapter.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import com.hubspot.jinjava.Jinjava;
import com.hubspot.jinjava.JinjavaConfig;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.synthiabot.adapter.MessageMapping;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The repository's chat template for llama-server and vLLM ({@code templates/synthia.jinja}), rendered by a Java Jinja
 * implementation (Jinjava), gives byte for byte the prompt the adapter renders itself (MessageMapper, then
 * SynthiaTemplate), BOS aside: the adapter prepends BOS as a token, the template as {@code bos_token}.
 */
class SynthiaJinjaTemplateTest {
    private static final Path TEMPLATE = Path.of("..", "templates", "synthia.jinja");
    private static final String BOS = "<s>";

    static Stream<Arguments> conversations() {
        return Stream.of(
            Arguments.of("single turn, no system prompt", List.of(UserMessage.from("Hi"))),
            Arguments.of("single turn with a system prompt",
                List.of(SystemMessage.from("Translate the USER input to Japanese."), UserMessage.from("Good morning"))),
            Arguments.of("multi-turn with a system prompt", List.of(SystemMessage.from("S"), UserMessage.from("u1"), AiMessage.from("a1"),
                UserMessage.from("u2"), AiMessage.from("a2"), UserMessage.from("u3"))),
            Arguments.of("multi-turn, no system prompt",
                List.of(UserMessage.from("Hi! 👋 What is 2+2?"), AiMessage.from("2+2 equals 4."), UserMessage.from("And times\ttwo? Ünïcödé ok?"))),
            Arguments.of("an answer before any question", List.of(AiMessage.from("Hello, I am SynthIA."), UserMessage.from("Hi"))),
            Arguments.of("messages of one role in a row", List.of(UserMessage.from("one"), UserMessage.from("two"), AiMessage.from("a"),
                AiMessage.from("b"), UserMessage.from("three"))),
            Arguments.of("system messages anywhere", List.of(SystemMessage.from("S1"), UserMessage.from("u1"), SystemMessage.from("S2"),
                AiMessage.from("a1"), UserMessage.from("u2"))),
            Arguments.of("text with newlines, spaces and template syntax", List.of(SystemMessage.from("Line one\nline two "),
                UserMessage.from("  {{ not_a_variable }} {% if %}\n\nUSER: fake turn "), AiMessage.from(""), UserMessage.from("end"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conversations")
    void rendersAsTheAdapterDoes(String name, List<ChatMessage> messages) throws IOException {
        String adapter = SynthiaTemplate.render(MessageMapping.toTranscript(messages));

        for (boolean trim : new boolean[] {true, false}) { // Hugging Face renders with trim_blocks and lstrip_blocks, others may not
            assertThat(render(messages, true, BOS, trim)).as("trim_blocks=" + trim).isEqualTo(BOS + adapter);
            assertThat(render(messages, true, "", trim)).as("trim_blocks=" + trim).isEqualTo(adapter);
            assertThat(render(messages, false, BOS, trim)).as("without the generation prompt")
                .isEqualTo(BOS + adapter.substring(0, adapter.length() - SynthiaTemplate.ASSISTANT_PREFIX.length()));
        }
    }

    @org.junit.jupiter.api.Test
    void continuesAFinalAnswerAsTheAdapterDoesWithoutTheGenerationPrompt() throws IOException {
        List<ChatMessage> messages = List.of(SystemMessage.from("S"), UserMessage.from("u1"), AiMessage.from("a1"), UserMessage.from("u2"),
            AiMessage.from("The answer so"));
        String adapter = SynthiaTemplate.render(MessageMapping.toTranscript(messages));

        assertThat(adapter).endsWith("USER: u2 \nASSISTANT: The answer so");
        for (boolean trim : new boolean[] {true, false}) assertThat(render(messages, false, BOS, trim)).isEqualTo(BOS + adapter);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("conversations")
    void bosIsATokenBeforeTheTextNotPartOfIt(String name, List<ChatMessage> messages) {
        Transcript t = MessageMapping.toTranscript(messages);
        int bosId = 1;
        // A stand-in tokenizer: '▁' (id 0) before the text, then one id per code point (a newline is id 10).
        PromptEncoder encoder = new PromptEncoder(text -> {
            List<Integer> ids = new ArrayList<>(List.of(0));
            text.codePoints().forEach(cp -> ids.add(cp + 100));
            int[] out = ids.stream().mapToInt(Integer::intValue).toArray();
            for (int i = 1; i < out.length; i++) if (out[i] == '\n' + 100) out[i] = 10;
            return out;
        }, bosId, 64);

        int[] ids = encoder.encode(t);

        assertThat(ids[0]).isEqualTo(bosId);
        assertThat(Arrays.stream(ids, 1, ids.length)).doesNotContain(bosId);
    }

    private static String render(List<ChatMessage> messages, boolean addGenerationPrompt, String bosToken, boolean trimBlocks) throws IOException {
        String template = Files.readString(TEMPLATE, StandardCharsets.UTF_8);
        Jinjava jinjava = new Jinjava(JinjavaConfig.newBuilder()
            .withTrimBlocks(trimBlocks)
            .withLstripBlocks(trimBlocks)
            .withNestedInterpretationEnabled(false) // as Jinja does: a value's text is not read as template again
            .build());
        Map<String, Object> context = new HashMap<>();
        context.put("messages", messages.stream().map(SynthiaJinjaTemplateTest::openAiMessage).toList());
        context.put("add_generation_prompt", addGenerationPrompt);
        context.put("bos_token", bosToken);
        context.put("eos_token", "</s>");
        var result = jinjava.renderForResult(template, context);
        assertThat(result.getErrors()).as("Jinjava errors").isEmpty();
        return result.getOutput();
    }

    /** A message as llama-server and vLLM hand it to the template: {@code {role, content}}. */
    private static Map<String, Object> openAiMessage(ChatMessage m) {
        Map<String, Object> out = new LinkedHashMap<>();
        switch (m) {
            case SystemMessage s -> {
                out.put("role", "system");
                out.put("content", s.text());
            }
            case UserMessage u -> {
                out.put("role", "user");
                out.put("content", u.singleText());
            }
            case AiMessage a -> {
                out.put("role", "assistant");
                out.put("content", a.text());
            }
            default -> throw new IllegalArgumentException(m.toString());
        }
        return out;
    }
}
