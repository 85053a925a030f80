package dev.synthiabot.bot.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class CooldownsTest {
    private static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void should_ask_a_user_to_wait_until_the_cooldown_has_passed() {
        Cooldowns cooldowns = new Cooldowns(Duration.ofSeconds(30));
        cooldowns.asked("a", T0);

        assertThat(cooldowns.remaining("a", T0.plusSeconds(10))).contains(Duration.ofSeconds(20));
        assertThat(cooldowns.remaining("b", T0.plusSeconds(10))).isEmpty();
        assertThat(cooldowns.remaining("a", T0.plusSeconds(30))).isEmpty();
    }

    @Test
    void should_forget_users_whose_cooldown_has_passed() {
        Cooldowns cooldowns = new Cooldowns(Duration.ofSeconds(30));
        for (int i = 0; i < 1000; i++) cooldowns.asked("user" + i, T0.plusMillis(i));
        assertThat(cooldowns.size()).isEqualTo(1000);

        cooldowns.asked("late", T0.plusSeconds(31));

        assertThat(cooldowns.size()).as("only the user of the last 30 s is kept").isEqualTo(1);
    }

    @Test
    void should_restart_a_users_cooldown_when_they_ask_again() {
        Cooldowns cooldowns = new Cooldowns(Duration.ofSeconds(30));
        cooldowns.asked("a", T0);
        cooldowns.asked("b", T0.plusSeconds(5));
        cooldowns.asked("a", T0.plusSeconds(20));

        assertThat(cooldowns.remaining("a", T0.plusSeconds(40))).contains(Duration.ofSeconds(10));
        assertThat(cooldowns.remaining("b", T0.plusSeconds(40))).isEmpty();
    }

    @Test
    void should_remember_nobody_without_a_cooldown() {
        Cooldowns cooldowns = new Cooldowns(Duration.ZERO);
        cooldowns.asked("a", T0);
        assertThat(cooldowns.remaining("a", T0)).isEmpty();
        assertThat(cooldowns.size()).isZero();
    }
}
