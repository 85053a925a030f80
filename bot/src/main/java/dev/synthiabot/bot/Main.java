package dev.synthiabot.bot;

import dev.synthiabot.adapter.SynthiaChatModel;
import dev.synthiabot.adapter.kernels.KvCache;
import dev.synthiabot.adapter.kernels.Q4Kernels;
import dev.synthiabot.adapter.loading.ModelProvisioner;
import dev.synthiabot.bot.discord.DiscordStartException;
import dev.synthiabot.config.BotSettings;
import dev.synthiabot.config.ConfigException;
import dev.synthiabot.config.GenerationSettings;
import dev.synthiabot.config.ModelSettings;
import dev.synthiabot.config.SettingsLoader;
import dev.synthiabot.config.prompts.ChannelPromptStore;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The composition root: settings → Vector API check → prompt store → Discord (online, "loading the model") → model
 * → answering. Each way it can fail ends the process with one clear line and an {@link ExitCode}.
 */
public final class Main {
    private static final Logger log = LoggerFactory.getLogger(Main.class);

    private Main() {}

    public static void main(String[] args) {
        ExitCode code;
        try {
            code = run(args);
        } catch (Throwable e) {
            log.error("synthia-bot stopped on an unexpected error", e);
            code = ExitCode.UNEXPECTED;
        }
        System.exit(code.code);
    }

    /** Starts the bot; returns why the process must end now, or never returns: a signal's {@link Shutdown} ends it. */
    private static ExitCode run(String[] args) throws InterruptedException {
        Map<String, String> env = System.getenv();
        boolean explicit = Arrays.asList(args).stream().anyMatch(a -> a.startsWith(SettingsLoader.CONFIG_FLAG)) || env.containsKey(SettingsLoader.CONFIG_ENV);
        Path file = SettingsLoader.settingsPath(args, env);
        BotSettings settings;
        try {
            settings = SettingsLoader.load(file, explicit, env);
        } catch (ConfigException e) {
            System.err.println(e.getMessage());
            return ExitCode.BAD_SETTINGS;
        }
        if (ModuleLayer.boot().findModule("jdk.incubator.vector").isEmpty()) {
            System.err.println("error: the JVM lacks the Vector API: start it with --add-modules jdk.incubator.vector "
                + "(scripts/run-bot, bot/target/synthia-bot and the Docker image do)");
            return ExitCode.JAVA;
        }
        log.info("Settings: {}", settings);

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
            return e.exitCode();
        }
        Shutdown shutdown = new Shutdown(app, prompts);
        shutdown.onSignals();

        SynthiaChatModel model;
        try {
            model = buildModel(settings.model(), settings.generation(), Optional.ofNullable(env.get("HF_TOKEN")));
        } catch (IllegalArgumentException | IllegalStateException | java.io.UncheckedIOException e) {
            // Bad model directory, failed download or conversion, missing JVM flag: say what and stop.
            log.error("Cannot load the model: {}", e.getMessage());
            shutdown.run();
            return ExitCode.MODEL;
        }
        if (shutdown.model(model)) app.modelReady(model); // else a signal came while the model loaded: the shutdown exits
        Thread.currentThread().join(); // runs until a signal's shutdown exits the process
        return null;
    }

    static SynthiaChatModel buildModel(ModelSettings m, GenerationSettings g, Optional<String> hfToken) {
        m.localPath().filter(p -> !java.nio.file.Files.isDirectory(p)).ifPresent(p -> {
            throw new IllegalArgumentException("model.local_path: " + p + " is not a directory");
        });
        Path dir = m.localPath()
            .map(p -> ModelProvisioner.local(p, m.cacheDir()))
            .orElseGet(() -> ModelProvisioner.fromHub(m.huggingfaceId(), m.huggingfaceRevision(), m.huggingfaceUrl(), m.cacheDir(), hfToken));
        return SynthiaChatModel.builder()
            .modelPath(dir)
            .modelName(m.localPath().isPresent() ? dir.getFileName().toString() : m.huggingfaceId())
            .quantize(m.quantizeToQ4())
            .cacheDir(m.cacheDir())
            .activations(m.q8Activations() ? Q4Kernels.Activations.Q8 : Q4Kernels.Activations.F32)
            .threads(m.threads() > 0 ? m.threads() : null)
            .contextWindow(m.contextWindow())
            .kvCacheBytes((long) m.kvCacheMb() << 20)
            .kvCachePrecision(m.bf16KvCache() ? KvCache.Precision.BF16 : KvCache.Precision.F32)
            .temperature(g.temperature())
            .topK(g.topK())
            .topP(g.topP())
            .maxOutputTokens(g.maxNewTokens())
            .stopSequences(g.stopSequences())
            .build();
    }
}
