package dev.synthiabot.adapter.generation;

import dev.synthiabot.adapter.generation.GenerationResult.Finish;
import dev.synthiabot.adapter.kv.KvSlot;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * One answer inside the {@link GenerationEngine}: its prompt, its own sampling and text pipeline (sampler, UTF-8
 * decoding, stop sequences, trimming), where it stands, and the events that its caller's thread delivers (text
 * pieces, then the result or a failure). Everything but {@link #cancel}, {@link #events} and {@link #undelivered}
 * belongs to the engine's stepping thread.
 */
final class Generation {
    enum Phase { WAITING, PROMPT, DECODE }

    final int[] prompt;
    final int droppedExchanges;
    final SamplingParams params;
    /** Text pieces (String), then a {@link GenerationResult} or a {@link Throwable}; read by the caller's thread. */
    final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    /** Text pieces posted and not yet handed to the listener: the answer takes no step while there is one. */
    final java.util.concurrent.atomic.AtomicInteger undelivered = new java.util.concurrent.atomic.AtomicInteger();
    private volatile boolean cancelled;

    Phase phase = Phase.WAITING;
    KvSlot slot;
    int reused;
    /** Position of the next token to run through the model (a prompt token, or {@link #pending}). */
    int next;
    /** The last sampled token, to run at {@link #next} in the next step. */
    int pending;

    final Sampler sampler;
    private final Utf8StreamDecoder utf8 = new Utf8StreamDecoder();
    final StopSequenceFilter stops;
    private final WhitespaceTrimmer trimmer = new WhitespaceTrimmer();
    final int[] generated;
    int count;

    long admittedAt, promptNanos, firstTokenNanos, decodeStartedAt, lastTokenAt, longestGapNanos;

    Generation(int[] prompt, int droppedExchanges, SamplingParams params, int vocabulary) {
        this.prompt = prompt;
        this.droppedExchanges = droppedExchanges;
        this.params = params;
        this.sampler = new Sampler(params, vocabulary);
        this.stops = new StopSequenceFilter(params.stopSequences());
        this.generated = new int[params.maxNewTokens()];
    }

    void cancel() {
        cancelled = true;
    }

    boolean isCancelled() {
        return cancelled;
    }

    /** Records a sampled token's time: the first one's latency, and the longest pause between two tokens. */
    void tokenSampled(long now) {
        if (count == 1) {
            firstTokenNanos = now - admittedAt;
            decodeStartedAt = now;
        } else {
            longestGapNanos = Math.max(longestGapNanos, now - lastTokenAt);
        }
        lastTokenAt = now;
    }

    /** Feeds a token's bytes through UTF-8 decoding and the stop filter, and posts the visible text. */
    void feed(byte[] bytes) {
        post(stops.append(utf8.feed(bytes)));
    }

    /** At the end: the bytes held back by UTF-8 decoding and the stop filter, unless a stop sequence ended it. */
    void flush() {
        if (stops.stopped()) return;
        post(stops.append(utf8.finish()));
        post(stops.flush());
    }

    private void post(String text) {
        if (text.isEmpty()) return;
        String visible = trimmer.accept(text);
        if (!visible.isEmpty()) {
            undelivered.incrementAndGet();
            events.add(visible);
        }
    }

    GenerationResult result(String answer, Finish finish, long now) {
        long decodeNanos = count > 0 ? now - decodeStartedAt : 0;
        return new GenerationResult(answer, stops.text(), finish, prompt.length, reused, count, droppedExchanges, promptNanos,
            firstTokenNanos, decodeNanos, longestGapNanos);
    }
}
