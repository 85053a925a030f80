package dev.synthiabot.adapter.prompt;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synthiabot.adapter.Fixtures;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SynthiaTemplateTest {

    @Test
    void should_render_single_turn_exactly_as_the_model_card() {
        Transcript t = Transcript.of("Translate the USER input to Japanese.", "Good morning");

        assertThat(SynthiaTemplate.render(t))
            .isEqualTo("SYSTEM: Translate the USER input to Japanese. \nUSER: Good morning \nASSISTANT: ");
    }

    @Test
    void should_render_without_system_prompt() {
        Transcript t = new Transcript(Optional.empty(), List.of(), "Hi");

        assertThat(SynthiaTemplate.render(t)).isEqualTo("USER: Hi \nASSISTANT: ");
    }

    @Test
    void should_append_turns_for_multi_turn_conversations() {
        Transcript t = new Transcript(Optional.of("S"),
            List.of(new Transcript.Exchange("u1", "a1"), new Transcript.Exchange("u2", "a2")), "u3");

        assertThat(SynthiaTemplate.render(t))
            .isEqualTo("SYSTEM: S \nUSER: u1 \nASSISTANT: a1 \nUSER: u2 \nASSISTANT: a2 \nUSER: u3 \nASSISTANT: ");
    }

    @Test
    void should_equal_the_reference_prompts_byte_for_byte() {
        Transcript ask = Transcript.of(Fixtures.TOT, "Is the universe expanding? How is that even possible?");
        Transcript multi = new Transcript(Optional.of(Fixtures.TOT),
            List.of(new Transcript.Exchange("Hi! 👋 What is 2+2?", "2+2 equals 4.")), "And times\ttwo? Ünïcödé ok?");

        assertThat(SynthiaTemplate.render(ask)).isEqualTo(Fixtures.refCase("ask_en").path("prompt").asText());
        assertThat(SynthiaTemplate.render(multi)).isEqualTo(Fixtures.refCase("multi_turn").path("prompt").asText());
    }

    @Test
    void should_render_an_answer_being_continued_with_no_turn_end() {
        Transcript t = new Transcript(Optional.of("S"), List.of(new Transcript.Exchange("u1", "a1")), "u2", Optional.of("The answer so"));

        assertThat(SynthiaTemplate.render(t)).isEqualTo("SYSTEM: S \nUSER: u1 \nASSISTANT: a1 \nUSER: u2 \nASSISTANT: The answer so");
    }

    @Test
    void should_map_a_conversation_that_ends_with_an_answer_to_that_answer_continued() {
        Transcript t = dev.synthiabot.adapter.MessageMapping.toTranscript(List.of(dev.langchain4j.data.message.SystemMessage.from("S"),
            dev.langchain4j.data.message.UserMessage.from("u1"), dev.langchain4j.data.message.AiMessage.from("The answer so")));

        assertThat(t).isEqualTo(new Transcript(Optional.of("S"), List.of(), "u1", Optional.of("The answer so")));
        assertThat(SynthiaTemplate.render(t)).isEqualTo("SYSTEM: S \nUSER: u1 \nASSISTANT: The answer so");
    }

    @Test
    void should_drop_oldest_exchanges_but_keep_system_and_last_user() {
        Transcript t = new Transcript(Optional.of("S"),
            List.of(new Transcript.Exchange("u1", "a1"), new Transcript.Exchange("u2", "a2")), "u3");

        assertThat(SynthiaTemplate.render(t.dropOldest(1))).isEqualTo("SYSTEM: S \nUSER: u2 \nASSISTANT: a2 \nUSER: u3 \nASSISTANT: ");
        assertThat(SynthiaTemplate.render(t.dropOldest(5))).isEqualTo("SYSTEM: S \nUSER: u3 \nASSISTANT: ");
    }
}
