package dev.synthiabot.bot.app;

import dev.synthiabot.adapter.SynthiaChatModel;
import dev.synthiabot.bot.answer.AnswerLanguage;
import dev.synthiabot.bot.answer.Translation;
import dev.synthiabot.bot.discord.DiscordStartException;
import dev.synthiabot.bot.servers.ModelServers;
import dev.synthiabot.bot.terminal.TerminalAnswer;
import dev.synthiabot.bot.terminal.TerminalChat;
import dev.synthiabot.config.BotSettings;
import dev.synthiabot.config.ConfigException;
import dev.synthiabot.config.GenerationSettings;
import dev.synthiabot.config.ModelSettings;
import dev.synthiabot.config.PromptSettings;
import dev.synthiabot.config.ProviderSettings;
import dev.synthiabot.config.SettingsLoader;
import dev.synthiabot.config.prompts.ChannelPromptStore;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;

/**
 * The composition root. {@code run} (the default): settings → Vector API check → prompt store → Discord (online,
 * "loading the model") → model → answering. {@code prepare-model}: settings → the model's download, conversion and
 * quantization, then exit. Each way it can fail ends the process with one clear line and an {@link ExitCode}.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new Cli()).setExecutionExceptionHandler((e, cmd, parsed) -> {
            log.error("synthia-bot stopped on an unexpected error", e);
            return ExitCode.UNEXPECTED.code;
        }).execute(args));
    }

    /** Runs the bot; returns why it must end now, or never returns: a signal's {@link Shutdown} ends the process. */
    static ExitCode runBot(Optional<Path> configFlag) throws InterruptedException {
        Map<String, String> env = System.getenv();
        Optional<BotSettings> loaded = settings(configFlag, env, true);
        if (loaded.isEmpty()) return ExitCode.BAD_SETTINGS;
        BotSettings settings = loaded.get();
        if (!vectorApiPresent()) return ExitCode.JAVA;

        ChannelPromptStore prompts;
        try {
            prompts = new ChannelPromptStore(settings.storage().databasePath(), settings.prompts().defaultSystem(), settings.prompts().maxLength());
        } catch (IllegalStateException e) {
            System.err.println("error: " + e.getMessage() + " (storage.database_path)");
            return ExitCode.BAD_SETTINGS;
        }
        settings.prompts().channels().forEach(prompts::seed);
        BotApp app;
        try {
            app = BotApp.connect(settings, prompts);
        } catch (DiscordStartException e) {
            log.error(e.getMessage());
            prompts.close();
            return ExitCode.of(e.reason());
        } catch (UncheckedIOException e) { // the metrics port is taken or cannot be bound
            System.err.println("error: " + e.getMessage());
            prompts.close();
            return ExitCode.BAD_SETTINGS;
        }
        Shutdown shutdown = new Shutdown("synthia-bot", app::close, prompts);
        shutdown.onSignals();

        if (settings.provider().provider() == ProviderSettings.Provider.OPENAI) {
            ModelServers servers = ModelServers.connect(settings.provider(), settings.generation());
            if (shutdown.model(servers)) app.modelReady(servers, servers.places());
        } else {
            SynthiaChatModel model;
            try {
                model = modelBuilder(settings.model(), settings.generation(), env).loadProgress((step, done, total, left) -> app.loadProgress(left))
                    .build();
            } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException | OutOfMemoryError e) {
                // Bad model directory, failed download or conversion, a heap too small: say what and stop.
                log.error("Cannot load the model: {}", reason(e));
                shutdown.run();
                return ExitCode.MODEL;
            }
            if (shutdown.model(model)) app.modelReady(model, model.maxConcurrent()); // else a signal came while the model loaded: the shutdown exits
        }
        Thread.currentThread().join(); // runs until a signal's shutdown exits the process
        return ExitCode.STOPPED;
    }

    /** The model behind the OpenAI-compatible API ({@code serve}) until a signal drains it: no Discord, no token. */
    static ExitCode serve(Optional<Path> configFlag, Optional<Integer> port) throws InterruptedException {
        Map<String, String> env = System.getenv();
        Optional<BotSettings> settings = settings(configFlag, env, false);
        if (settings.isEmpty()) return ExitCode.BAD_SETTINGS;
        if (!vectorApiPresent()) return ExitCode.JAVA;
        return Serve.run(settings.get(), port, env);
    }

    /** Downloads, converts and quantizes the model as a first start would, then stops: no Discord, no token. */
    static ExitCode prepareModel(Optional<Path> configFlag) {
        Map<String, String> env = System.getenv();
        Optional<BotSettings> settings = settings(configFlag, env, false);
        if (settings.isEmpty()) return ExitCode.BAD_SETTINGS;
        if (!vectorApiPresent()) return ExitCode.JAVA;
        try {
            Path ready = modelBuilder(settings.get().model(), settings.get().generation(), env).prepare();
            log.info("The model is ready in {}: the bot starts from it without downloading or converting anything", ready);
            return ExitCode.STOPPED;
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException | OutOfMemoryError e) {
            log.error("Cannot prepare the model: {}", reason(e));
            return ExitCode.MODEL;
        }
    }

    /**
     * Answers one question in the terminal with the bot's model and settings ({@code ask}, {@code translate}):
     * {@code system} empty means the default system prompt, {@code translateTo} a {@code prompts.translation} language.
     */
    static ExitCode answerInTerminal(Optional<Path> configFlag, Optional<String> system, Optional<String> translateTo, String text) {
        Map<String, String> env = System.getenv();
        Optional<BotSettings> loaded = settings(configFlag, env, false);
        if (loaded.isEmpty()) return ExitCode.BAD_SETTINGS;
        BotSettings settings = loaded.get();
        String prompt;
        if (translateTo.isPresent()) {
            prompt = settings.prompts().translation().get(translateTo.get());
            if (prompt == null) {
                System.err.println("error: no translation into '" + translateTo.get() + "'; prompts.translation has: "
                    + String.join(", ", settings.prompts().translation().keySet()));
                return ExitCode.BAD_SETTINGS;
            }
        } else {
            prompt = system.orElse(settings.prompts().defaultSystem());
        }
        if (!vectorApiPresent()) return ExitCode.JAVA;
        Optional<Translation> translation = translateTo.isPresent() ? Optional.empty() : terminalTranslation(settings.prompts(), text);
        return inTerminal(settings, env, model -> TerminalAnswer.stream(model, prompt, text, translation, System.out));
    }

    /** The answer language rules of the bot in a terminal: the settings' answer language, the terminal's locale for short questions. */
    private static Optional<Translation> terminalTranslation(PromptSettings prompts, String question) {
        return AnswerLanguage.translation(prompts.answerLanguage(), question, java.util.Locale.getDefault().toLanguageTag(), prompts);
    }

    private interface TerminalUse {
        void run(SynthiaChatModel model) throws Exception;
    }

    /** Loads the model for a terminal command, runs it, closes the model; failures become one line and exit 3. */
    private static ExitCode inTerminal(BotSettings settings, Map<String, String> env, TerminalUse use) {
        try (SynthiaChatModel model = modelBuilder(settings.model(), settings.generation(), env).build()) {
            use.run(model);
            return ExitCode.STOPPED;
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException | OutOfMemoryError e) {
            log.error("Cannot load the model: {}", reason(e));
            return ExitCode.MODEL;
        } catch (Exception e) {
            log.error("The model failed: {}", e.toString());
            return ExitCode.MODEL;
        }
    }

    /** What to tell the user; a full heap gets advice instead of a stack trace. */
    static String reason(Throwable e) {
        if (e instanceof OutOfMemoryError) {
            return "the heap is too small for the model (" + e.getMessage() + ", -Xmx " + (Runtime.getRuntime().maxMemory() >> 20)
                + " MB): keep the launcher's default -Xmx8g or raise -Xmx in JAVA_OPTS (SynthIA-7B in Q4 needs ~4.1 GB plus model.kv_cache_mb), "
                + "or lower model.kv_cache_mb";
        }
        return e.getMessage();
    }

    /** A conversation in the terminal ({@code chat}) with the bot's model and settings, until Ctrl-D. */
    static ExitCode chat(Optional<Path> configFlag, Optional<String> system) {
        Map<String, String> env = System.getenv();
        Optional<BotSettings> loaded = settings(configFlag, env, false);
        if (loaded.isEmpty()) return ExitCode.BAD_SETTINGS;
        if (!vectorApiPresent()) return ExitCode.JAVA;
        BotSettings settings = loaded.get();
        return inTerminal(settings, env, model -> new TerminalChat(model, system.orElse(settings.prompts().defaultSystem()),
                question -> terminalTranslation(settings.prompts(), question), System.out, () -> System.exit(ExitCode.STOPPED.code))
            .run(new java.io.BufferedReader(new java.io.InputStreamReader(System.in, java.nio.charset.StandardCharsets.UTF_8))));
    }

    private static Optional<BotSettings> settings(Optional<Path> configFlag, Map<String, String> env, boolean needsToken) {
        boolean explicit = configFlag.isPresent() || env.containsKey(SettingsLoader.CONFIG_ENV);
        try {
            BotSettings settings = SettingsLoader.load(SettingsLoader.settingsPath(configFlag, env), explicit, env, needsToken);
            Logging.apply(settings.logging());
            log.info("Settings: {}", settings);
            return Optional.of(settings);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return Optional.empty();
        }
    }

    private static boolean vectorApiPresent() {
        Optional<String> problem = SynthiaChatModel.vectorApiProblem();
        problem.ifPresent(p -> System.err.println("error: " + p + " (scripts/run-bot, bot/target/synthia-bot and the Docker image do)"));
        return problem.isEmpty();
    }

    /** The model as the settings describe it: downloaded from the hub first unless {@code model.local_path} is set. */
    static SynthiaChatModel.Builder modelBuilder(ModelSettings m, GenerationSettings g, Map<String, String> env) {
        m.localPath().filter(p -> !Files.isDirectory(p)).ifPresent(p -> {
            throw new IllegalArgumentException("model.local_path: " + p + " is not a directory");
        });
        SynthiaChatModel.Builder b = SynthiaChatModel.builder();
        m.localPath().ifPresentOrElse(b::modelPath,
            () -> b.huggingFace(m.huggingfaceId(), m.huggingfaceRevision(), m.huggingfaceUrl(), env.get("HF_TOKEN")));
        return b
            .quantize(m.quantizeToQ4())
            .cacheDir(m.cacheDir())
            .activations(m.q8Activations() ? SynthiaChatModel.Activations.Q8 : SynthiaChatModel.Activations.F32)
            .threads(m.threads() > 0 ? m.threads() : null)
            .contextWindow(m.contextWindow())
            .kvCacheBytes((long) m.kvCacheMb() << 20)
            .maxConcurrent(m.maxConcurrent() > 0 ? m.maxConcurrent() : null)
            .kvCachePrecision(m.bf16KvCache() ? SynthiaChatModel.KvCachePrecision.BF16 : SynthiaChatModel.KvCachePrecision.F32)
            .temperature(g.temperature())
            .topK(g.topK())
            .topP(g.topP())
            .maxOutputTokens(g.maxNewTokens())
            .stopSequences(g.stopSequences());
    }
}
