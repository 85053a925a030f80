package dev.synthiabot.bot;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.queue.InferenceQueue;
import dev.synthiabot.bot.queue.QueueRejection;
import dev.synthiabot.bot.reply.DiscordReplyTarget;
import dev.synthiabot.bot.reply.StreamingReply;
import dev.synthiabot.config.BotSettings;
import dev.synthiabot.config.prompts.ChannelPromptStore;
import dev.synthiabot.config.prompts.ResolvedPrompt;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;
import net.dv8tion.jda.api.entities.channel.middleman.GuildChannel;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;

/** What every feature needs to answer: the model, the queue, prompts, limits; and the one way to queue an answer. */
public final class Feature {
    final StreamingChatModel model;
    final InferenceQueue queue;
    final ChannelPromptStore prompts;
    final BotSettings settings;
    final AccessPolicy access;
    private final ScheduledExecutorService scheduler;

    public Feature(StreamingChatModel model, InferenceQueue queue, ChannelPromptStore prompts, BotSettings settings, ScheduledExecutorService scheduler) {
        this.model = model;
        this.queue = queue;
        this.prompts = prompts;
        this.settings = settings;
        this.access = new AccessPolicy(settings.access());
        this.scheduler = scheduler;
    }

    public ChannelPromptStore prompts() {
        return prompts;
    }

    public BotSettings settings() {
        return settings;
    }

    public InferenceQueue queue() {
        return queue;
    }

    public boolean allowed(MessageChannel channel, net.dv8tion.jda.api.entities.Member member) {
        return access.allowed(channel, member);
    }

    public boolean mayChangePrompts(net.dv8tion.jda.api.entities.Member member, MessageChannel channel) {
        return access.mayChangePrompts(member, channel);
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
        if (text == null || text.isBlank()) return Optional.of(texts.emptyInput());
        int max = settings.limits().maxInputChars();
        if (text.length() > max) return Optional.of(texts.tooLong(text.length(), max));
        return Optional.empty();
    }

    /**
     * Queues an answer shown through {@code target}; returns the text to show instead if the queue
     * refused it (busy, per-user limit, cooldown, shutting down).
     */
    public Optional<String> enqueue(String userId, DiscordReplyTarget target, Texts texts, Supplier<ChatRequest> request) {
        StreamingReply reply = new StreamingReply(target, scheduler, settings.limits().replyEditIntervalMs());
        AnswerJob job = new AnswerJob(model, request, reply, texts, settings.limits().generationTimeoutSeconds(), target::attach);
        try {
            queue.submit(userId, job);
            return Optional.empty();
        } catch (QueueRejection r) {
            return Optional.of(switch (r.reason()) {
                case BUSY -> texts.busy();
                case USER_LIMIT -> texts.userLimit();
                case COOLDOWN -> texts.cooldown(r.retryAfterSeconds());
                case SHUTTING_DOWN -> texts.shuttingDown();
            });
        }
    }
}
