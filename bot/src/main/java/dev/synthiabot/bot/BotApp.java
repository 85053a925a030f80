package dev.synthiabot.bot;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.synthiabot.bot.ask.AskCommand;
import dev.synthiabot.bot.discord.CommandCatalog;
import dev.synthiabot.bot.discord.CommandRegistrar;
import dev.synthiabot.bot.discord.CommandRouter;
import dev.synthiabot.bot.discord.DiscordConnection;
import dev.synthiabot.bot.discord.DiscordStartException;
import dev.synthiabot.bot.mention.MentionReply;
import dev.synthiabot.bot.metrics.BotMetrics;
import dev.synthiabot.bot.metrics.DiscordRestMetrics;
import dev.synthiabot.bot.metrics.MetricsServer;
import dev.synthiabot.bot.prompt.PromptCommand;
import dev.synthiabot.bot.queue.DaemonThreads;
import dev.synthiabot.bot.queue.InferenceQueue;
import dev.synthiabot.bot.recovery.PendingReplies;
import dev.synthiabot.bot.recovery.RestartRecovery;
import dev.synthiabot.bot.reply.Mentions;
import dev.synthiabot.bot.reply.Renderer;
import dev.synthiabot.bot.status.StatusCommand;
import dev.synthiabot.bot.translate.TranslateCommand;
import dev.synthiabot.config.BotSettings;
import dev.synthiabot.config.LimitSettings;
import dev.synthiabot.config.prompts.ChannelPromptStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.OnlineStatus;
import net.dv8tion.jda.api.utils.messages.MessageRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running bot: the queue, the features, the Discord connection. It connects first (so a bad token or a
 * missing intent is reported before minutes of model loading), finishes what a killed run left in flight, answers
 * "loading" until {@link #modelReady}, and {@link #close()} shuts down in order: no new requests, the running answer
 * finishes or is ended with a note, waiting users are told, every final text is out — and only then is JDA stopped.
 */
public final class BotApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BotApp.class);
    /** Bounds the wait for final texts at shutdown: a final edit's retries take up to ~15 s, then a fallback post. */
    private static final Duration DELIVERY_WAIT = Duration.ofSeconds(40);

    private final BotSettings settings;
    private final InferenceQueue queue;
    private final Renderer renderer;
    private final ExecutorService storage;
    private final PendingReplies pending;
    private final Feature feature;
    private final JDA jda;
    private final MetricsServer metricsServer;
    private boolean closed;

    private BotApp(BotSettings settings, InferenceQueue queue, Renderer renderer, ExecutorService storage, PendingReplies pending,
                   Feature feature, JDA jda, MetricsServer metricsServer) {
        this.metricsServer = metricsServer;
        this.settings = settings;
        this.queue = queue;
        this.renderer = renderer;
        this.storage = storage;
        this.pending = pending;
        this.feature = feature;
        this.jda = jda;
    }

    /** Connects to Discord, waits until ready, finishes leftovers of a killed run, registers the commands if they changed. */
    public static BotApp connect(BotSettings settings, ChannelPromptStore prompts) throws DiscordStartException, InterruptedException {
        // Whatever the model writes (@everyone, <@&role>, <@user>), nobody is ever pinged.
        MessageRequest.setDefaultMentions(Mentions.none());
        MessageRequest.setDefaultMentionRepliedUser(false);
        LimitSettings limits = settings.limits();
        InferenceQueue queue = new InferenceQueue(limits.queueCapacity(), limits.perUserConcurrent(),
            Duration.ofSeconds(limits.perUserCooldownSeconds()), Duration.ofSeconds(limits.generationTimeoutSeconds()), Clock.systemUTC());
        Renderer renderer = new Renderer();
        ExecutorService storage = Executors.newSingleThreadExecutor(DaemonThreads.named("prompt-storage"));
        PendingReplies pending = new PendingReplies(settings.storage().databasePath());
        BotMetrics metrics = new BotMetrics();
        metrics.queue(queue::runningCount, queue::waitingCount);
        Feature feature = new Feature(queue, prompts, settings, renderer, pending, metrics);
        AtomicReference<JDA> connected = new AtomicReference<>();
        MetricsServer server = null;
        if (settings.metrics().enabled()) {
            try {
                server = new MetricsServer(settings.metrics().bind(), settings.metrics().port(), metrics, feature::modelLoaded,
                    () -> connected.get() != null && connected.get().getStatus() == JDA.Status.CONNECTED);
            } catch (IOException e) {
                queue.shutdown(Duration.ZERO);
                renderer.close();
                storage.shutdownNow();
                pending.close();
                throw new UncheckedIOException("metrics.port: cannot listen on " + settings.metrics().bind() + ":" + settings.metrics().port()
                    + " (" + e.getMessage() + ")", e);
            }
        }
        String modelName = settings.model().localPath().map(p -> p.getFileName().toString()).orElse(settings.model().huggingfaceId()
            + " (" + settings.model().huggingfaceRevision() + ")");
        CommandRouter router = new CommandRouter(new AskCommand(feature), new TranslateCommand(feature),
            new PromptCommand(feature, storage), new StatusCommand(modelName, feature::modelStatus, queue, feature.stats), new MentionReply(feature), queue);
        JDA jda;
        try {
            jda = DiscordConnection.connect(settings.discord(), router, "Loading the model…", new DiscordRestMetrics(metrics));
        } catch (DiscordStartException | InterruptedException | RuntimeException e) {
            if (server != null) server.close();
            queue.shutdown(Duration.ZERO);
            renderer.close();
            storage.shutdownNow();
            pending.close();
            throw e;
        }
        connected.set(jda);
        if (!jda.getUnavailableGuilds().isEmpty()) log.warn("Guilds unavailable at start: {}", jda.getUnavailableGuilds());
        new RestartRecovery(jda, pending, Clock.systemUTC()).finishLeftovers();
        CommandRegistrar.register(jda, settings.discord().guildIds(),
            CommandCatalog.commands(settings.prompts().translation().keySet(), limits.maxInputChars()));
        log.info("synthia-bot is online as {} in {} guild(s); the model is loading", jda.getSelfUser().getName(), jda.getGuilds().size());
        return new BotApp(settings, queue, renderer, storage, pending, feature, jda, server);
    }

    /** Connects with a model that is already loaded (tests, embedding). */
    public static BotApp start(BotSettings settings, StreamingChatModel model, ChannelPromptStore prompts) throws DiscordStartException, InterruptedException {
        BotApp app = connect(settings, prompts);
        app.modelReady(model, 1);
        return app;
    }

    /** Starts answering, up to {@code answersAtOnce} at once (the model's limit on answers generated together). */
    public void modelReady(StreamingChatModel model, int answersAtOnce) {
        queue.runUpTo(answersAtOnce);
        feature.modelReady(model);
        jda.getPresence().setPresence(OnlineStatus.ONLINE, null);
        log.info("Ready: answering with the model");
    }

    public JDA jda() {
        return jda;
    }

    /**
     * Stops taking work; the running answer may finish for {@code limits.shutdown_grace_seconds}, then ends with a
     * restart note; waiting users are told; once every final text is out (bounded), Discord is disconnected.
     */
    @Override
    public synchronized void close() {
        if (closed) return;
        closed = true;
        long t0 = System.nanoTime();
        Duration grace = Duration.ofSeconds(settings.limits().shutdownGraceSeconds());
        log.info("Shutting down: no new requests; the running answer has {} s to finish", grace.toSeconds());
        queue.shutdown(grace);
        if (!feature.awaitDelivered(DELIVERY_WAIT)) log.warn("Some final answers could not be shown within {} s", DELIVERY_WAIT.toSeconds());
        log.info("Every answer is final ({} ms after the shutdown began); disconnecting from Discord", (System.nanoTime() - t0) / 1_000_000);
        renderer.close();
        storage.shutdown();
        try {
            storage.awaitTermination(10, TimeUnit.SECONDS);
            jda.shutdown();
            if (!jda.awaitShutdown(Duration.ofSeconds(10))) jda.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            jda.shutdownNow();
        }
        pending.close();
        if (metricsServer != null) metricsServer.close();
    }
}
