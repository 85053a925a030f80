package dev.synthiabot.bot.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synthiabot.adapter.SynthiaChatModel;
import dev.synthiabot.config.BotSettings;
import dev.synthiabot.config.SettingsLoader;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The composition root maps settings onto the model: a local directory of .bin shards is converted, quantized and loaded. */
class MainModelIT {
    @TempDir
    Path dir;

    @Test
    void should_build_the_q4_model_from_a_local_pytorch_directory() {
        Path bin = Path.of("..", "langchain-adapter", "src", "test", "resources", "models", "tiny-mistral-a-bin");
        BotSettings s = SettingsLoader.loadYaml("", Map.of("DISCORD_TOKEN", "t", "SYNTHIA_MODEL__LOCAL_PATH", bin.toString(),
            "SYNTHIA_MODEL__CACHE_DIR", dir.resolve("cache").toString(), "SYNTHIA_GENERATION__MAX_NEW_TOKENS", "8"));

        try (SynthiaChatModel model = Main.modelBuilder(s.model(), s.generation(), Map.of()).build()) {
            assertThat(model.quantized()).isTrue();
            assertThat(model.defaultRequestParameters().maxOutputTokens()).isEqualTo(8);
            assertThat(model.defaultRequestParameters().temperature()).isEqualTo(0.75);
            var response = model.chat(dev.langchain4j.model.chat.request.ChatRequest.builder()
                .messages(dev.langchain4j.data.message.UserMessage.from("Hello")).build());
            int tokens = response.tokenUsage().outputTokenCount();
            assertThat(response.finishReason()).isIn(dev.langchain4j.model.output.FinishReason.STOP, dev.langchain4j.model.output.FinishReason.LENGTH);
            assertThat(tokens).as("max_new_tokens reaches the model").isLessThanOrEqualTo(8);
            if (response.finishReason() == dev.langchain4j.model.output.FinishReason.LENGTH) assertThat(tokens).isEqualTo(8);
        }
        assertThat(dir.resolve("cache").resolve("tiny-mistral-a-bin-safetensors")).isDirectory();
    }

    @Test
    void should_name_a_local_path_that_is_not_a_directory() {
        BotSettings s = SettingsLoader.loadYaml("", Map.of("DISCORD_TOKEN", "t", "SYNTHIA_MODEL__LOCAL_PATH", dir.resolve("missing").toString()));

        assertThatThrownBy(() -> Main.modelBuilder(s.model(), s.generation(), Map.of()))
            .hasMessage("model.local_path: " + dir.resolve("missing") + " is not a directory");
    }
}
