package dev.synthiabot.bot.answer;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.exception.InvalidRequestException;
import dev.synthiabot.adapter.SynthiaTokenUsage;
import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.metrics.BotMetrics;
import dev.synthiabot.bot.queue.Job;
import dev.synthiabot.bot.queue.Ticket;
import dev.synthiabot.bot.reply.StreamingReply;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One answer: builds the chat request (possibly fetching a reply chain first), streams the model's
 * answer into a {@link StreamingReply}, and ends with a clear note on cancel, timeout or failure.
 */
final class AnswerJob implements Job {
    private static final Logger log = LoggerFactory.getLogger(AnswerJob.class);

    private final StreamingChatModel model;
    private final java.util.function.Consumer<String> onTicket;
    private final Supplier<ChatRequest> request;
    private final StreamingReply reply;
    private final Texts texts;
    private final long timeoutSeconds;
    private final AnswerStats stats;
    private final BotMetrics metrics;
    private final String command;
    private final long taken = System.nanoTime();

    AnswerJob(StreamingChatModel model, String command, Supplier<ChatRequest> request, StreamingReply reply, Texts texts, long timeoutSeconds,
              AnswerStats stats, BotMetrics metrics, java.util.function.Consumer<String> onTicket) {
        this.command = command;
        this.stats = stats;
        this.metrics = metrics;
        this.model = model;
        this.onTicket = onTicket;
        this.request = request;
        this.reply = reply;
        this.texts = texts;
        this.timeoutSeconds = timeoutSeconds;
    }

    @Override
    public void onQueued(Ticket ticket) {
        onTicket.accept(ticket.id());
    }

    @Override
    public void onPosition(int position, java.util.Optional<java.time.Duration> estimatedWait) {
        reply.status(texts.queued(position, estimatedWait));
    }

    @Override
    public void run(Ticket ticket) {
        metrics.queueWait(java.time.Duration.ofNanos(System.nanoTime() - taken));
        reply.status(texts.thinking());
        long[] firstToken = {0};
        try {
            ChatRequest chat = request.get();
            long started = System.nanoTime();
            CompletableFuture<ChatResponse> done = Streamed.chat(model, chat, (partial, context) -> {
                if (firstToken[0] == 0) firstToken[0] = System.nanoTime();
                if (ticket.isStopped()) context.streamingHandle().cancel();
                reply.append(partial.text());
            });
            ChatResponse response = done.get(timeoutSeconds + 60, TimeUnit.SECONDS);
            record(response, started, firstToken[0], System.nanoTime());
            String answer = response.aiMessage().text() == null ? "" : response.aiMessage().text();
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

    /** The answer's speed for /status: prompt until the first token, decode after it. */
    private void record(ChatResponse response, long started, long firstToken, long ended) {
        if (!(response.tokenUsage() instanceof SynthiaTokenUsage u) || firstToken == 0) return;
        stats.add(new AnswerStats.Answer(u.processedInputTokenCount(), u.cachedInputTokenCount(), u.outputTokenCount(), firstToken - started,
            ended - firstToken));
        metrics.answer(u.processedInputTokenCount(), u.cachedInputTokenCount(), u.outputTokenCount(), firstToken - started, ended - firstToken);
    }

    private void fail(Throwable cause) {
        if (cause instanceof InvalidRequestException) { // the adapter's prompt over the context window
            metrics.request(command, BotMetrics.Outcome.TOO_LONG);
            reply.finish("", texts.tooLongForModel());
        } else {
            log.error("The model failed", cause);
            metrics.request(command, BotMetrics.Outcome.FAILED);
            metrics.error("model");
            reply.finish(reply.text(), texts.modelFailed());
        }
    }

    @Override
    public void onDropped(Ticket.Outcome outcome) {
        metrics.request(command, outcome == Ticket.Outcome.CANCELLED ? BotMetrics.Outcome.CANCELLED : BotMetrics.Outcome.SHUT_DOWN);
        reply.finish("", outcome == Ticket.Outcome.CANCELLED ? texts.cancelled() : texts.shuttingDown());
    }
}
