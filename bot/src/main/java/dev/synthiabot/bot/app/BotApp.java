package dev.synthiabot.bot.app;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.synthiabot.bot.answer.AccessPolicy;
import dev.synthiabot.bot.answer.AnswerOriginals;
import dev.synthiabot.bot.answer.Answers;
import dev.synthiabot.bot.answer.ChannelPrompts;
import dev.synthiabot.bot.commands.AnswerAgainButtonHandler;
import dev.synthiabot.bot.commands.AskCommand;
import dev.synthiabot.bot.commands.CancelButtonHandler;
import dev.synthiabot.bot.commands.CommandRegistrar;
import dev.synthiabot.bot.commands.CommandRouter;
import dev.synthiabot.bot.commands.MessageCommand;
import dev.synthiabot.bot.commands.PromptCommand;
import dev.synthiabot.bot.commands.ShowReasoningButtonHandler;
import dev.synthiabot.bot.commands.SlashCommand;
import dev.synthiabot.bot.commands.StatusCommand;
import dev.synthiabot.bot.commands.TranslateCommand;
import dev.synthiabot.bot.commands.TranslateMessageCommand;
import dev.synthiabot.bot.discord.DiscordConnection;
import dev.synthiabot.bot.discord.DiscordStartException;
import dev.synthiabot.bot.mention.MentionReply;
import dev.synthiabot.bot.metrics.BotMetrics;
import dev.synthiabot.bot.metrics.DiscordRestMetrics;
import dev.synthiabot.bot.metrics.MetricsServer;
import dev.synthiabot.bot.queue.InferenceQueue;
import dev.synthiabot.bot.recovery.PendingReplies;
import dev.synthiabot.bot.recovery.RestartRecovery;
import dev.synthiabot.bot.reply.AllowedMentions;
import dev.synthiabot.bot.reply.Renderer;
import dev.synthiabot.config.BotSettings;
import dev.synthiabot.config.LimitSettings;
import dev.synthiabot.config.prompts.ChannelPromptStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.OnlineStatus;
import net.dv8tion.jda.api.utils.messages.MessageRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running bot: the queue, the features, the Discord connection. It connects first (so a bad token or a
 * missing intent is reported before minutes of model loading), finishes what a killed run left in flight, queues
 * questions while the model loads ({@link #loadProgress}) and answers them from {@link #modelReady}, and
 * {@link #close()} shuts down in order: no new requests, the running answer finishes or is ended with a note, waiting
 * users are told, every final text is out — and only then is JDA stopped.
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
    private final AnswerOriginals originals;
    private final Answers answers;
    private final JDA jda;
    private final MetricsServer metricsServer;
    private boolean closed;

    private BotApp(BotSettings settings, InferenceQueue queue, Renderer renderer, ExecutorService storage, PendingReplies pending,
                   AnswerOriginals originals, Answers answers, JDA jda, MetricsServer metricsServer) {
        this.originals = originals;
        this.metricsServer = metricsServer;
        this.settings = settings;
        this.queue = queue;
        this.renderer = renderer;
        this.storage = storage;
        this.pending = pending;
        this.answers = answers;
        this.jda = jda;
    }

    /** Connects to Discord, waits until ready, finishes leftovers of a killed run, registers the commands if they changed. */
    public static BotApp connect(BotSettings settings, ChannelPromptStore prompts) throws DiscordStartException, InterruptedException {
        return connect(settings, prompts, answers -> List.of());
    }

    /**
     * As {@link #connect(BotSettings, ChannelPromptStore)}, with slash commands of the embedder's beside the bot's own
     * (built once the answer pipeline exists: a command that asks the model takes {@link Answers}).
     */
    public static BotApp connect(BotSettings settings, ChannelPromptStore store, Function<Answers, List<SlashCommand>> extraCommands)
            throws DiscordStartException, InterruptedException {
        // Whatever the model writes (@everyone, <@&role>, <@user>), nobody is ever pinged.
        MessageRequest.setDefaultMentions(AllowedMentions.none());
        MessageRequest.setDefaultMentionRepliedUser(false);
        LimitSettings limits = settings.limits();
        InferenceQueue queue = new InferenceQueue(limits.queueCapacity(), limits.perUserConcurrent(),
            Duration.ofSeconds(limits.perUserCooldownSeconds()), Duration.ofSeconds(limits.generationTimeoutSeconds()), Clock.systemUTC());
        Renderer renderer = new Renderer();
        ExecutorService storage = Executors.newSingleThreadExecutor(Thread.ofPlatform().name("prompt-storage").daemon().factory());
        PendingReplies pending = new PendingReplies(settings.storage().databasePath());
        BotMetrics metrics = new BotMetrics();
        metrics.queue(queue::runningCount, queue::waitingCount);
        AccessPolicy access = new AccessPolicy(settings.access());
        ChannelPrompts prompts = new ChannelPrompts(store);
        AnswerOriginals originals = new AnswerOriginals(settings.storage().databasePath(), Clock.systemUTC());
        Answers answers = new Answers(queue, access, prompts, settings.prompts(), originals, renderer, pending, metrics, limits.maxInputChars(),
            limits.replyEditIntervalMs(), limits.generationTimeoutSeconds());
        metrics.modelServers(answers::servers);
        AtomicReference<JDA> connected = new AtomicReference<>();
        MetricsServer server = null;
        if (settings.metrics().enabled()) {
            try {
                server = new MetricsServer(settings.metrics().bind(), settings.metrics().port(), metrics, answers::modelLoaded,
                    () -> connected.get() != null && connected.get().getStatus() == JDA.Status.CONNECTED);
            } catch (IOException e) {
                queue.shutdown(Duration.ZERO);
                renderer.close();
                storage.shutdownNow();
                pending.close();
                originals.close();
                throw new UncheckedIOException("metrics.port: cannot listen on " + settings.metrics().bind() + ":" + settings.metrics().port()
                    + " (" + e.getMessage() + ")", e);
            }
        }
        String modelName = settings.model().localPath().map(p -> p.getFileName().toString()).orElse(settings.model().huggingfaceId()
            + " (" + settings.model().huggingfaceRevision() + ")");

        // The bot's commands: adding one is a class of its own and a line here.
        TranslateCommand translate = new TranslateCommand(answers, settings.prompts().translation(), limits.maxInputChars());
        List<SlashCommand> slash = new ArrayList<>(List.of(
            new AskCommand(answers, limits.maxInputChars()),
            translate,
            new PromptCommand(prompts, settings.prompts(), access, storage),
            new StatusCommand(modelName, answers::modelStatus, answers::servers, queue, answers.stats())));
        slash.addAll(extraCommands.apply(answers));
        List<MessageCommand> message = settings.prompts().translation().containsKey("ja") ? List.of(new TranslateMessageCommand(translate)) : List.of();
        CommandRouter router = new CommandRouter(slash, message,
            List.of(new CancelButtonHandler(queue), new ShowReasoningButtonHandler(answers::original, storage), AnswerAgainButtonHandler.regenerate(answers),
                AnswerAgainButtonHandler.goOn(answers)), new MentionReply(answers, prompts, access));

        JDA jda;
        try {
            jda = DiscordConnection.connect(settings.discord(), router, "Loading the model…", new DiscordRestMetrics(metrics));
        } catch (DiscordStartException | InterruptedException | RuntimeException e) {
            if (server != null) server.close();
            queue.shutdown(Duration.ZERO);
            renderer.close();
            storage.shutdownNow();
            pending.close();
            originals.close();
            throw e;
        }
        connected.set(jda);
        if (!jda.getUnavailableGuilds().isEmpty()) log.warn("Guilds unavailable at start: {}", jda.getUnavailableGuilds());
        new RestartRecovery(jda, pending, Clock.systemUTC()).finishLeftovers();
        CommandRegistrar.register(jda, settings.discord().guildIds(), router.definitions());
        log.info("synthia-bot is online as {} in {} guild(s); the model is loading", jda.getSelfUser().getName(), jda.getGuilds().size());
        return new BotApp(settings, queue, renderer, storage, pending, originals, answers, jda, server);
    }

    /** Connects with a model that is already loaded (tests, embedding). */
    public static BotApp start(BotSettings settings, StreamingChatModel model, ChannelPromptStore prompts) throws DiscordStartException, InterruptedException {
        BotApp app = connect(settings, prompts);
        app.modelReady(model, 1);
        return app;
    }

    /** Starts answering, up to {@code answersAtOnce} at once (the model's limit on answers generated together). */
    public void modelReady(StreamingChatModel model, int answersAtOnce) {
        answers.modelReady(model);
        queue.runUpTo(answersAtOnce);
        jda.getPresence().setPresence(OnlineStatus.ONLINE, null);
        log.info("Ready: answering with the model");
    }

    /** How long the model's load has left, shown to the askers waiting for it. */
    public void loadProgress(Optional<Duration> left) {
        answers.loadProgress(left);
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
        if (!answers.awaitDelivered(DELIVERY_WAIT)) log.warn("Some final answers could not be shown within {} s", DELIVERY_WAIT.toSeconds());
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
        originals.close();
        if (metricsServer != null) metricsServer.close();
    }
}
