package dev.synthiabot.config;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Every key the settings file accepts: its path, type, default and meaning. The README's key table is
 * generated from this list (a test keeps them equal), and unknown keys are rejected against it.
 */
public record SettingKey(String path, Type type, Object defaultValue, String description) {

    public enum Type {
        STRING, INT, DECIMAL, PATH, URL, LIST, MAP, ENDPOINTS;

        String describe() {
            return switch (this) {
                case STRING -> "text";
                case INT -> "integer";
                case DECIMAL -> "number";
                case PATH -> "path";
                case URL -> "URL";
                case LIST -> "list";
                case MAP -> "map";
                case ENDPOINTS -> "list of URLs or of {url, …}";
            };
        }
    }

    /** The environment variable overriding this key: {@code SYNTHIA_} + section + {@code __} + key, upper case. */
    public String envVar() {
        return ENV_PREFIX + path.replace(".", "__").toUpperCase(Locale.ROOT);
    }

    public String section() {
        return path.substring(0, path.indexOf('.'));
    }

    public static final String ENV_PREFIX = "SYNTHIA_";
    /** The conventional variable for the bot token (also accepted: {@code SYNTHIA_DISCORD__TOKEN}). */
    public static final String TOKEN_ENV = "DISCORD_TOKEN";
    /** The API keys clients of {@code serve} must send, comma-separated (never in the YAML file). */
    public static final String SERVER_API_KEYS_ENV = "SYNTHIA_SERVER__API_KEYS";

    public static final String TREE_OF_THOUGHTS =
        "Elaborate on the topic using a Tree of Thoughts and backtrack when necessary to construct a clear, cohesive Chain of Thought reasoning. Always answer without hesitation.";
    public static final String TRANSLATE_JA = "Translate the USER input to Japanese.";

    public static final List<SettingKey> ALL = List.of(
        k("discord.token_file", Type.PATH, null, "File holding the bot token, as an alternative to the `DISCORD_TOKEN` environment variable (the token is never written in this YAML file)."),
        k("discord.guild_ids", Type.LIST, List.of(), "Guilds (servers) to register slash commands in instantly; empty registers them globally (may take up to an hour to appear)."),
        k("discord.rest_url", Type.URL, null, "Base URL of Discord's REST API, e.g. a rate-limit proxy (`http://proxy:8080/api/v10/`). Default: Discord's."),
        k("discord.gateway_url", Type.URL, null, "Gateway WebSocket URL (`wss://…`), e.g. for a gateway proxy. Default: Discord's."),
        k("model.huggingface_id", Type.STRING, "migtissera/SynthIA-7B-v1.3", "Hugging Face model to download on first start (ignored when `model.local_path` is set)."),
        k("model.huggingface_revision", Type.STRING, "main", "Branch, tag or commit of `model.huggingface_id` to download; the commit it resolved to is recorded, and later starts use those exact files without the network."),
        k("model.huggingface_url", Type.URL, "https://huggingface.co", "Hugging Face base URL (a mirror may be used)."),
        k("model.local_path", Type.PATH, null, "A local model directory (config.json, tokenizer.json, *.safetensors or pytorch_model*.bin) to use instead of downloading."),
        k("model.cache_dir", Type.PATH, "models", "Where downloaded, converted and Q4-quantized models are kept."),
        k("model.quantization", Type.STRING, "q4", "`q4` (4-bit weights, ~4.5 GB for SynthIA-7B) or `none` (as stored)."),
        k("model.activations", Type.STRING, "q8", "How the Q4 kernels take every token's activations: `q8` (8-bit, as llama.cpp does) or `f32` (exact floats, several times slower answers; for checking)."),
        k("model.threads", Type.INT, 0, "Inference threads; 0 = one per physical core."),
        k("model.max_concurrent", Type.INT, 0, "Answers generated at once, batched in one pass over the weights (more wait in the queue); 0 = twice the inference threads, 2 to 8."),
        k("model.context_window", Type.INT, 4096, "Tokens of prompt + answer (SynthIA was trained on 4096); older turns are dropped to fit."),
        k("model.kv_cache_mb", Type.INT, 2048, "Memory for the KV caches of recent conversations, in MiB (SynthIA-7B: 128 KiB per token in bf16, 256 in f32)."),
        k("model.provider", Type.STRING, "local", "`local` (the model runs in the bot's own JVM) or `openai` (the model servers of `model.endpoints`: our `serve`, llama-server, vLLM, Ollama — anything that speaks the OpenAI Chat Completions API)."),
        k("model.endpoints", Type.ENDPOINTS, List.of(), "With `model.provider: openai`: each server's base URL (`http://10.0.0.2:8080/v1`), or `{url, model, max_concurrent, api_key_file, api_key_env}`; `model` (the name the server is asked for) defaults to `synthia-7b-v1.3` (what `serve` answers as), `max_concurrent` (answers it runs at once) to 4."),
        k("model.kv_cache_precision", Type.STRING, "bf16", "How the KV caches keep keys and values: `bf16` (half the memory, faster attention over long conversations) or `f32` (exact floats)."),
        k("generation.temperature", Type.DECIMAL, 0.75, "Sampling temperature; 0 = always the most likely token."),
        k("generation.top_k", Type.INT, 50, "Sample among the k most likely tokens; 0 = no limit."),
        k("generation.top_p", Type.DECIMAL, 1.0, "Nucleus sampling: the smallest set of tokens whose probability reaches p; 1.0 = all."),
        k("generation.max_new_tokens", Type.INT, 512, "Longest answer, in tokens."),
        k("generation.stop_sequences", Type.LIST, List.of(), "Extra text that ends an answer (the model starting a new USER/SYSTEM turn always does)."),
        k("prompts.default_system", Type.STRING, TREE_OF_THOUGHTS, "System prompt of channels without their own (SynthIA's Tree-of-Thoughts prompt)."),
        k("prompts.translation", Type.MAP, Map.of("ja", TRANSLATE_JA), "System prompt per `/translate` target language; each key becomes a subcommand."),
        k("prompts.answer_language", Type.STRING, "auto", "The language of answers: `auto` (the question's, when it is one of `prompts.translation`'s: SynthIA answers in English, then the answer is translated with that language's prompt — about twice the time), `en` (as the model writes), or a key of `prompts.translation` (always). Per channel or server: `/prompt language`."),
        k("prompts.reasoning", Type.STRING, "folded", "How the reasoning SynthIA writes before its `Answer:` is shown: `folded` (a live \"🧠 Reasoning…\" status, then the answer, with a **Show reasoning** button), `inline` (the whole text as written) or `hidden` (the answer alone). Per channel or server: `/prompt reasoning`."),
        k("prompts.channels", Type.MAP, Map.of(), "Initial system prompt per channel id; applied only where no admin has set one from Discord."),
        k("prompts.max_length", Type.INT, 4000, "Longest system prompt an admin may set, in characters."),
        k("limits.queue_capacity", Type.INT, 20, "Requests waiting for the model at most; more get a \"busy, try again\" reply."),
        k("limits.per_user_concurrent", Type.INT, 1, "Requests one user may have queued or running at once."),
        k("limits.per_user_cooldown_seconds", Type.INT, 3, "Seconds a user waits between two requests; 0 = none."),
        k("limits.max_input_chars", Type.INT, 4000, "Longest question or text to translate, in characters."),
        k("limits.reply_edit_interval_ms", Type.INT, 1000, "Milliseconds between two edits of a streaming answer (Discord rate-limits edits)."),
        k("limits.generation_timeout_seconds", Type.INT, 600, "An answer still running after this is stopped and the user told so."),
        k("limits.shutdown_grace_seconds", Type.INT, 8, "On SIGTERM / Ctrl-C, how long the running answer may still write before it is ended with a restart note (Docker's `docker stop` waits 10 s)."),
        k("storage.database_path", Type.PATH, "data/synthia-bot.db", "SQLite file of the per-channel system prompts and of the replies in flight (finished with a notice after a crash)."),
        k("access.allowed_guilds", Type.LIST, List.of(), "Guild ids the bot answers in; empty = all."),
        k("access.allowed_channels", Type.LIST, List.of(), "Channel ids the bot answers in (threads count as their parent); empty = all."),
        k("access.allowed_roles", Type.LIST, List.of(), "Role ids allowed to use the bot; empty = everyone."),
        k("access.admin_role", Type.STRING, null, "Role id that may change prompts (`/prompt set|reset`); members with Manage Channels always may."),
        k("logging.format", Type.STRING, "text", "`text` (a readable line per event, on standard error) or `json` (one JSON object per line, for log collectors)."),
        k("logging.level", Type.STRING, "info", "Least severe level logged: `trace`, `debug`, `info`, `warn` or `error`. User content is never logged at `info` or above."),
        k("server.bind", Type.STRING, "127.0.0.1", "`serve`: the address the OpenAI-compatible API listens on; `0.0.0.0` for every interface."),
        k("server.port", Type.INT, 8080, "`serve`: the API's port (`--port` overrides it)."),
        k("server.api_keys_file", Type.PATH, null, "`serve`: a file of API keys, one per line, that clients must send (`Authorization: Bearer …`); also `SYNTHIA_SERVER__API_KEYS` (comma-separated). None: no key needed."),
        k("server.queue_capacity", Type.INT, 16, "`serve`: requests that may wait for a free place beyond `model.max_concurrent`; more get `429` with `Retry-After`."),
        k("server.max_body_kb", Type.INT, 1024, "`serve`: the largest request body, in KiB (`413` beyond)."),
        k("metrics.port", Type.INT, 0, "Port of the Prometheus metrics (`/metrics`) and the health check (`/health`); 0 = off."),
        k("metrics.bind", Type.STRING, "127.0.0.1", "Address the metrics port listens on; `0.0.0.0` for every interface (e.g. in a container).")
    );

    private static SettingKey k(String path, Type type, Object def, String description) {
        return new SettingKey(path, type, def, description);
    }

    public static SettingKey byPath(String path) {
        for (SettingKey k : ALL) if (k.path.equals(path)) return k;
        throw new IllegalArgumentException("No setting " + path);
    }
}
