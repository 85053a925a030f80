package dev.synthiabot.adapter.loading;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synthiabot.adapter.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelDirectoryTest {
    @TempDir
    Path dir;

    /** A copy of the tiny model whose config.json is replaced by {@code config}. */
    private Path modelWithConfig(String config) throws IOException {
        for (String f : new String[] {"tokenizer.json", "model.safetensors"}) {
            Files.copy(Fixtures.tinyModel().resolve(f), dir.resolve(f));
        }
        Files.writeString(dir.resolve("config.json"), config);
        return dir;
    }

    private static String tinyConfig() throws IOException {
        return Files.readString(Fixtures.tinyModel().resolve("config.json"));
    }

    @Test
    void should_accept_the_tiny_model() {
        ModelDirectory md = ModelDirectory.open(Fixtures.tinyModel());

        assertThat(md.quantized()).isFalse();
        assertThat(md.vocabSize()).isEqualTo(32000);
        assertThat(md.weightFiles()).hasSize(1);
    }

    @Test
    void should_name_a_missing_directory() {
        assertThatThrownBy(() -> ModelDirectory.open(dir.resolve("nope")))
            .isInstanceOf(ModelValidationException.class)
            .hasMessage(dir.resolve("nope") + ": model directory does not exist (expected config.json, tokenizer.json and *.safetensors in it)");
    }

    @Test
    void should_name_a_missing_config() {
        assertThatThrownBy(() -> ModelDirectory.open(dir))
            .hasMessage(dir.resolve("config.json") + ": missing (the model's configuration)");
    }

    @Test
    void should_name_a_missing_tokenizer() throws IOException {
        Files.writeString(dir.resolve("config.json"), tinyConfig());

        assertThatThrownBy(() -> ModelDirectory.open(dir))
            .hasMessage(dir.resolve("tokenizer.json") + ": missing (the tokenizer)");
    }

    @Test
    void should_reject_invalid_json_with_the_parser_message() throws IOException {
        modelWithConfig("{\"architectures\": [");

        assertThatThrownBy(() -> ModelDirectory.open(dir)).hasMessageStartingWith(dir.resolve("config.json") + ": is not valid JSON: ");
    }

    @Test
    void should_reject_an_architecture_that_is_not_mistral_or_llama() throws IOException {
        modelWithConfig(tinyConfig().replace("MistralForCausalLM", "GPT2LMHeadModel"));

        assertThatThrownBy(() -> ModelDirectory.open(dir)).hasMessage(dir.resolve("config.json")
            + ": architecture [GPT2LMHeadModel] is not supported; expected MistralForCausalLM or LlamaForCausalLM (SynthIA-7B is Mistral)");
    }

    @Test
    void should_reject_a_transformers_5_config_without_top_level_rope_theta() throws IOException {
        modelWithConfig(tinyConfig().replace("\"rope_theta\": 10000.0,", "\"rope_parameters\": {\"rope_theta\": 10000.0, \"rope_type\": \"default\"},"));

        assertThatThrownBy(() -> ModelDirectory.open(dir)).hasMessage(dir.resolve("config.json")
            + ": has 'rope_parameters' (transformers 5 style) but no top-level 'rope_theta'; Jlama would silently use another RoPE theta"
            + " and compute wrong logits. Add \"rope_theta\": 10000.0 at the top level");
    }

    @Test
    void should_reject_a_vocabulary_mismatch() throws IOException {
        modelWithConfig(tinyConfig().replace("\"vocab_size\": 32000", "\"vocab_size\": 32002"));

        assertThatThrownBy(() -> ModelDirectory.open(dir)).hasMessage(dir.resolve("model.safetensors")
            + ": vocabulary mismatch: model.embed_tokens.weight has 32000 rows but config.json vocab_size is 32002");
    }

    @Test
    void should_reject_a_tokenizer_larger_than_the_model_vocabulary() throws IOException {
        modelWithConfig(tinyConfig().replace("\"vocab_size\": 32000", "\"vocab_size\": 31000"));

        assertThatThrownBy(() -> ModelDirectory.open(dir)).hasMessage(dir.resolve("tokenizer.json")
            + ": vocabulary mismatch: the tokenizer has 32000 tokens but config.json vocab_size is 31000");
    }

    @Test
    void should_explain_that_pytorch_bin_weights_need_conversion() {
        assertThatThrownBy(() -> ModelDirectory.open(Fixtures.tinyModelBin())).hasMessage(Fixtures.tinyModelBin()
            + ": has only PyTorch .bin weights; convert them to safetensors first (ModelProvisioner does, and the bot uses it)");
    }

    @Test
    void should_name_a_directory_without_weights() throws IOException {
        Files.writeString(dir.resolve("config.json"), tinyConfig());
        Files.copy(Fixtures.tinyModel().resolve("tokenizer.json"), dir.resolve("tokenizer.json"));

        assertThatThrownBy(() -> ModelDirectory.open(dir)).hasMessage(dir + ": no *.safetensors weight files");
    }
}
