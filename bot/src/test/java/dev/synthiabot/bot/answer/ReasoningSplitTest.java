package dev.synthiabot.bot.answer;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReasoningSplitTest {
    static final String TREE = """
        Evolved Thought: Kyoto was Japan's capital for over a thousand years.
        Reasoning: Its location follows from the old capital's history.
        Backtracking Thought: No contradiction found.
        Answer: Kyoto is in the Kansai region of Japan.""";

    @Test
    void should_split_at_the_answer_label() {
        ReasoningSplit s = ReasoningSplit.of(TREE);

        assertThat(s.answer()).contains("Kyoto is in the Kansai region of Japan.");
        assertThat(s.reasoning()).startsWith("Evolved Thought:").endsWith("No contradiction found.");
        assertThat(s.folded()).isTrue();
    }

    @Test
    void should_take_the_whole_text_as_the_answer_when_no_label_comes() {
        ReasoningSplit s = ReasoningSplit.of("Hello! How can I help?");

        assertThat(s.answer()).isEmpty();
        assertThat(s.answerOrAll()).isEqualTo("Hello! How can I help?");
        assertThat(s.folded()).isFalse();
    }

    @Test
    void should_accept_the_labels_variants_but_not_a_word_that_starts_like_it() {
        assertThat(ReasoningSplit.of("Thought: x\n**Answer:** yes").answer()).contains("yes");
        assertThat(ReasoningSplit.of("Thought: x\n## Final Answer: yes").answer()).contains("yes");
        assertThat(ReasoningSplit.of("Thought: x\nANSWER: yes").answer()).contains("yes");
        assertThat(ReasoningSplit.of("Answer: only this").folded()).as("an answer with nothing before it folds nothing").isFalse();
        assertThat(ReasoningSplit.of("Answering takes time:\nstill thinking").answer()).isEmpty();
        assertThat(ReasoningSplit.of("The Answer: is not at a line start").answer()).isEmpty();
    }

    @Test
    void should_only_grow_the_answer_as_the_text_is_written_piece_by_piece() {
        List<String> answers = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        for (String piece : TREE.split("(?<=\\s)|(?=:)")) { // pieces that cut "Answer" from its colon, as tokens do
            text.append(piece);
            ReasoningSplit.of(text.toString()).answer().ifPresent(answers::add);
        }

        assertThat(answers).isNotEmpty().last().isEqualTo("Kyoto is in the Kansai region of Japan.");
        for (int i = 1; i < answers.size(); i++) assertThat(answers.get(i)).startsWith(answers.get(i - 1));
        assertThat(answers).noneMatch(a -> a.contains("Answer")).noneMatch(a -> a.startsWith(":"));
        assertThat(ReasoningSplit.of(TREE.substring(0, TREE.indexOf("Answer") + 3)).answer()).as("a label half written is not one yet").isEqualTo(Optional.empty());
    }
}
