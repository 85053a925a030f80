package dev.synthiabot.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SettingsLoaderTest {
    private static final Map<String, String> TOKEN = Map.of("DISCORD_TOKEN", "MTIz.secret.token");

    static Path settings(String name) {
        try {
            return Path.of(SettingsLoaderTest.class.getResource("/settings/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static ConfigException problemsOf(Path file, Map<String, String> env) {
        return catchThrowableOfType(ConfigException.class, () -> SettingsLoader.load(file, true, env));
    }

    @Test
    void should_use_model_card_defaults_when_only_the_token_is_given() {
        BotSettings s = SettingsLoader.loadYaml("", TOKEN);

        assertThat(s.generation()).isEqualTo(new GenerationSettings(0.75, 50, 1.0, 512, List.of()));
        assertThat(s.model().huggingfaceId()).isEqualTo("migtissera/SynthIA-7B-v1.3");
        assertThat(s.model().contextWindow()).isEqualTo(4096);
        assertThat(s.prompts().defaultSystem()).startsWith("Elaborate on the topic using a Tree of Thoughts");
        assertThat(s.prompts().translation()).containsExactly(Map.entry("ja", "Translate the USER input to Japanese."));
        assertThat(s.discord().token().reveal()).isEqualTo("MTIz.secret.token");
        assertThat(s.discord().restUrl()).isEmpty();
    }

    @Test
    void should_load_the_shipped_example_file_as_the_defaults() {
        BotSettings example = SettingsLoader.load(Path.of("synthia-bot.example.yaml"), true, TOKEN);

        assertThat(example).isEqualTo(SettingsLoader.loadYaml("", TOKEN));
    }

    @Test
    void should_load_every_section_of_a_full_file() {
        BotSettings s = SettingsLoader.load(settings("valid-full.yaml"), true, TOKEN);

        assertThat(s.discord().guildIds()).containsExactly("111111111111111111", "222222222222222222");
        assertThat(s.discord().restUrl()).contains(URI.create("http://127.0.0.1:8080/api/v10/"));
        assertThat(s.discord().gatewayUrl()).contains(URI.create("ws://127.0.0.1:8081/"));
        assertThat(s.model()).isEqualTo(new ModelSettings("migtissera/SynthIA-7B-v1.3", "v1.3", URI.create("https://huggingface.co"),
            Optional.of(Path.of("/srv/models/synthia")), Path.of("/var/cache/synthia"), "q4", "f32", 2, 3, 2048, 512, "f32"));
        assertThat(s.generation()).isEqualTo(new GenerationSettings(0.5, 40, 0.9, 256, List.of("</s>", "###")));
        assertThat(s.prompts().translation()).containsOnlyKeys("ja", "fr");
        assertThat(s.prompts().channels()).containsExactly(Map.entry("333333333333333333", "You are a pirate."));
        assertThat(s.limits()).isEqualTo(new LimitSettings(5, 2, 0, 1000, 1500, 120, 4));
        assertThat(s.storage().databasePath()).isEqualTo(Path.of("/var/lib/synthia/prompts.db"));
        assertThat(s.access().adminRole()).contains("555555555555555555");
        assertThat(s.access().memberAllowed(List.of("444444444444444444"))).isTrue();
        assertThat(s.access().memberAllowed(List.of("1"))).isFalse();
    }

    @Test
    void should_list_all_bad_values_at_once_with_key_value_allowed_range_and_line() {
        ConfigException e = problemsOf(settings("invalid-values.yaml"), TOKEN);

        assertThat(e.problems()).containsExactlyInAnyOrder(
            "model.threads: 'many' is not an integer (invalid-values.yaml line 5)",
            "discord.guild_ids: '12ab' is not a Discord id (digits only) (invalid-values.yaml line 2)",
            "model.quantization: 'q8' is not one of: q4, none (invalid-values.yaml line 4)",
            "model.activations: 'f16' is not one of: q8, f32 (invalid-values.yaml line 6)",
            "model.kv_cache_precision: 'fp8' is not one of: bf16, f32 (invalid-values.yaml line 7)",
            "generation.top_k: -3 is not in [0, 32000] (invalid-values.yaml line 11)",
            "generation.top_p: 1.7 is not in [0, 1] (invalid-values.yaml line 10)",
            "generation.max_new_tokens: 0 is not in [1, 8192] (invalid-values.yaml line 12)",
            "limits.reply_edit_interval_ms: 10 is not in [250, 60000] (invalid-values.yaml line 14)",
            "access.admin_role: 'moderators' is not a Discord id (digits only) (invalid-values.yaml line 16)");
        assertThat(e.getMessage()).startsWith("Invalid configuration (10 problems):\n  - ");
    }

    @Test
    void should_reject_unknown_keys_with_did_you_mean_and_a_token_in_the_file() {
        ConfigException e = problemsOf(settings("invalid-keys.yaml"), TOKEN);

        assertThat(e.problems()).containsExactly(
            "generation.temprature: unknown key; did you mean 'generation.temperature'? (invalid-keys.yaml line 2)",
            "modle: unknown section; did you mean 'model'? (invalid-keys.yaml line 4)",
            "discord.token: must not be in the settings file (invalid-keys.yaml line 7): put it in the DISCORD_TOKEN environment variable or in the file named by discord.token_file");
        assertThat(e.getMessage()).doesNotContain("super-secret-token-value");
    }

    @Test
    void should_report_yaml_syntax_errors_with_line_and_column() {
        ConfigException e = problemsOf(settings("invalid-syntax.yaml"), TOKEN);

        assertThat(e.problems()).containsExactly("invalid-syntax.yaml:4:7: YAML syntax error: expected ',' or ']', but got :");
    }

    @Test
    void should_require_the_token_and_say_where_to_put_it() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> SettingsLoader.loadYaml("", Map.of()));

        assertThat(e.problems()).containsExactly(
            "discord.token: missing: set the DISCORD_TOKEN environment variable or discord.token_file (the token is never read from the YAML file)");
    }

    @Test
    void should_read_the_token_from_a_file(@TempDir Path dir) throws IOException {
        Path tokenFile = dir.resolve("token");
        Files.writeString(tokenFile, "file.token.value\n");

        BotSettings s = SettingsLoader.loadYaml("discord:\n  token_file: " + tokenFile + "\n", Map.of());

        assertThat(s.discord().token().reveal()).isEqualTo("file.token.value");
    }

    @Test
    void should_let_environment_variables_override_the_file() {
        Map<String, String> env = Map.of(
            "DISCORD_TOKEN", "t",
            "SYNTHIA_GENERATION__TOP_P", "0.8",
            "SYNTHIA_DISCORD__GUILD_IDS", "1, 2,3",
            "SYNTHIA_PROMPTS__TRANSLATION__FR", "Translate the USER input to French.",
            "SYNTHIA_MODEL__LOCAL_PATH", "/models/x");

        BotSettings s = SettingsLoader.load(settings("valid-full.yaml"), true, env);

        assertThat(s.generation().topP()).isEqualTo(0.8);
        assertThat(s.generation().topK()).isEqualTo(40);
        assertThat(s.discord().guildIds()).containsExactly("1", "2", "3");
        assertThat(s.prompts().translation()).containsOnlyKeys("ja", "fr");
        assertThat(s.model().localPath()).contains(Path.of("/models/x"));
    }

    @Test
    void should_name_the_environment_variable_of_a_bad_override_and_catch_typos() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> SettingsLoader.loadYaml("",
            Map.of("DISCORD_TOKEN", "t", "SYNTHIA_GENERATION__TOP_P", "2", "SYNTHIA_GENERATION__TOPP", "1")));

        assertThat(e.problems()).containsExactlyInAnyOrder(
            "SYNTHIA_GENERATION__TOPP: unknown environment variable; did you mean 'SYNTHIA_GENERATION__TOP_P'?",
            "generation.top_p: 2 is not in [0, 1] (environment SYNTHIA_GENERATION__TOP_P)");
    }

    @Test
    void should_fail_for_a_missing_settings_file_only_when_it_was_asked_for(@TempDir Path dir) {
        assertThat(SettingsLoader.load(dir.resolve("absent.yaml"), false, TOKEN)).isNotNull();

        assertThat(problemsOf(dir.resolve("absent.yaml"), TOKEN).problems())
            .containsExactly(dir.resolve("absent.yaml") + ": settings file not found (copy config/synthia-bot.example.yaml to start)");
    }

    @Test
    void should_find_the_settings_file_from_flag_then_environment_then_default() {
        assertThat(SettingsLoader.settingsPath(Optional.of(Path.of("a.yaml")), Map.of("SYNTHIA_CONFIG", "b.yaml"))).isEqualTo(Path.of("a.yaml"));
        assertThat(SettingsLoader.settingsPath(Optional.empty(), Map.of("SYNTHIA_CONFIG", "b.yaml"))).isEqualTo(Path.of("b.yaml"));
        assertThat(SettingsLoader.settingsPath(Optional.empty(), Map.of())).isEqualTo(Path.of("synthia-bot.yaml"));
    }

    @Test
    void should_read_model_servers_as_urls_or_maps_with_their_keys_from_the_environment(@TempDir Path dir) throws IOException {
        Path keyFile = dir.resolve("b.key");
        Files.writeString(keyFile, "key-b\n");
        Map<String, String> env = new java.util.HashMap<>(TOKEN);
        env.put("KEY_C", "key-c");
        BotSettings s = SettingsLoader.loadYaml("""
            model:
              provider: openai
              endpoints:
                - http://10.0.0.2:8080/v1
                - url: http://10.0.0.3:8080/v1
                  max_concurrent: 8
                  api_key_file: %s
                - url: http://10.0.0.4:8000/v1
                  model: SynthIA-7B-v1.3
                  api_key_env: KEY_C
            """.formatted(keyFile), env);

        assertThat(s.provider().provider()).isEqualTo(ProviderSettings.Provider.OPENAI);
        assertThat(s.provider().endpoints()).extracting(e -> e.url().toString(), ProviderSettings.Endpoint::model, ProviderSettings.Endpoint::maxConcurrent)
            .containsExactly(org.assertj.core.groups.Tuple.tuple("http://10.0.0.2:8080/v1", "synthia-7b-v1.3", 4),
                org.assertj.core.groups.Tuple.tuple("http://10.0.0.3:8080/v1", "synthia-7b-v1.3", 8),
                org.assertj.core.groups.Tuple.tuple("http://10.0.0.4:8000/v1", "SynthIA-7B-v1.3", 4));
        assertThat(s.provider().endpoints()).extracting(e -> e.apiKey().map(Secret::reveal).orElse(null))
            .containsExactly(null, "key-b", "key-c");
        assertThat(s.provider().places()).isEqualTo(16);

        Map<String, String> envOnly = new java.util.HashMap<>(TOKEN);
        envOnly.put("SYNTHIA_MODEL__PROVIDER", "openai");
        envOnly.put("SYNTHIA_MODEL__ENDPOINTS", "http://a:8080/v1,http://b:8080/v1");
        assertThat(SettingsLoader.loadYaml("", envOnly).provider().endpoints()).extracting(e -> e.url().toString())
            .containsExactly("http://a:8080/v1", "http://b:8080/v1");
    }

    @Test
    void should_list_every_problem_of_the_model_servers_at_once() {
        ConfigException e = catchThrowableOfType(ConfigException.class, () -> SettingsLoader.loadYaml("""
            model:
              provider: openai
              endpoints:
                - ftp://10.0.0.2/v1
                - url: http://10.0.0.3:8080/v1
                  max_concurrent: lots
                  colour: blue
                - url: http://10.0.0.4:8080/v1
                  api_key_env: NOT_SET_ANYWHERE
            """, TOKEN));
        assertThat(e.problems()).hasSize(4).anySatisfy(p -> assertThat(p).startsWith("model.endpoints: ftp://10.0.0.2/v1 is not an http(s) URL"))
            .anySatisfy(p -> assertThat(p).startsWith("model.endpoints[1].max_concurrent: 'lots' is not an integer"))
            .anySatisfy(p -> assertThat(p).startsWith("model.endpoints[1].colour: unknown key"))
            .anySatisfy(p -> assertThat(p).startsWith("model.endpoints[2].api_key_env: the environment variable NOT_SET_ANYWHERE is not set"));

        assertThat(catchThrowableOfType(ConfigException.class, () -> SettingsLoader.loadYaml("model:\n  provider: openai\n", TOKEN)).problems())
            .containsExactly("model.endpoints: '[]' is empty: model.provider openai needs at least one server URL");
        assertThat(catchThrowableOfType(ConfigException.class, () -> SettingsLoader.loadYaml("model:\n  provider: cloud\n", TOKEN)).problems())
            .containsExactly("model.provider: 'cloud' is not one of: local, openai (settings.yaml line 2)".replace("settings.yaml", SettingsLoader.DEFAULT_FILE));
    }

    @Test
    void should_take_server_api_keys_from_the_environment_and_a_file_never_from_the_yaml(@TempDir Path dir) throws IOException {
        Path keys = dir.resolve("keys");
        Files.writeString(keys, "# clients\nkey-one\n\nkey-two\n");
        Map<String, String> env = new java.util.HashMap<>(TOKEN);
        env.put("SYNTHIA_SERVER__API_KEYS", "key-three, key-four");
        BotSettings s = SettingsLoader.loadYaml("server:\n  api_keys_file: " + keys + "\n  port: 9000\n", env);

        assertThat(s.server().apiKeys()).extracting(Secret::reveal).containsExactly("key-three", "key-four", "key-one", "key-two");
        assertThat(s.server().port()).isEqualTo(9000);
        assertThat(s.server().bind()).isEqualTo("127.0.0.1");
        assertThat(catchThrowableOfType(ConfigException.class, () -> SettingsLoader.loadYaml("server:\n  api_keys: [k]\n", TOKEN)).problems())
            .singleElement().asString().startsWith("server.api_keys: must not be in the settings file");
    }
}
