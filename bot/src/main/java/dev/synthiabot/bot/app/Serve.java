package dev.synthiabot.bot.app;

import dev.synthiabot.adapter.SynthiaChatModel;
import dev.synthiabot.bot.metrics.BotMetrics;
import dev.synthiabot.config.BotSettings;
import dev.synthiabot.config.Secret;
import dev.synthiabot.config.ServerSettings;
import dev.synthiabot.server.OpenAiServer;
import dev.synthiabot.server.OpenAiServerSettings;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code serve}: the bot's model behind the OpenAI Chat Completions API, for a bot (or any client) on another
 * machine. The API listens at once ({@code /health} says loading, requests get 503) while the model loads; SIGTERM or
 * Ctrl-C drains it: new requests get 503, running answers may finish for {@code limits.shutdown_grace_seconds} and
 * otherwise end as {@code length}; then the model is closed and the process exits 0.
 */
final class Serve {
    private static final Logger log = LoggerFactory.getLogger(Serve.class);

    private Serve() {}

    static ExitCode run(BotSettings settings, Optional<Integer> portFlag, Map<String, String> env) throws InterruptedException {
        ServerSettings s = settings.server();
        // Until the model says how many answers it batches (model.max_concurrent 0 = its own choice), one at a time.
        int placesUntilLoaded = Math.max(1, settings.model().maxConcurrent());
        OpenAiServerSettings api = OpenAiServerSettings.defaults(modelId(settings))
            .withBindAddress(s.bind())
            .withPort(portFlag.orElse(s.port()))
            .withApiKeys(s.apiKeys().stream().map(Secret::reveal).collect(Collectors.toSet()))
            .withQueueCapacity(s.queueCapacity())
            .withMaxConcurrent(placesUntilLoaded)
            .withMaxBodyKb(s.maxBodyKb())
            .withContextWindowTokens(settings.model().contextWindow())
            .withShutdownGrace(Duration.ofSeconds(settings.limits().shutdownGraceSeconds()));
        OpenAiServer server;
        try {
            server = new OpenAiServer(api, BotMetrics.processRegistry()).start();
        } catch (UncheckedIOException | IllegalStateException e) {
            System.err.println("error: server.port: cannot listen on " + s.bind() + ":" + api.port() + " (" + e.getMessage() + ")");
            return ExitCode.BAD_SETTINGS;
        }
        Shutdown shutdown = new Shutdown("synthia-bot serve", server::drain, () -> {});
        shutdown.onSignals();

        SynthiaChatModel model;
        try {
            model = Main.modelBuilder(settings.model(), settings.generation(), env).build();
        } catch (IllegalArgumentException | IllegalStateException | UncheckedIOException | OutOfMemoryError e) {
            log.error("Cannot load the model: {}", Main.reason(e));
            server.close();
            return ExitCode.MODEL;
        }
        if (shutdown.model(model)) server.modelReady(model, model.maxConcurrent()); // else a signal came while it loaded
        Thread.currentThread().join(); // runs until a signal's drain exits the process
        return ExitCode.STOPPED;
    }

    /** The name clients ask for: the Hugging Face model's, lower case (SynthIA-7B-v1.3: {@code synthia-7b-v1.3}, what {@code model.endpoints} asks for by default). */
    static String modelId(BotSettings settings) {
        return settings.model().localPath().map(p -> p.getFileName().toString().toLowerCase(java.util.Locale.ROOT))
            .orElseGet(() -> {
                String id = settings.model().huggingfaceId();
                return id.substring(id.indexOf('/') + 1).toLowerCase(java.util.Locale.ROOT);
            });
    }
}
