package dev.synthiabot.bot.answer;

import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.synthiabot.adapter.SynthiaTokenUsage;
import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.metrics.BotMetrics;
import dev.synthiabot.bot.queue.Job;
import dev.synthiabot.bot.queue.Ticket;
import dev.synthiabot.bot.reply.ReplyButton;
import dev.synthiabot.bot.reply.StreamingReply;
import dev.synthiabot.bot.servers.ModelServers;
import dev.synthiabot.config.PromptSettings;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One answer: builds the chat request (possibly fetching a reply chain first), runs the {@link AnswerChain} — the
 * model's answer, then its translation when the asker gets another language — into a {@link StreamingReply}, and ends
 * with a clear note on cancel, timeout or failure. While a translated answer's first step runs, the reply shows how
 * far it got; the translation streams as the answer.
 */
final class AnswerJob implements Job {
    private static final Logger log = LoggerFactory.getLogger(AnswerJob.class);

    private final ModelSlot model;
    private final AnswerSpec spec;
    private final Consumer<String> onTicket;
    private final StreamingReply reply;
    private final Texts texts;
    private final long timeoutSeconds;
    private final AnswerStats stats;
    private final BotMetrics metrics;
    private final Consumer<Finished> onFinished;
    private final long taken = System.nanoTime();
    private volatile int position;
    private final ReasoningFold fold = new ReasoningFold();

    /**
     * A finished answer: the request it answered, the model's whole text (an earlier part included, for a continued
     * answer) and what the asker was shown of it (less, with folded reasoning or a translation).
     */
    record Finished(ChatRequest request, String whole, String shown) {}

    /** @param onFinished told of an answer that finished (not stopped): the bot keeps what its buttons and follow-ups need */
    AnswerJob(ModelSlot model, AnswerSpec spec, StreamingReply reply, Texts texts, long timeoutSeconds, AnswerStats stats, BotMetrics metrics,
              Consumer<String> onTicket, Consumer<Finished> onFinished) {
        this.model = model;
        this.spec = spec;
        this.reply = reply;
        this.texts = texts;
        this.timeoutSeconds = timeoutSeconds;
        this.stats = stats;
        this.metrics = metrics;
        this.onTicket = onTicket;
        this.onFinished = onFinished;
    }

    @Override
    public void onQueued(Ticket ticket) {
        onTicket.accept(ticket.id());
        spec.continuation().ifPresent(c -> reply.append(c.shown())); // shown with its Cancel button from now on
        model.waitFor(this);
    }

    @Override
    public void onPosition(int position, Optional<Duration> estimatedWait) {
        this.position = position;
        reply.status(model.loading() ? texts.queuedWhileLoading(position, model.loadLeft()) : texts.queued(position, estimatedWait));
    }

    /** The model's load went on: the asker sees its new time left. */
    void loadProgressed() {
        if (position > 0) reply.status(texts.queuedWhileLoading(position, model.loadLeft()));
    }

    @Override
    public void run(Ticket ticket) {
        position = 0;
        model.leave(this);
        metrics.queueWait(Duration.ofNanos(System.nanoTime() - taken));
        reply.status(texts.thinking());
        String command = spec.command();
        try {
            ChatRequest chat = spec.request().get();
            AnswerChain.Result result = new AnswerChain(model.model().orElseThrow()).run(chat, spec.translation().map(Translation::prompt), listener(),
                ticket::isStopped, Duration.ofSeconds(timeoutSeconds + 60));
            record(result.answer());
            result.translation().ifPresent(this::record);
            String whole = spec.continuation().map(AnswerSpec.Continuation::whole).orElse("") + result.answerText();
            Ticket.Outcome stop = ticket.stopReason();
            String shown = shown(result);
            if (stop == Ticket.Outcome.CANCELLED || stop == Ticket.Outcome.SHUT_DOWN) {
                reply.finish(shown, stop == Ticket.Outcome.CANCELLED ? texts.cancelled() : texts.stoppedForRestart());
                metrics.request(command, stop == Ticket.Outcome.CANCELLED ? BotMetrics.Outcome.CANCELLED : BotMetrics.Outcome.SHUT_DOWN);
            } else if (stop == Ticket.Outcome.TIMED_OUT) {
                reply.finish(shown, texts.timedOut(timeoutSeconds));
                metrics.request(command, BotMetrics.Outcome.TIMED_OUT);
            } else {
                reply.finish(shown.isEmpty() ? texts.emptyAnswer() : shown, null, buttons(result, whole, shown));
                metrics.request(command, BotMetrics.Outcome.ANSWERED);
                result.translation().ifPresent(t -> {
                    metrics.translated(spec.translation().get().language());
                    stats.translated();
                });
                onFinished.accept(new Finished(chat, whole, shown));
            }
        } catch (ExecutionException e) {
            fail(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            metrics.request(spec.command(), ticket.stopReason() == Ticket.Outcome.CANCELLED ? BotMetrics.Outcome.CANCELLED
                : ticket.stopReason() == Ticket.Outcome.SHUT_DOWN ? BotMetrics.Outcome.SHUT_DOWN : BotMetrics.Outcome.TIMED_OUT);
            reply.finish(reply.text(), switch (ticket.stopReason() == null ? Ticket.Outcome.TIMED_OUT : ticket.stopReason()) {
                case CANCELLED -> texts.cancelled();
                case SHUT_DOWN -> texts.stoppedForRestart();
                default -> texts.timedOut(timeoutSeconds);
            });
        } catch (RuntimeException e) {
            fail(e);
        }
    }

    /**
     * Where the model's pieces go. A translated answer: a progress line while the English is written, then the
     * translation streams. Folded or hidden reasoning: a progress line until the "Answer:" label, then the answer
     * after it streams. Inline: the text as it comes.
     */
    private AnswerChain.Listener listener() {
        int[] words = {0};
        if (spec.translation().isPresent()) {
            return new AnswerChain.Listener(piece -> {
                words[0] += ReasoningFold.words(piece);
                reply.status(texts.answeringBeforeTranslating(spec.translation().get().language(), words[0]));
            }, reply::append);
        }
        if (spec.reasoning() == PromptSettings.Reasoning.INLINE || spec.continuation().isPresent()) {
            return new AnswerChain.Listener(reply::append, piece -> {});
        }
        return new AnswerChain.Listener(piece -> fold.accept(piece).ifPresent(update -> {
            switch (update) {
                case ReasoningFold.Append a -> reply.append(a.text());
                case ReasoningFold.Reasoning r -> reply.status(texts.reasoningStatus(r.words()));
            }
        }), piece -> {});
    }

    /**
     * What the asker gets of a result, finished or stopped: the translation, else the whole text (inline) or what
     * {@link ReasoningFold} shows; a continued answer's new text follows what was shown before.
     */
    private String shown(AnswerChain.Result result) {
        if (result.translation().isPresent()) return result.translation().get().text();
        if (spec.continuation().isPresent()) return spec.continuation().get().shown() + result.answerText();
        return spec.reasoning() == PromptSettings.Reasoning.INLINE ? result.answerText() : fold.shown();
    }

    /**
     * The buttons under a finished answer: Show reasoning (or the English) when the asker sees less than the model
     * wrote, unless reasoning is hidden; Regenerate; Continue when the token limit stopped it (not for a translation,
     * and only with a model that continues answers).
     */
    private Set<ReplyButton> buttons(AnswerChain.Result result, String whole, String shown) {
        Set<ReplyButton> buttons = java.util.EnumSet.noneOf(ReplyButton.class);
        PromptSettings.Reasoning reasoning = spec.continuation().map(AnswerSpec.Continuation::reasoning).orElse(spec.reasoning());
        if (!shown.strip().equals(whole.strip()) && reasoning != PromptSettings.Reasoning.HIDDEN) {
            if (ReasoningSplit.of(whole).folded()) {
                buttons.add(ReplyButton.SHOW_REASONING);
            } else if (result.translation().isPresent()) {
                buttons.add(ReplyButton.SHOW_ENGLISH);
            }
        }
        if (spec.offersActions()) {
            buttons.add(ReplyButton.REGENERATE);
            boolean cut = result.answer().response().finishReason() == FinishReason.LENGTH;
            if (cut && result.translation().isEmpty() && model.continuesAnswers()) buttons.add(ReplyButton.CONTINUE);
        }
        return buttons;
    }

    /**
     * A step's speed for /status and the metrics: prompt until its first token, decode after it. Cached prompt tokens
     * are known from the bot's own model; a model server's usage says only how many there were.
     */
    private void record(AnswerChain.Step step) {
        TokenUsage u = step.response().tokenUsage();
        if (u == null || u.inputTokenCount() == null || u.outputTokenCount() == null || step.decodeNanos() == 0) return;
        int cached = u instanceof SynthiaTokenUsage s ? s.cachedInputTokenCount() : 0;
        int computed = u.inputTokenCount() - cached;
        stats.add(new AnswerStats.Answer(computed, cached, u.outputTokenCount(), step.promptNanos(), step.decodeNanos()));
        metrics.answer(computed, cached, u.outputTokenCount(), step.promptNanos(), step.decodeNanos());
    }

    private void fail(Throwable cause) {
        if (cause instanceof InvalidRequestException) { // the adapter's prompt over the context window
            metrics.request(spec.command(), BotMetrics.Outcome.TOO_LONG);
            reply.finish(earlier(), texts.tooLongForModel());
        } else {
            if (cause instanceof ModelServers.NoModelServerException) {
                log.warn("No model server answers: {}", cause.getMessage()); // expected while they are down: one line
            } else {
                log.error("The model failed", cause);
            }
            metrics.request(spec.command(), BotMetrics.Outcome.FAILED);
            metrics.error("model");
            reply.finish(reply.text(), texts.modelFailed());
        }
    }

    @Override
    public void onDropped(Ticket.Outcome outcome) {
        model.leave(this);
        metrics.request(spec.command(), outcome == Ticket.Outcome.CANCELLED ? BotMetrics.Outcome.CANCELLED : BotMetrics.Outcome.SHUT_DOWN);
        reply.finish(earlier(), outcome == Ticket.Outcome.CANCELLED ? texts.cancelled() : texts.shuttingDown());
    }

    /** What an answer that ends without new text leaves shown: the earlier answer it was to continue, else nothing. */
    private String earlier() {
        return spec.continuation().map(AnswerSpec.Continuation::shown).orElse("");
    }
}
