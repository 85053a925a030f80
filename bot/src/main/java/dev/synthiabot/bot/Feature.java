package dev.synthiabot.bot;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.synthiabot.adapter.SynthiaChatModel;
import dev.synthiabot.adapter.SynthiaModelStatus;
import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.metrics.BotMetrics;
import dev.synthiabot.bot.status.AnswerStats;
import dev.synthiabot.bot.queue.InferenceQueue;
import dev.synthiabot.bot.queue.QueueRejection;
import dev.synthiabot.bot.recovery.PendingReplies;
import dev.synthiabot.bot.reply.DiscordReplyTarget;
import dev.synthiabot.bot.reply.InteractionReplyTarget;
import dev.synthiabot.bot.reply.Renderer;
import dev.synthiabot.bot.reply.StreamingReply;
import dev.synthiabot.config.BotSettings;
import dev.synthiabot.config.prompts.ChannelPromptStore;
import dev.synthiabot.config.prompts.ResolvedPrompt;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import net.dv8tion.jda.api.entities.Member;
import net.dv8tion.jda.api.entities.channel.middleman.GuildChannel;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.interactions.callbacks.IReplyCallback;

/**
 * What every feature needs to answer: the model, the queue, prompts, limits; the one way to queue an answer
 * (recorded as in flight until its final text is shown), and the one flow of a command that asks the model.
 */
public final class Feature {
    private volatile StreamingChatModel model;
    final InferenceQueue queue;
    final ChannelPromptStore prompts;
    final BotSettings settings;
    final AccessPolicy access;
    private final Renderer renderer;
    private final PendingReplies pending;
    private final Set<StreamingReply> undelivered = ConcurrentHashMap.newKeySet();
    final AnswerStats stats = new AnswerStats();
    final BotMetrics metrics;

    public Feature(InferenceQueue queue, ChannelPromptStore prompts, BotSettings settings, Renderer renderer,
                   PendingReplies pending, BotMetrics metrics) {
        this.metrics = metrics;
        this.queue = queue;
        this.prompts = prompts;
        this.settings = settings;
        this.access = new AccessPolicy(settings.access());
        this.renderer = renderer;
        this.pending = pending;
    }

    /** The model's own status, once it is loaded and if it is ours. */
    Optional<SynthiaModelStatus> modelStatus() {
        return model instanceof SynthiaChatModel s ? Optional.of(s.status()) : Optional.empty();
    }

    boolean modelLoaded() {
        return model != null;
    }

    /** Counts a request turned away for its input (empty, too long) before it reached the queue. */
    public void badInput(String command) {
        metrics.request(command, BotMetrics.Outcome.BAD_INPUT);
    }

    /** From now on requests are answered (until then they are told the model is loading). */
    void modelReady(StreamingChatModel model) {
        this.model = model;
    }

    public ChannelPromptStore prompts() {
        return prompts;
    }

    public BotSettings settings() {
        return settings;
    }

    public boolean allowed(MessageChannel channel, Member member) {
        return access.allowed(channel, member);
    }

    public boolean mayChangePrompts(Member member, MessageChannel channel) {
        return access.mayChangePrompts(member, channel);
    }

    /** Whether a member may change the server's default prompt: the bot's admin role or Manage Server. */
    public boolean mayChangeServerPrompt(Member member) {
        return access.mayChangeServerPrompt(member);
    }

    /** The system prompt that applies in a channel (threads inherit from their parent). */
    public String systemPrompt(MessageChannel channel) {
        return resolvePrompt(channel).prompt();
    }

    /** The prompt that applies in a channel and where it comes from (channel, parent, guild default, global). */
    public ResolvedPrompt resolvePrompt(MessageChannel channel) {
        Optional<String> guild = channel instanceof GuildChannel gc ? Optional.of(gc.getGuild().getId()) : Optional.empty();
        return prompts.resolve(channel.getId(), AccessPolicy.parentOf(channel), guild);
    }

    public static ChatRequest request(String system, List<ChatMessage> conversation) {
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(SystemMessage.from(system));
        messages.addAll(conversation);
        return ChatRequest.builder().messages(messages).build();
    }

    /** A problem with the input that the user is told about at once, or empty if it is fine. */
    public Optional<String> checkInput(String text, Texts texts) {
        if (text == null || InputText.isBlank(text)) return Optional.of(texts.emptyInput());
        int max = settings.limits().maxInputChars();
        if (text.length() > max) return Optional.of(texts.tooLong(text.length(), max));
        return Optional.empty();
    }

    /**
     * A command that asks the model one question ({@code /ask}, {@code /translate}): checks access and input, asks
     * the queue, and only then acknowledges: a refusal (bad input, busy, cooldown, limit, loading) is a private
     * reply, an accepted request a deferred response that the answer streams into.
     */
    public void answerCommand(String command, IReplyCallback event, MessageChannel channel, String input, boolean ephemeral, Supplier<String> system) {
        String locale = event.getUserLocale().getLocale();
        Texts texts = Texts.forLocale(locale);
        if (!allowed(channel, event.getMember())) {
            event.reply(texts.notAllowedHere()).setEphemeral(true).queue();
            return;
        }
        Optional<String> refusal = checkInput(input, texts);
        if (refusal.isPresent()) {
            badInput(command);
        } else {
            String prompt = system.get();
            var target = new InteractionReplyTarget(event.getHook(), channel, ephemeral, texts.cancelButton(), locale);
            refusal = enqueue(command, event.getUser().getId(), target, texts, () -> request(prompt, List.of(UserMessage.from(input))));
        }
        if (refusal.isPresent()) {
            event.reply(refusal.get()).setEphemeral(true).setAllowedMentions(dev.synthiabot.bot.reply.Mentions.none()).queue();
        } else {
            event.deferReply(ephemeral).queue();
        }
    }

    /**
     * Queues an answer shown through {@code target}; returns the text to show instead if it was refused (model
     * still loading, busy, per-user limit, cooldown, shutting down). Decided at once, so a refusal can be private.
     */
    public Optional<String> enqueue(String command, String userId, DiscordReplyTarget target, Texts texts, Supplier<ChatRequest> request) {
        StreamingChatModel m = model;
        if (m == null) {
            metrics.request(command, BotMetrics.Outcome.REFUSED_LOADING);
            return Optional.of(texts.modelLoading());
        }
        StreamingReply reply = new StreamingReply(target, renderer, settings.limits().replyEditIntervalMs());
        target.onChange(pending::save);
        AnswerJob job = new AnswerJob(m, command, request, reply, texts, settings.limits().generationTimeoutSeconds(), stats, metrics, ticket -> {
            target.attach(ticket);
            pending.save(target.pending());
            undelivered.add(reply);
            reply.delivered().whenComplete((ok, err) -> {
                pending.remove(ticket);
                undelivered.remove(reply);
            });
        });
        try {
            queue.submit(userId, job);
            return Optional.empty();
        } catch (QueueRejection r) {
            metrics.request(command, switch (r.reason()) {
                case BUSY -> BotMetrics.Outcome.REFUSED_BUSY;
                case USER_LIMIT -> BotMetrics.Outcome.REFUSED_LIMIT;
                case COOLDOWN -> BotMetrics.Outcome.REFUSED_COOLDOWN;
                case SHUTTING_DOWN -> BotMetrics.Outcome.REFUSED_SHUTTING_DOWN;
            });
            return Optional.of(switch (r.reason()) {
                case BUSY -> texts.busy();
                case USER_LIMIT -> texts.userLimit();
                case COOLDOWN -> texts.cooldown(r.retryAfterSeconds());
                case SHUTTING_DOWN -> texts.shuttingDown();
            });
        }
    }

    /** Waits until every accepted answer's final text is out (shown, posted instead, or given up); false on timeout. */
    boolean awaitDelivered(Duration timeout) {
        CompletableFuture<?> all = CompletableFuture.allOf(undelivered.stream().map(StreamingReply::delivered).toArray(CompletableFuture[]::new));
        try {
            all.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
