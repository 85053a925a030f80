package dev.synthiabot.bot.i18n;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TextsTest {

    @Test
    void should_show_the_position_alone_until_there_is_an_estimate() {
        assertThat(Texts.EN.queued(3, Optional.empty())).isEqualTo("⏳ Waiting in the queue: position 3");
        assertThat(Texts.JA.queued(3, Optional.empty())).isEqualTo("⏳ 順番待ち: 3 番目");
    }

    @Test
    void should_round_the_estimate_to_tens_of_seconds_then_minutes() {
        assertThat(Texts.EN.queued(1, Optional.of(Duration.ofSeconds(3)))).isEqualTo("⏳ Waiting in the queue: position 1 (about 10 s)");
        assertThat(Texts.EN.queued(1, Optional.of(Duration.ofSeconds(41)))).isEqualTo("⏳ Waiting in the queue: position 1 (about 50 s)");
        assertThat(Texts.EN.queued(2, Optional.of(Duration.ofSeconds(60)))).isEqualTo("⏳ Waiting in the queue: position 2 (about 1 min)");
        assertThat(Texts.EN.queued(5, Optional.of(Duration.ofSeconds(270)))).isEqualTo("⏳ Waiting in the queue: position 5 (about 5 min)");
        assertThat(Texts.JA.queued(2, Optional.of(Duration.ofSeconds(20)))).isEqualTo("⏳ 順番待ち: 2 番目（約 20 秒）");
        assertThat(Texts.JA.queued(4, Optional.of(Duration.ofMinutes(3)))).isEqualTo("⏳ 順番待ち: 4 番目（約 3 分）");
    }
}
