package dev.synthiabot.bot.app;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synthiabot.adapter.SynthiaChatModel;
import dev.synthiabot.config.SettingKey;
import org.junit.jupiter.api.Test;

/**
 * The sampling defaults live in two layers that cannot share a constant (the settings module knows nothing of the
 * adapter): the operator's (`generation.*`, what the bot passes) and the adapter's own (for Java users of the
 * adapter). Both must be the model card's: temperature 0.75, top_k 50, top_p 1.0.
 */
class SamplingDefaultsTest {
    private static Object settingDefault(String path) {
        return SettingKey.ALL.stream().filter(k -> k.path().equals(path)).findFirst().orElseThrow().defaultValue();
    }

    @Test
    void should_be_the_model_cards_in_the_settings_and_in_the_adapter() {
        assertThat(settingDefault("generation.temperature")).isEqualTo(0.75).isEqualTo(SynthiaChatModel.DEFAULT_TEMPERATURE);
        assertThat(settingDefault("generation.top_k")).isEqualTo(50).isEqualTo(SynthiaChatModel.DEFAULT_TOP_K);
        assertThat(settingDefault("generation.top_p")).isEqualTo(1.0).isEqualTo(SynthiaChatModel.DEFAULT_TOP_P);
    }
}
