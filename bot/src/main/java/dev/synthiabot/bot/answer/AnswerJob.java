package dev.synthiabot.bot.answer;

import dev.langchain4j.exception.InvalidRequestException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.output.TokenUsage;
import dev.synthiabot.adapter.SynthiaTokenUsage;
import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.metrics.BotMetrics;
import dev.synthiabot.bot.queue.Job;
import dev.synthiabot.bot.queue.Ticket;
import dev.synthiabot.bot.reply.StreamingReply;
import dev.synthiabot.bot.servers.ModelServers;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;
import java.util.function.Supplier;
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
    private final Consumer<String> onTicket;
    private final Supplier<ChatRequest> request;
    private final Optional<Translation> translation;
    private final StreamingReply reply;
    private final Texts texts;
    private final long timeoutSeconds;
    private final AnswerStats stats;
    private final BotMetrics metrics;
    private final String command;
    private final Consumer<AnswerChain.Result> onAnswered;
    private final long taken = System.nanoTime();
    private volatile int position;

    /** @param onAnswered told of a finished answer (the bot keeps a translated answer's English for follow-ups) */
    AnswerJob(ModelSlot model, String command, Supplier<ChatRequest> request, Optional<Translation> translation, StreamingReply reply,
              Texts texts, long timeoutSeconds, AnswerStats stats, BotMetrics metrics, Consumer<String> onTicket,
              Consumer<AnswerChain.Result> onAnswered) {
        this.command = command;
        this.stats = stats;
        this.metrics = metrics;
        this.model = model;
        this.onTicket = onTicket;
        this.request = request;
        this.translation = translation;
        this.reply = reply;
        this.texts = texts;
        this.timeoutSeconds = timeoutSeconds;
        this.onAnswered = onAnswered;
    }

    @Override
    public void onQueued(Ticket ticket) {
        onTicket.accept(ticket.id());
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
        int[] words = {0};
        AnswerChain.Listener listener = translation.isEmpty()
            ? new AnswerChain.Listener(reply::append, piece -> {})
            : new AnswerChain.Listener(piece -> {
                words[0] += (int) piece.chars().filter(Character::isWhitespace).count();
                reply.status(texts.answeringBeforeTranslating(translation.get().language(), words[0]));
            }, reply::append);
        try {
            AnswerChain.Result result = new AnswerChain(model.model().orElseThrow()).run(request.get(), translation.map(Translation::prompt), listener, ticket::isStopped,
                Duration.ofSeconds(timeoutSeconds + 60));
            record(result.answer());
            result.translation().ifPresent(this::record);
            String answer = result.shownText();
            Ticket.Outcome stop = ticket.stopReason();
            if (stop == Ticket.Outcome.CANCELLED || stop == Ticket.Outcome.SHUT_DOWN) {
                reply.finish(answer, stop == Ticket.Outcome.CANCELLED ? texts.cancelled() : texts.stoppedForRestart());
                metrics.request(command, stop == Ticket.Outcome.CANCELLED ? BotMetrics.Outcome.CANCELLED : BotMetrics.Outcome.SHUT_DOWN);
            } else if (stop == Ticket.Outcome.TIMED_OUT) {
                reply.finish(answer, texts.timedOut(timeoutSeconds));
                metrics.request(command, BotMetrics.Outcome.TIMED_OUT);
            } else {
                reply.finish(answer.isEmpty() ? texts.emptyAnswer() : answer, null);
                metrics.request(command, BotMetrics.Outcome.ANSWERED);
                result.translation().ifPresent(t -> {
                    metrics.translated(translation.get().language());
                    stats.translated();
                });
                onAnswered.accept(result);
            }
        } catch (ExecutionException e) {
            fail(e.getCause());
        } catch (InterruptedException | TimeoutException e) {
            metrics.request(command, ticket.stopReason() == Ticket.Outcome.CANCELLED ? BotMetrics.Outcome.CANCELLED
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
            metrics.request(command, BotMetrics.Outcome.TOO_LONG);
            reply.finish("", texts.tooLongForModel());
        } else {
            if (cause instanceof ModelServers.NoModelServerException) {
                log.warn("No model server answers: {}", cause.getMessage()); // expected while they are down: one line
            } else {
                log.error("The model failed", cause);
            }
            metrics.request(command, BotMetrics.Outcome.FAILED);
            metrics.error("model");
            reply.finish(reply.text(), texts.modelFailed());
        }
    }

    @Override
    public void onDropped(Ticket.Outcome outcome) {
        model.leave(this);
        metrics.request(command, outcome == Ticket.Outcome.CANCELLED ? BotMetrics.Outcome.CANCELLED : BotMetrics.Outcome.SHUT_DOWN);
        reply.finish("", outcome == Ticket.Outcome.CANCELLED ? texts.cancelled() : texts.shuttingDown());
    }
}
