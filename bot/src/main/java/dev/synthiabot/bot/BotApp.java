package dev.synthiabot.bot;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.synthiabot.bot.ask.AskCommand;
import dev.synthiabot.bot.discord.CommandCatalog;
import dev.synthiabot.bot.discord.CommandRegistrar;
import dev.synthiabot.bot.discord.CommandRouter;
import dev.synthiabot.bot.discord.DiscordConnection;
import dev.synthiabot.bot.mention.MentionReply;
import dev.synthiabot.bot.prompt.PromptCommand;
import dev.synthiabot.bot.queue.DaemonThreads;
import dev.synthiabot.bot.queue.InferenceQueue;
import dev.synthiabot.bot.reply.Mentions;
import dev.synthiabot.bot.translate.TranslateCommand;
import dev.synthiabot.config.BotSettings;
import dev.synthiabot.config.LimitSettings;
import dev.synthiabot.config.prompts.ChannelPromptStore;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.utils.messages.MessageRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The running bot: the queue, the features, the Discord connection; {@link #close()} shuts it down in order. */
public final class BotApp implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(BotApp.class);

    private final InferenceQueue queue;
    private final ScheduledExecutorService scheduler;
    private final ExecutorService storage;
    private final JDA jda;

    private BotApp(InferenceQueue queue, ScheduledExecutorService scheduler, ExecutorService storage, JDA jda) {
        this.queue = queue;
        this.scheduler = scheduler;
        this.storage = storage;
        this.jda = jda;
    }

    /** Connects to Discord, waits until ready, registers the commands if they changed. */
    public static BotApp start(BotSettings settings, StreamingChatModel model, ChannelPromptStore prompts) throws InterruptedException {
        // Whatever the model writes (@everyone, <@&role>, <@user>), nobody is ever pinged.
        MessageRequest.setDefaultMentions(Mentions.none());
        MessageRequest.setDefaultMentionRepliedUser(false);
        LimitSettings limits = settings.limits();
        InferenceQueue queue = new InferenceQueue(limits.queueCapacity(), limits.perUserConcurrent(),
            Duration.ofSeconds(limits.perUserCooldownSeconds()), Duration.ofSeconds(limits.generationTimeoutSeconds()), Clock.systemUTC());
        ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(2, DaemonThreads.named("reply-renderer"));
        ExecutorService storage = Executors.newSingleThreadExecutor(DaemonThreads.named("prompt-storage"));
        Feature feature = new Feature(model, queue, prompts, settings, scheduler);
        CommandRouter router = new CommandRouter(new AskCommand(feature), new TranslateCommand(feature),
            new PromptCommand(feature, storage), new MentionReply(feature), queue);
        JDA jda = DiscordConnection.connect(settings.discord(), router);
        try {
            jda.awaitReady();
        } catch (InterruptedException | RuntimeException e) {
            jda.shutdownNow();
            queue.shutdown(Duration.ZERO);
            throw e;
        }
        if (!jda.getUnavailableGuilds().isEmpty()) log.warn("Guilds unavailable at start: {}", jda.getUnavailableGuilds());
        CommandRegistrar.register(jda, settings.discord().guildIds(),
            CommandCatalog.commands(settings.prompts().translation().keySet(), limits.maxInputChars()));
        log.info("synthia-bot is online as {} in {} guild(s)", jda.getSelfUser().getName(), jda.getGuilds().size());
        return new BotApp(queue, scheduler, storage, jda);
    }


    public JDA jda() {
        return jda;
    }

    public InferenceQueue queue() {
        return queue;
    }

    /** Stops taking work, lets the running answer finish (up to 30 s) and tells waiting users, then disconnects. */
    @Override
    public void close() {
        log.info("Shutting down: no new requests; finishing or cancelling the one in progress");
        queue.shutdown(Duration.ofSeconds(30));
        scheduler.shutdown();
        storage.shutdown();
        try {
            scheduler.awaitTermination(10, TimeUnit.SECONDS);
            storage.awaitTermination(10, TimeUnit.SECONDS);
            jda.shutdown();
            if (!jda.awaitShutdown(Duration.ofSeconds(10))) jda.shutdownNow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            jda.shutdownNow();
        }
    }
}
