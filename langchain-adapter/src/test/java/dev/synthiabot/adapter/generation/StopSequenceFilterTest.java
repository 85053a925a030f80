package dev.synthiabot.adapter.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class StopSequenceFilterTest {
    private final StopSequenceFilter filter = new StopSequenceFilter(List.of("\nUSER:", "\nSYSTEM:"));
    private final List<String> shown = new ArrayList<>();

    private void feed(String... pieces) {
        for (String p : pieces) shown.add(filter.append(p));
    }

    @Test
    void should_stop_before_fake_user_turn_split_across_tokens() {
        feed("Hello", " world", "\n", "US", "ER", ":", " more");

        assertThat(filter.stopped()).isTrue();
        assertThat(String.join("", shown)).isEqualTo("Hello world");
        assertThat(filter.text()).isEqualTo("Hello world");
        assertThat(shown).noneMatch(s -> s.contains("\n") || s.contains("US"));
    }

    @Test
    void should_release_held_text_when_it_turns_out_not_to_be_a_stop() {
        feed("a\n", "USE", "FUL");

        assertThat(filter.stopped()).isFalse();
        assertThat(String.join("", shown) + filter.flush()).isEqualTo("a\nUSEFUL");
    }

    @Test
    void should_hold_back_partial_stop_until_the_end() {
        feed("line\nUS");

        assertThat(String.join("", shown)).isEqualTo("line");
        assertThat(filter.flush()).isEqualTo("\nUS");
    }

    @Test
    void should_stop_on_a_turn_marker_at_the_very_start() {
        feed("USER: hi");

        assertThat(filter.stopped()).isTrue();
        assertThat(String.join("", shown)).isEmpty();
        assertThat(filter.text()).isEmpty();
    }

    @Test
    void should_stop_inside_a_single_piece() {
        feed("ok\nSYSTEM: x");

        assertThat(shown).containsExactly("ok");
        assertThat(filter.text()).isEqualTo("ok");
    }
}
