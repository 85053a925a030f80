package dev.synthiabot.adapter.generation;

import dev.synthiabot.adapter.generation.GenerationResult.Finish;
import dev.synthiabot.adapter.kv.KvSlot;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One answer inside the {@link GenerationEngine}: its prompt, its own sampling and text pipeline (sampler, UTF-8
 * decoding, stop sequences, trimming), where it stands, and the {@link Event}s that its caller's thread delivers.
 * Everything but {@link #cancel}, {@link #deliver} and the state they share with the stepping thread (the events, the
 * count of undelivered text, the cancel flag) belongs to the engine's stepping thread.
 */
final class Generation {
    enum Phase { WAITING, PROMPT, DECODE }

    /** How often a waiting caller checks its listener for a cancel. */
    private static final long CANCEL_POLL_MILLIS = 50;

    /** What the stepping thread sends the caller's thread, in order: text pieces, then a result or a failure. */
    private sealed interface Event {
        /** A piece of visible text for the listener. */
        record Text(String piece) implements Event {}

        /** The answer ended; nothing follows. */
        record Done(GenerationResult result) implements Event {}

        /** A step failed (out of memory, a bug); nothing follows. */
        record Failed(Throwable error) implements Event {}
    }

    final int[] prompt;
    /** The answer this one continues (its text so far), or null for a new answer. */
    final String continuing;
    final int droppedExchanges;
    final SamplingParams params;
    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    /**
     * Text pieces posted and not yet handed to the listener: the answer takes no step while there is one. Counted up by
     * the stepping thread, down by the caller's, hence atomic.
     */
    private final AtomicInteger undelivered = new AtomicInteger();
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
    private final WhitespaceTrimmer trimmer;
    final int[] generated;
    int count;

    long admittedAt, promptNanos, firstTokenNanos, decodeStartedAt, lastTokenAt, longestGapNanos;

    Generation(int[] prompt, String continuing, int droppedExchanges, SamplingParams params, int vocabulary) {
        this.prompt = prompt;
        this.continuing = continuing;
        this.trimmer = new WhitespaceTrimmer(continuing != null);
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
            undelivered.incrementAndGet(); // before the event: the caller counts it down after taking it
            events.add(new Event.Text(visible));
        }
    }

    /** Whether its caller has yet to take text posted for it (the stepping thread gives it no step until then). */
    boolean awaitingCaller() {
        return undelivered.get() > 0;
    }

    /** Sends the end of the answer to its caller. */
    void finished(GenerationResult result) {
        events.add(new Event.Done(result));
    }

    /** Sends a step's failure to its caller. */
    void failed(Throwable error) {
        events.add(new Event.Failed(error));
    }

    /**
     * The caller's thread: hands the answer's text to {@code listener} as the stepping thread posts it, checking for a
     * cancel ({@link GenerationListener#isCancelled()} or an interrupt, which stays set) between pieces and while
     * waiting, until the result (returned) or a step's failure (thrown). {@code wake} tells the stepping thread that
     * the answer may take its next step or was cancelled.
     */
    GenerationResult deliver(GenerationListener listener, Runnable wake) {
        boolean interrupted = false;
        try {
            while (true) {
                Event event;
                try {
                    event = events.poll(CANCEL_POLL_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                    cancel(wake);
                    continue;
                }
                switch (event) {
                    case null -> {
                        if (!cancelled && listener.isCancelled()) cancel(wake);
                    }
                    case Event.Text(String piece) -> {
                        listener.onText(piece);
                        if (!cancelled && listener.isCancelled()) cancel();
                        if (undelivered.decrementAndGet() == 0) wake.run(); // its next step may go (and sees a cancel first)
                    }
                    case Event.Done(GenerationResult result) -> {
                        return result;
                    }
                    case Event.Failed(Throwable error) -> throw unchecked(error);
                }
            }
        } catch (RuntimeException | Error e) {
            cancel(wake); // the listener threw: the answer stops at the next step
            throw e;
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private void cancel(Runnable wake) {
        cancel();
        wake.run();
    }

    private static RuntimeException unchecked(Throwable t) {
        if (t instanceof Error e) throw e;
        return t instanceof RuntimeException r ? r : new IllegalStateException(t);
    }

    GenerationResult result(String answer, Finish finish, long now) {
        long decodeNanos = count > 0 ? now - decodeStartedAt : 0;
        return new GenerationResult(answer, finish, prompt.length, reused, count, droppedExchanges, promptNanos,
            firstTokenNanos, decodeNanos, longestGapNanos);
    }
}
