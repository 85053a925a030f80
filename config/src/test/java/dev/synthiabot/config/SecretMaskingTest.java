package dev.synthiabot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.Map;
import org.junit.jupiter.api.Test;

class SecretMaskingTest {
    private static final String TOKEN = "MTA5ODc2NTQzMjEwOTg3NjU0.GhIjKl.very-secret-token-value";

    @Test
    void should_never_show_the_token_in_to_string() {
        BotSettings s = SettingsLoader.loadYaml("", Map.of("DISCORD_TOKEN", TOKEN));

        assertThat(s.toString()).doesNotContain(TOKEN).doesNotContain("very-secret");
        assertThat(s.discord().toString()).contains("token=****");
        assertThat(s.discord().token().toString()).isEqualTo("Secret[****]");
    }

    @Test
    void should_never_show_the_token_in_error_messages() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> SettingsLoader.loadYaml(
            "discord:\n  token: " + TOKEN + "\n  rest_url: not a url\n", Map.of("DISCORD_TOKEN", TOKEN, "SYNTHIA_DISCORD__TOKEN", TOKEN)));

        assertThat(e.getMessage()).doesNotContain(TOKEN).doesNotContain("very-secret").contains("discord.token");
    }
}
