package dev.synthiabot.bot.answer;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.synthiabot.adapter.SynthiaChatModel;
import dev.synthiabot.adapter.SynthiaModelStatus;
import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.metrics.BotMetrics;
import dev.synthiabot.bot.queue.InferenceQueue;
import dev.synthiabot.bot.queue.QueueRejection;
import dev.synthiabot.bot.recovery.PendingReplies;
import dev.synthiabot.bot.reply.AllowedMentions;
import dev.synthiabot.bot.reply.DiscordReplyTarget;
import dev.synthiabot.bot.reply.ExistingMessagesTarget;
import dev.synthiabot.bot.reply.InteractionReplyTarget;
import dev.synthiabot.bot.reply.Renderer;
import dev.synthiabot.bot.reply.StreamingReply;
import dev.synthiabot.bot.servers.ModelServers;
import dev.synthiabot.bot.servers.ServerStatus;
import dev.synthiabot.config.PromptSettings;
import dev.synthiabot.config.prompts.ChannelSetting;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.events.interaction.component.ButtonInteractionEvent;
import net.dv8tion.jda.api.interactions.callbacks.IReplyCallback;

/**
 * The answer pipeline every feature goes through: input checks, the queue, the model, the streaming reply, and the
 * record that lets a restarted bot finish a reply in flight. A command that asks the model one question calls
 * {@link #answerCommand}; mentions build their own target and call {@link #enqueue}.
 */
public final class Answers {
    private final ModelSlot model = new ModelSlot();
    private final InferenceQueue queue;
    private final AccessPolicy access;
    private final ChannelPrompts prompts;
    private final PromptSettings promptSettings;
    private final AnswerOriginals originals;
    private final Renderer renderer;
    private final PendingReplies pending;
    private final BotMetrics metrics;
    private final int maxInputChars;
    private final long editIntervalMs;
    private final long timeoutSeconds;
    private final AnswerStats stats = new AnswerStats();
    private final Set<StreamingReply> undelivered = ConcurrentHashMap.newKeySet();
    private final FinishedAnswers finishedAnswers = new FinishedAnswers();

    /**
     * @param maxInputChars the longest question accepted
     * @param editIntervalMs the shortest time between two edits of a streaming reply
     * @param timeoutSeconds how long one answer may run
     */
    public Answers(InferenceQueue queue, AccessPolicy access, ChannelPrompts prompts, PromptSettings promptSettings, AnswerOriginals originals,
                   Renderer renderer, PendingReplies pending, BotMetrics metrics, int maxInputChars, long editIntervalMs, long timeoutSeconds) {
        this.queue = queue;
        this.access = access;
        this.prompts = prompts;
        this.promptSettings = promptSettings;
        this.originals = originals;
        this.renderer = renderer;
        this.pending = pending;
        this.metrics = metrics;
        this.maxInputChars = maxInputChars;
        this.editIntervalMs = editIntervalMs;
        this.timeoutSeconds = timeoutSeconds;
    }

    /**
     * The model to answer with, once loaded: until then requests wait in the queue, which runs nothing before the
     * model is ready ({@link InferenceQueue#runUpTo}), and their askers see the load's progress.
     */
    public void modelReady(StreamingChatModel model) {
        this.model.ready(model);
    }

    /** How long the model's load has left (its current step's time at its rate so far), told to whoever waits for it. */
    public void loadProgress(Optional<Duration> left) {
        model.progress(left);
    }

    public boolean modelLoaded() {
        return !model.loading();
    }

    /** The model's own status, once it is loaded and if it is ours. */
    public Optional<SynthiaModelStatus> modelStatus() {
        return model.model().filter(SynthiaChatModel.class::isInstance).map(m -> ((SynthiaChatModel) m).status());
    }

    /** The model servers answering instead of the bot's own model, as they stand (empty when it runs its own). */
    public List<ServerStatus> servers() {
        return model.model().filter(ModelServers.class::isInstance).map(m -> ((ModelServers) m).status()).orElse(List.of());
    }

    /** The speed of recent answers, for {@code /status}. */
    public AnswerStats stats() {
        return stats;
    }

    /** A problem with the input that the user is told about at once, or empty if it is fine. */
    public Optional<String> checkInput(String text, Texts texts) {
        if (text == null || InputText.isBlank(text)) return Optional.of(texts.emptyInput());
        if (text.length() > maxInputChars) return Optional.of(texts.tooLong(text.length(), maxInputChars));
        return Optional.empty();
    }

    /** Counts a request turned away for its input (empty, too long) before it reached the queue. */
    public void badInput(String command) {
        metrics.request(command, BotMetrics.Outcome.BAD_INPUT);
    }

    /**
     * A question to answer under the channel's system prompt, in the asker's language ({@code /ask}): as
     * {@link #answerCommand}, through the translation step when the channel's answer language and the question say so.
     */
    public void answerQuestion(String command, IReplyCallback event, MessageChannel channel, String question, boolean ephemeral) {
        Optional<Translation> translation = translationFor(channel, question, event.getUserLocale().getLocale());
        answer(command, event, channel, question, ephemeral, () -> prompts.systemPrompt(channel), translation, reasoningFor(channel));
    }

    /**
     * A command that asks the model one question ({@code /ask}, {@code /translate}, …) under the system prompt
     * {@code system}: checks access and input, asks the queue, and only then acknowledges: a refusal (bad input, busy,
     * cooldown, limit) is a private reply, an accepted request a deferred response the answer streams into.
     * Runs on JDA's event thread and returns at once.
     */
    public void answerCommand(String command, IReplyCallback event, MessageChannel channel, String input, boolean ephemeral, Supplier<String> system) {
        answer(command, event, channel, input, ephemeral, system, Optional.empty(), PromptSettings.Reasoning.INLINE);
    }

    private void answer(String command, IReplyCallback event, MessageChannel channel, String input, boolean ephemeral, Supplier<String> system,
                        Optional<Translation> translation, PromptSettings.Reasoning reasoning) {
        String locale = event.getUserLocale().getLocale();
        Texts texts = Texts.forLocale(locale);
        if (!access.allowed(channel, event.getMember())) {
            event.reply(texts.notAllowedHere()).setEphemeral(true).queue();
            return;
        }
        Optional<String> refusal = checkInput(input, texts);
        if (refusal.isPresent()) {
            badInput(command);
        } else if (ephemeral && model.loading()) {
            // A first load can outlast the interaction's 15-minute token, the only way to a private answer.
            refusal = Optional.of(texts.privateWhileLoading());
        } else {
            String prompt = system.get();
            var target = new InteractionReplyTarget(event.getHook(), channel, ephemeral, texts, locale);
            refusal = enqueue(event.getUser().getId(), target, texts, AnswerSpec.of(command, () -> ChatRequests.of(prompt, input), translation, reasoning,
                !ephemeral), () -> {});
        }
        if (refusal.isPresent()) {
            event.reply(refusal.get()).setEphemeral(true).setAllowedMentions(AllowedMentions.none()).queue();
        } else {
            event.deferReply(ephemeral).queue();
        }
    }

    /**
     * Queues an answer shown through {@code target} (while the model loads, it waits there); returns the text to show
     * instead if it was refused (busy, per-user limit, cooldown, shutting down). Decided at once, so a refusal can be
     * private. The request is built on the worker (a reply chain is fetched over REST there, not on JDA's thread).
     * The answer gets Regenerate and Continue.
     */
    public Optional<String> enqueue(String command, String userId, DiscordReplyTarget target, Texts texts, Supplier<ChatRequest> request,
                                    Optional<Translation> translation, PromptSettings.Reasoning reasoning) {
        return enqueue(userId, target, texts, AnswerSpec.of(command, request, translation, reasoning, true), () -> {});
    }

    /** @param afterAnswered runs once the answer is final and shown (not when it was stopped or failed) */
    private Optional<String> enqueue(String userId, DiscordReplyTarget target, Texts texts, AnswerSpec spec, Runnable afterAnswered) {
        StreamingReply reply = new StreamingReply(target, renderer, editIntervalMs);
        spec.continuation().ifPresent(c -> reply.append(c.shown()));
        target.onChange(pending::save);
        AnswerJob job = new AnswerJob(model, spec, reply, texts, timeoutSeconds, stats, metrics, ticket -> {
            target.attach(ticket);
            pending.save(target.pending());
            undelivered.add(reply);
            reply.delivered().whenComplete((ok, err) -> {
                pending.remove(ticket);
                undelivered.remove(reply);
            });
        }, finished -> reply.delivered().thenRun(() -> {
            // Once every message of the answer exists: a follow-up to any of them continues from the model's whole
            // text, its Show reasoning button shows that text, and its Regenerate and Continue buttons find it.
            List<String> ids = target.pending().messageIds();
            if (!finished.shown().strip().equals(finished.whole().strip())) {
                originals.save(ids, finished.whole());
            } else {
                originals.forget(ids); // messages of an earlier answer (Regenerate) no longer show what it kept
            }
            afterAnswered.run();
            if (spec.offersActions()) {
                ChatRequest question = spec.continuation().map(AnswerSpec.Continuation::question).orElse(finished.request());
                PromptSettings.Reasoning reasoning = spec.continuation().map(AnswerSpec.Continuation::reasoning).orElse(spec.reasoning());
                finishedAnswers.add(new FinishedAnswers.FinishedAnswer(userId, ids, spec.command(), question, spec.translation(), reasoning,
                    finished.whole(), finished.shown()));
            }
        }));
        try {
            queue.submit(userId, job);
            return Optional.empty();
        } catch (QueueRejection r) {
            metrics.request(spec.command(), switch (r.reason()) {
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

    /**
     * A press of Regenerate (a new sample of the same request, in place of the answer) or Continue (the answer goes on
     * from where the token limit stopped it, appended): only the asker or an admin; through the queue like any
     * request, refusals private. Runs on JDA's event thread and returns at once.
     */
    public void answerAgain(ButtonInteractionEvent event, boolean goOn) {
        Texts texts = Texts.forLocale(event.getUserLocale().getLocale());
        Optional<FinishedAnswers.FinishedAnswer> found = finishedAnswers.find(event.getMessageId());
        if (found.isEmpty()) {
            event.reply(texts.answerButtonsExpired()).setEphemeral(true).queue();
            return;
        }
        FinishedAnswers.FinishedAnswer f = found.get();
        MessageChannel channel = event.getChannel();
        if (!access.allowed(channel, event.getMember())) {
            event.reply(texts.notAllowedHere()).setEphemeral(true).queue();
            return;
        }
        if (!f.askerId().equals(event.getUser().getId()) && !access.isAdmin(event.getMember())) {
            event.reply(texts.notYourAnswer()).setEphemeral(true).queue();
            return;
        }
        List<String> ids = f.messageIds().stream().filter(java.util.Objects::nonNull).toList();
        AnswerSpec spec;
        List<String> messages;
        Runnable afterAnswered = () -> {};
        if (goOn) {
            List<ChatMessage> conversation = new ArrayList<>(f.request().messages());
            conversation.add(AiMessage.from(f.whole()));
            ChatRequest more = ChatRequest.builder().messages(conversation).build();
            spec = new AnswerSpec(f.command(), () -> more, Optional.empty(), PromptSettings.Reasoning.INLINE,
                Optional.of(new AnswerSpec.Continuation(f.shown(), f.whole(), f.request(), f.reasoning())), true);
            messages = ids;
        } else {
            // The new sample takes the first message; the earlier answer's others go once it is final.
            spec = new AnswerSpec(f.command(), f::request, f.translation(), f.reasoning(), Optional.empty(), true);
            messages = ids.subList(0, 1);
            afterAnswered = () -> ids.stream().skip(1).forEach(id -> channel.deleteMessageById(id).queue(ok -> {}, err -> {}));
        }
        var target = new ExistingMessagesTarget(channel, messages, texts, event.getUserLocale().getLocale());
        // The asker stays its owner (an admin's press too): their queue place, their Cancel and buttons.
        Optional<String> refusal = enqueue(f.askerId(), target, texts, spec, afterAnswered);
        if (refusal.isPresent()) {
            event.reply(refusal.get()).setEphemeral(true).setAllowedMentions(AllowedMentions.none()).queue();
            return;
        }
        event.deferEdit().queue();
        finishedAnswers.take(f);
    }

    /**
     * The translation step an answer gets in {@code channel} for {@code question}, asked by someone whose Discord locale is
     * {@code locale}: the channel's answer language ({@code /prompt language}, else {@code prompts.answer_language}),
     * with {@code auto} the question's language when there is a translation prompt for it.
     */
    public Optional<Translation> translationFor(MessageChannel channel, String question, String locale) {
        return AnswerLanguage.translation(prompts.setting(ChannelSetting.ANSWER_LANGUAGE, channel, promptSettings.answerLanguage()).value(), question, locale, promptSettings);
    }

    /** How answers' reasoning is shown in {@code channel}: its setting ({@code /prompt reasoning}), else {@code prompts.reasoning}. */
    public PromptSettings.Reasoning reasoningFor(MessageChannel channel) {
        String key = prompts.setting(ChannelSetting.REASONING, channel, promptSettings.reasoning()).value();
        return PromptSettings.Reasoning.of(key).orElse(PromptSettings.Reasoning.FOLDED);
    }

    /** The model's whole text behind one of the bot's messages that showed less of it (folded reasoning, a translation). */
    public Optional<String> original(String messageId) {
        return originals.find(messageId);
    }

    /** Waits until every accepted answer's final text is out (shown, posted instead, or given up); false on timeout. */
    public boolean awaitDelivered(Duration timeout) {
        CompletableFuture<?> all = CompletableFuture.allOf(undelivered.stream().map(StreamingReply::delivered).toArray(CompletableFuture[]::new));
        try {
            all.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (Exception e) {
            return false;
        }
    }
}
