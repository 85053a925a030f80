package dev.synthiabot.bot.answer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReasoningFoldTest {
    /** Feeds the text in pieces of a few characters (as tokens come) and returns every update. */
    static List<ReasoningFold.Update> feed(ReasoningFold fold, String text) {
        List<ReasoningFold.Update> updates = new ArrayList<>();
        for (int i = 0; i < text.length(); i += 3) fold.accept(text.substring(i, Math.min(text.length(), i + 3))).ifPresent(updates::add);
        return updates;
    }

    static String appended(List<ReasoningFold.Update> updates) {
        StringBuilder sb = new StringBuilder();
        updates.stream().filter(u -> u instanceof ReasoningFold.Append).forEach(u -> sb.append(((ReasoningFold.Append) u).text()));
        return sb.toString();
    }

    @Test
    void should_show_the_reasoning_progress_then_stream_only_the_answer() {
        ReasoningFold fold = new ReasoningFold();
        List<ReasoningFold.Update> updates = feed(fold, ReasoningSplitTest.TREE);

        int firstAppend = updates.indexOf(updates.stream().filter(u -> u instanceof ReasoningFold.Append).findFirst().orElseThrow());
        assertThat(updates.subList(0, firstAppend)).isNotEmpty().allMatch(u -> u instanceof ReasoningFold.Reasoning);
        assertThat(((ReasoningFold.Reasoning) updates.get(firstAppend - 1)).words()).isGreaterThan(20);
        assertThat(updates.subList(firstAppend, updates.size())).allMatch(u -> u instanceof ReasoningFold.Append);
        assertThat(appended(updates)).isEqualTo("Kyoto is in the Kansai region of Japan.");
        assertThat(fold.shown()).isEqualTo("Kyoto is in the Kansai region of Japan.");
    }

    @Test
    void should_stream_a_text_without_a_labelled_opening_as_it_comes() {
        ReasoningFold fold = new ReasoningFold();
        String text = "Hello! Kyoto is a city in Japan, famous for its temples.\nAnswer: it is in Kansai.";
        List<ReasoningFold.Update> updates = feed(fold, text);

        assertThat(updates).allMatch(u -> u instanceof ReasoningFold.Append);
        assertThat(appended(updates)).as("once it streams as it comes, a later label changes nothing").isEqualTo(text);
        assertThat(fold.shown()).isEqualTo(text);
    }

    @Test
    void should_give_the_whole_text_when_no_answer_label_comes_even_when_stopped_before_it() {
        ReasoningFold finished = new ReasoningFold();
        feed(finished, "Evolved Thought: the question is a greeting.\nReasoning: greet back.");
        assertThat(finished.shown()).isEqualTo("Evolved Thought: the question is a greeting.\nReasoning: greet back.");

        ReasoningFold stoppedInAnswer = new ReasoningFold();
        feed(stoppedInAnswer, "Reasoning: greet.\nAnswer: Hello th");
        assertThat(stoppedInAnswer.shown()).isEqualTo("Hello th");
    }

    @Test
    void should_take_a_sentence_ending_in_a_colon_for_an_answer_not_a_label() {
        ReasoningFold fold = new ReasoningFold();
        String text = "Here are three reasons why the sky is blue:\n1. Rayleigh scattering.";
        assertThat(feed(fold, text)).allMatch(u -> u instanceof ReasoningFold.Append);
        assertThat(fold.shown()).isEqualTo(text);
    }

    @Test
    void should_stream_an_answer_that_opens_with_its_label() {
        ReasoningFold fold = new ReasoningFold();
        assertThat(appended(feed(fold, "Answer: Yes, it is."))).isEqualTo("Yes, it is.");
    }
}
