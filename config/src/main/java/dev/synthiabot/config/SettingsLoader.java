package dev.synthiabot.config;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Loads {@link BotSettings} from one YAML file plus environment variables, and fails with ALL problems
 * at once: YAML syntax errors with line and column, unknown keys with a did-you-mean, values of the
 * wrong type or out of range, each naming the key, the bad value, what is allowed and where it came from.
 *
 * <p>Environment variables override the file: {@code SYNTHIA_<SECTION>__<KEY>} in upper case (e.g.
 * {@code SYNTHIA_GENERATION__TOP_P=0.9}); lists are comma-separated; map entries are set one by one
 * ({@code SYNTHIA_PROMPTS__TRANSLATION__FR=...}). The bot token comes from {@code DISCORD_TOKEN} (or
 * {@code SYNTHIA_DISCORD__TOKEN}) or the file named by {@code discord.token_file}.
 */
public final class SettingsLoader {
    public static final String DEFAULT_FILE = "synthia-bot.yaml";
    public static final String CONFIG_ENV = "SYNTHIA_CONFIG";

    private SettingsLoader() {}

    /** The settings file: {@code --config <path>}, else {@code SYNTHIA_CONFIG}, else {@code synthia-bot.yaml}. */
    public static Path settingsPath(Optional<Path> flag, Map<String, String> env) {
        return flag.orElseGet(() -> Path.of(env.getOrDefault(CONFIG_ENV, DEFAULT_FILE)));
    }

    /**
     * @param file the settings file; a missing file is an error unless {@code required} is false (then
     *     defaults and environment variables are used)
     */
    public static BotSettings load(Path file, boolean required, Map<String, String> env) {
        return load(file, required, env, true);
    }

    /**
     * The same; {@code needsToken} false for commands that never connect to Discord ({@code prepare-model}), which
     * then run without {@code DISCORD_TOKEN} (the settings hold a blank token).
     */
    public static BotSettings load(Path file, boolean required, Map<String, String> env, boolean needsToken) {
        RawSettings raw = new RawSettings();
        if (Files.isRegularFile(file)) {
            try {
                raw.readYaml(Files.readString(file, StandardCharsets.UTF_8), file.getFileName().toString());
            } catch (IOException e) {
                raw.problems.add(file + ": cannot be read: " + e.getMessage());
            }
        } else if (required) {
            raw.problems.add(file + ": settings file not found (copy config/synthia-bot.example.yaml to start)");
        }
        raw.readEnvironment(env);
        return new Builder(raw, env, needsToken).build();
    }

    /** Parses a YAML text (for tests and tools). */
    public static BotSettings loadYaml(String yaml, Map<String, String> env) {
        RawSettings raw = new RawSettings();
        raw.readYaml(yaml, DEFAULT_FILE);
        raw.readEnvironment(env);
        return new Builder(raw, env, true).build();
    }

    /** Converts raw values and builds each section, collecting every problem. */
    private static final class Builder {
        private final RawSettings raw;
        private final Map<String, String> env;
        private final List<String> problems = new ArrayList<>();
        private final boolean needsToken;

        Builder(RawSettings raw, Map<String, String> env, boolean needsToken) {
            this.raw = raw;
            this.env = env;
            this.needsToken = needsToken;
            problems.addAll(raw.problems.list());
        }

        BotSettings build() {
            DiscordSettings discord = section(() -> new DiscordSettings(token(), path("discord.token_file"), list("discord.guild_ids"),
                uri("discord.rest_url"), uri("discord.gateway_url")));
            ModelSettings model = section(() -> new ModelSettings(string("model.huggingface_id"), string("model.huggingface_revision"),
                uri("model.huggingface_url").orElseThrow(),
                path("model.local_path"), path("model.cache_dir").orElseThrow(), string("model.quantization").toLowerCase(java.util.Locale.ROOT),
                string("model.activations").toLowerCase(java.util.Locale.ROOT), integer("model.threads"), integer("model.max_concurrent"), integer("model.context_window"), integer("model.kv_cache_mb"),
                string("model.kv_cache_precision").toLowerCase(java.util.Locale.ROOT)));
            GenerationSettings generation = section(() -> new GenerationSettings(decimal("generation.temperature"), integer("generation.top_k"),
                decimal("generation.top_p"), integer("generation.max_new_tokens"), list("generation.stop_sequences")));
            PromptSettings prompts = section(() -> new PromptSettings(string("prompts.default_system"), map("prompts.translation"),
                map("prompts.channels"), integer("prompts.max_length"), string("prompts.answer_language").strip().toLowerCase(java.util.Locale.ROOT),
                string("prompts.reasoning").strip().toLowerCase(java.util.Locale.ROOT)));
            LimitSettings limits = section(() -> new LimitSettings(integer("limits.queue_capacity"), integer("limits.per_user_concurrent"),
                integer("limits.per_user_cooldown_seconds"), integer("limits.max_input_chars"), integer("limits.reply_edit_interval_ms"),
                integer("limits.generation_timeout_seconds"), integer("limits.shutdown_grace_seconds")));
            StorageSettings storage = section(() -> new StorageSettings(path("storage.database_path").orElseThrow()));
            AccessSettings access = section(() -> new AccessSettings(list("access.allowed_guilds"), list("access.allowed_channels"),
                list("access.allowed_roles"), optionalString("access.admin_role")));
            LoggingSettings logging = section(() -> new LoggingSettings(string("logging.format").toLowerCase(java.util.Locale.ROOT),
                string("logging.level").toLowerCase(java.util.Locale.ROOT)));
            MetricsSettings metrics = section(() -> new MetricsSettings(integer("metrics.port"), string("metrics.bind")));
            ProviderSettings provider = section(() -> new ProviderSettings(provider(), endpoints()));
            ServerSettings server = section(() -> new ServerSettings(string("server.bind"), integer("server.port"), apiKeys(),
                integer("server.queue_capacity"), integer("server.max_body_kb")));
            if (!problems.isEmpty()) throw new ConfigException(problems);
            return new BotSettings(discord, model, provider, generation, prompts, limits, storage, access, logging, metrics, server);
        }

        private <T> T section(Supplier<T> make) {
            try {
                return make.get();
            } catch (ConfigException e) {
                for (String p : e.problems()) problems.add(withSource(p));
                return null;
            } catch (java.util.NoSuchElementException e) {
                return null; // a required value failed to convert; that problem is already listed
            }
        }

        /** Appends where a record-level problem's key was set, e.g. " (synthia-bot.yaml line 7)". */
        private String withSource(String problem) {
            String key = problem.substring(0, Math.max(0, problem.indexOf(':')));
            for (var e : raw.values.entrySet()) {
                if (key.equals(e.getKey()) || key.startsWith(e.getKey() + ".")) return problem + " (" + e.getValue().source() + ")";
            }
            return problem;
        }

        private Secret token() {
            String fromEnv = env.getOrDefault(SettingKey.TOKEN_ENV, env.get("SYNTHIA_DISCORD__TOKEN"));
            if (fromEnv != null && !fromEnv.isBlank()) return new Secret(fromEnv.strip());
            Optional<Path> file = path("discord.token_file");
            if (file.isPresent()) {
                try {
                    return new Secret(Files.readString(file.get(), StandardCharsets.UTF_8).strip());
                } catch (IOException e) {
                    problems.add("discord.token_file: '" + file.get() + "' cannot be read (" + e.getClass().getSimpleName() + ")");
                    return new Secret("unreadable");
                }
            }
            if (needsToken) {
                problems.add("discord.token: missing: set the " + SettingKey.TOKEN_ENV
                    + " environment variable or discord.token_file (the token is never read from the YAML file)");
            }
            return new Secret("");
        }

        private ProviderSettings.Provider provider() {
            String p = string("model.provider").strip().toLowerCase(java.util.Locale.ROOT);
            return switch (p) {
                case "local" -> ProviderSettings.Provider.LOCAL;
                case "openai" -> ProviderSettings.Provider.OPENAI;
                default -> {
                    problems.add("model.provider: '" + p + "' is not one of: local, openai" + source("model.provider"));
                    yield ProviderSettings.Provider.LOCAL;
                }
            };
        }

        @SuppressWarnings("unchecked")
        private List<ProviderSettings.Endpoint> endpoints() {
            List<ProviderSettings.Endpoint> out = new ArrayList<>();
            for (Map<String, String> e : (List<Map<String, String>>) value("model.endpoints")) {
                String where = "model.endpoints[" + out.size() + "]";
                for (String k : e.keySet()) {
                    if (!List.of("url", "model", "max_concurrent", "api_key_file", "api_key_env").contains(k)) {
                        problems.add(where + "." + k + ": unknown key (url, model, max_concurrent, api_key_file, api_key_env)" + source("model.endpoints"));
                    }
                }
                URI url;
                try {
                    url = new URI(String.valueOf(e.get("url")).strip());
                    if (!url.isAbsolute()) throw new URISyntaxException(url.toString(), "not absolute");
                } catch (URISyntaxException ex) {
                    problems.add(where + ".url: '" + e.get("url") + "' is not an absolute URL" + source("model.endpoints"));
                    continue;
                }
                int places = ProviderSettings.DEFAULT_MAX_CONCURRENT;
                if (e.get("max_concurrent") != null) {
                    try {
                        places = Integer.parseInt(e.get("max_concurrent").strip());
                    } catch (NumberFormatException ex) {
                        problems.add(where + ".max_concurrent: '" + e.get("max_concurrent") + "' is not an integer" + source("model.endpoints"));
                    }
                }
                Optional<Secret> key = Optional.empty();
                if (e.get("api_key_env") != null) {
                    String name = e.get("api_key_env").strip();
                    String v = env.get(name);
                    if (v == null || v.isBlank()) {
                        problems.add(where + ".api_key_env: the environment variable " + name + " is not set" + source("model.endpoints"));
                    } else {
                        key = Optional.of(new Secret(v.strip()));
                    }
                } else if (e.get("api_key_file") != null) {
                    Path file = Path.of(e.get("api_key_file").strip());
                    try {
                        key = Optional.of(new Secret(Files.readString(file, StandardCharsets.UTF_8).strip()));
                    } catch (IOException ex) {
                        problems.add(where + ".api_key_file: '" + file + "' cannot be read (" + ex.getClass().getSimpleName() + ")");
                    }
                }
                String model = e.getOrDefault("model", ProviderSettings.DEFAULT_MODEL).strip();
                out.add(new ProviderSettings.Endpoint(url, model, places, key));
            }
            return out;
        }

        /** From {@code SYNTHIA_SERVER__API_KEYS} (comma-separated) and the lines of {@code server.api_keys_file}. */
        private List<Secret> apiKeys() {
            List<Secret> keys = new ArrayList<>();
            String fromEnv = env.get(SettingKey.SERVER_API_KEYS_ENV);
            if (fromEnv != null) {
                for (String k : fromEnv.split(",")) if (!k.isBlank()) keys.add(new Secret(k.strip()));
            }
            Optional<Path> file = path("server.api_keys_file");
            if (file.isPresent()) {
                try {
                    for (String line : Files.readAllLines(file.get(), StandardCharsets.UTF_8)) {
                        if (!line.isBlank() && !line.strip().startsWith("#")) keys.add(new Secret(line.strip()));
                    }
                } catch (IOException e) {
                    problems.add("server.api_keys_file: '" + file.get() + "' cannot be read (" + e.getClass().getSimpleName() + ")");
                }
            }
            return keys;
        }

        private Object value(String path) {
            RawSettings.Raw r = raw.values.get(path);
            return r != null ? r.value() : SettingKey.byPath(path).defaultValue();
        }

        private String source(String path) {
            RawSettings.Raw r = raw.values.get(path);
            return r != null ? " (" + r.source() + ")" : "";
        }

        private String string(String path) {
            return String.valueOf(value(path));
        }

        private Optional<String> optionalString(String path) {
            Object v = value(path);
            return v == null || v.toString().isBlank() ? Optional.empty() : Optional.of(v.toString().strip());
        }

        private int integer(String path) {
            Object v = value(path);
            if (v instanceof Integer i) return i;
            try {
                return Integer.parseInt(v.toString().strip());
            } catch (NumberFormatException e) {
                problems.add(path + ": '" + v + "' is not an integer" + source(path));
                return (Integer) SettingKey.byPath(path).defaultValue();
            }
        }

        private double decimal(String path) {
            Object v = value(path);
            if (v instanceof Double d) return d;
            try {
                double d = Double.parseDouble(v.toString().strip());
                if (Double.isNaN(d) || Double.isInfinite(d)) throw new NumberFormatException();
                return d;
            } catch (NumberFormatException e) {
                problems.add(path + ": '" + v + "' is not a number" + source(path));
                return (Double) SettingKey.byPath(path).defaultValue();
            }
        }

        private Optional<Path> path(String path) {
            Object v = value(path);
            if (v == null || v.toString().isBlank()) return Optional.empty();
            try {
                return Optional.of(Path.of(v.toString().strip()));
            } catch (RuntimeException e) {
                problems.add(path + ": '" + v + "' is not a valid path" + source(path));
                return Optional.empty();
            }
        }

        private Optional<URI> uri(String path) {
            Object v = value(path);
            if (v == null || v.toString().isBlank()) return Optional.empty();
            try {
                URI u = new URI(v.toString().strip());
                if (!u.isAbsolute()) throw new URISyntaxException(v.toString(), "not absolute");
                return Optional.of(u);
            } catch (URISyntaxException e) {
                problems.add(path + ": '" + v + "' is not an absolute URL" + source(path));
                return Optional.empty();
            }
        }

        @SuppressWarnings("unchecked")
        private List<String> list(String path) {
            return (List<String>) value(path);
        }

        @SuppressWarnings("unchecked")
        private Map<String, String> map(String path) {
            return (Map<String, String>) value(path);
        }
    }
}
