package dev.synthiabot.adapter.generation;

import dev.synthiabot.adapter.generation.GenerationResult.Finish;
import dev.synthiabot.adapter.kv.KvCacheManager;
import dev.synthiabot.adapter.prompt.PromptEncoder;
import dev.synthiabot.adapter.prompt.Transcript;
import dev.synthiabot.adapter.transformer.Transformer;
import dev.synthiabot.adapter.transformer.Transformer.Segment;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our generation loop over a {@link Transformer}, for several answers at once (continuous batching).
 *
 * <p>One stepping thread owns the transformer and the KV cache. Up to {@code maxConcurrent} answers run together;
 * each step runs one token of every answer that is generating plus a chunk of a joining answer's prompt (the prompt
 * tokens the KV cache lacks) through the model in one pass over the weights, then samples each answer's next token
 * with its own sampler, decodes its bytes, filters its stop sequences. A finished or cancelled answer leaves at once
 * and a waiting one takes its place. The kernels give a token the same result whatever ran beside it, so an answer
 * is the same, token for token, alone or batched.
 *
 * <p>{@link #generate} blocks its caller, which receives its own answer's text on its own thread and is checked for
 * cancellation while it waits. An answer whose last text its caller has not yet taken sits out the next steps, so a
 * slow listener holds up only its own answer, and a cancel from the listener lands before another token.
 */
public final class GenerationEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GenerationEngine.class);
    /**
     * Prompt tokens per step while no other answer is generating; cancellation is checked between steps. 64 keeps a
     * cancel during a long prompt to a few seconds on a 7B model (about 2.5 s on two Zen 5 cores) and gives the 16-bit
     * GEMM two tiles per unpacked panel of weights.
     */
    private static final int PROMPT_CHUNK = 64;
    /**
     * Prompt tokens per step while other answers are generating, at least: each of their tokens waits for the step, so a
     * joining prompt is cut finer (the pause it causes is reported as {@link GenerationResult#longestGapNanos}). Where
     * the transformer computes a larger tile of tokens at the same cost ({@link Transformer#tokensPerTile}: 32 with
     * the 16-bit GEMM on AVX-512), the prompt fills what the writing answers leave of it.
     */
    private static final int JOIN_CHUNK = 16;
    /** How often a waiting caller checks its listener for a cancel. */
    private static final long CANCEL_POLL_MILLIS = 50;

    private final Transformer transformer;
    private final PromptEncoder encoder;
    private final TokenBytes tokenBytes;
    private final KvCacheManager kvCache;
    private final List<Integer> eosIds;
    private final int contextWindow;
    private final int maxConcurrent;

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition work = lock.newCondition();
    private final ArrayDeque<Generation> waiting = new ArrayDeque<>();
    private boolean closed;
    /** The stepping thread's own: answers admitted and running. */
    private final List<Generation> running = new ArrayList<>();
    private volatile int runningCount;
    private final Thread stepper;

    public GenerationEngine(Transformer transformer, PromptEncoder encoder, TokenBytes tokenBytes, KvCacheManager kvCache,
                            List<Integer> eosIds, int contextWindow, int maxConcurrent) {
        if (maxConcurrent < 1) throw new IllegalArgumentException("maxConcurrent: " + maxConcurrent + " must be >= 1");
        this.transformer = transformer;
        this.encoder = encoder;
        this.tokenBytes = tokenBytes;
        this.kvCache = kvCache;
        this.eosIds = List.copyOf(eosIds);
        this.contextWindow = contextWindow;
        this.maxConcurrent = maxConcurrent;
        this.stepper = new Thread(this::run, "synthia-generation");
        this.stepper.setDaemon(true);
        this.stepper.start();
    }

    /**
     * Generates an answer, waiting for a place among the running answers first. Text reaches {@code listener} on the
     * calling thread; a cancel ({@link GenerationListener#isCancelled()} or an interrupt) ends it with
     * {@link Finish#CANCELLED} (the interrupt stays set).
     */
    public GenerationResult generate(Transcript transcript, SamplingParams params, GenerationListener listener) {
        Fitted fitted = fit(transcript, params.maxNewTokens());
        Generation g = new Generation(fitted.ids(), fitted.droppedExchanges(), params, tokenBytes.vocabSize());
        lock.lock();
        try {
            if (closed) throw new IllegalStateException("The model is closed");
            waiting.add(g);
            work.signal();
        } finally {
            lock.unlock();
        }
        boolean interrupted = false;
        try {
            while (true) {
                Object event;
                try {
                    event = g.events.poll(CANCEL_POLL_MILLIS, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    interrupted = true;
                    cancel(g);
                    continue;
                }
                if (event == null) {
                    if (!g.isCancelled() && listener.isCancelled()) cancel(g);
                } else if (event instanceof String piece) {
                    listener.onText(piece);
                    if (!g.isCancelled() && listener.isCancelled()) g.cancel();
                    if (g.undelivered.decrementAndGet() == 0) signal(); // its next step may go (and sees a cancel first)
                } else if (event instanceof GenerationResult result) {
                    return result;
                } else {
                    Throwable t = (Throwable) event;
                    if (t instanceof RuntimeException r) throw r;
                    if (t instanceof Error e) throw e;
                    throw new IllegalStateException(t);
                }
            }
        } catch (RuntimeException | Error e) {
            cancel(g); // the listener threw: the answer stops at the next step
            throw e;
        } finally {
            if (interrupted) Thread.currentThread().interrupt();
        }
    }

    private void cancel(Generation g) {
        g.cancel();
        signal();
    }

    private void signal() {
        lock.lock();
        try {
            work.signal();
        } finally {
            lock.unlock();
        }
    }

    /** The prompt's token ids after dropping the oldest exchanges that do not fit the context window. */
    public Fitted fit(Transcript transcript, int maxNewTokens) {
        int reserve = Math.min(maxNewTokens, contextWindow / 4);
        int dropped = 0;
        int[] ids = encoder.encode(transcript);
        while (ids.length + reserve > contextWindow && dropped < transcript.history().size()) {
            dropped++;
            ids = encoder.encode(transcript.dropOldest(dropped));
        }
        if (ids.length + reserve > contextWindow) {
            throw new PromptTooLongException(ids.length, reserve, contextWindow);
        }
        return new Fitted(ids, dropped);
    }

    public record Fitted(int[] ids, int droppedExchanges) {}

    // ------------------------------------------------------------------ the stepping thread

    private void run() {
        while (true) {
            boolean closing;
            lock.lock();
            try {
                while (true) {
                    dropCancelledWaiting();
                    if (!closed) admit();
                    if (!running.isEmpty()) break;
                    if (closed) return;
                    work.awaitUninterruptibly();
                }
                closing = closed;
            } finally {
                lock.unlock();
            }
            try {
                if (closing) {
                    for (Generation g : List.copyOf(running)) finish(g, Finish.CANCELLED);
                } else {
                    step();
                }
            } catch (Throwable t) {
                failRunning(t);
            }
        }
    }

    /** Answers cancelled before they started end at once. Holds the lock. */
    private void dropCancelledWaiting() {
        for (Iterator<Generation> it = waiting.iterator(); it.hasNext(); ) {
            Generation g = it.next();
            if (g.isCancelled()) {
                it.remove();
                g.events.add(g.result("", Finish.CANCELLED, System.nanoTime()));
            }
        }
    }

    /**
     * Moves waiting answers into the batch while there is a place and KV memory for them (a running answer is never
     * evicted for a new one; the first one is always let in). Holds the lock.
     */
    private void admit() {
        while (running.size() < maxConcurrent && !waiting.isEmpty()) {
            Generation g = waiting.peek();
            int reserve = Math.min(contextWindow, g.prompt.length + g.params.maxNewTokens());
            if (!running.isEmpty() && !kvCache.fits(reserve)) break;
            waiting.poll();
            KvCacheManager.Lease lease = kvCache.acquire(g.prompt, reserve);
            g.slot = lease.slot();
            g.reused = lease.reused();
            g.next = lease.reused();
            g.phase = Generation.Phase.PROMPT;
            g.admittedAt = System.nanoTime();
            running.add(g);
        }
        runningCount = running.size();
    }

    /** One pass through the model for every running answer: a token each, and a chunk of a joining prompt. */
    private void step() {
        for (Generation g : List.copyOf(running)) {
            if (g.isCancelled()) finish(g, Finish.CANCELLED);
        }
        if (running.isEmpty()) return;
        boolean generating = running.stream().anyMatch(g -> g.phase == Generation.Phase.DECODE);
        int decoding = (int) running.stream().filter(g -> g.phase == Generation.Phase.DECODE && g.undelivered.get() == 0).count();
        int budget = generating ? Math.max(JOIN_CHUNK, transformer.tokensPerTile() - decoding) : PROMPT_CHUNK;
        List<Generation> stepped = new ArrayList<>();
        List<Segment> segments = new ArrayList<>();
        for (Generation g : running) {
            if (g.phase == Generation.Phase.DECODE && g.undelivered.get() > 0) {
                continue; // its caller has not taken its last text yet
            } else if (g.phase == Generation.Phase.DECODE) {
                segments.add(new Segment(new int[] {g.pending}, g.next, g.slot.state(), true));
            } else if (budget > 0) {
                int n = Math.min(budget, g.prompt.length - g.next);
                budget -= n;
                segments.add(new Segment(Arrays.copyOfRange(g.prompt, g.next, g.next + n), g.next, g.slot.state(), g.next + n == g.prompt.length));
            } else {
                continue;
            }
            stepped.add(g);
        }
        if (segments.isEmpty()) { // every answer waits for its caller: until one takes its text
            lock.lock();
            try {
                if (running.stream().allMatch(g -> g.undelivered.get() > 0 && !g.isCancelled())) work.await(10, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } finally {
                lock.unlock();
            }
            return;
        }
        float[][] probs = transformer.forward(segments);
        long now = System.nanoTime();
        for (int i = 0; i < stepped.size(); i++) {
            Generation g = stepped.get(i);
            g.slot.appendAll(segments.get(i).tokens());
            g.next += segments.get(i).tokens().length;
            if (g.phase == Generation.Phase.PROMPT && g.next == g.prompt.length) {
                g.slot.commit(g.prompt.length);
                g.promptNanos = now - g.admittedAt;
                g.phase = Generation.Phase.DECODE;
            }
            if (probs[i] != null) sample(g, probs[i], now);
        }
    }

    /** The answer's next token from its own sampler; ends the answer on end of sequence, a stop sequence or a limit. */
    private void sample(Generation g, float[] probs, long now) {
        int token = g.sampler.next(probs);
        g.generated[g.count++] = token;
        g.tokenSampled(now);
        if (eosIds.contains(token)) {
            finish(g, Finish.STOP);
            return;
        }
        g.feed(tokenBytes.of(token));
        if (g.stops.stopped()) {
            finish(g, Finish.STOP);
        } else if (g.count >= g.params.maxNewTokens() || g.next >= contextWindow) {
            finish(g, Finish.LENGTH);
        } else {
            g.pending = token;
        }
    }

    private void finish(Generation g, Finish finish) {
        running.remove(g);
        runningCount = running.size();
        String answer = "";
        if (g.phase == Generation.Phase.DECODE) {
            g.flush();
            answer = g.stops.text().strip();
            int kept = rememberAnswer(answer, g.generated, g.count);
            g.slot.commit(g.prompt.length + kept);
        } else {
            g.slot.commit(g.next); // cancelled during its prompt: what was computed stays reusable
        }
        kvCache.release(g.slot);
        GenerationResult r = g.result(answer, finish, System.nanoTime());
        if (log.isInfoEnabled()) log.info(r.logLine()); // one line per answer: how much of the prompt was new, the speeds
        g.events.add(r);
    }

    /** A step failed (out of memory, a bug): its answers end with the error; the engine goes on with the next ones. */
    private void failRunning(Throwable t) {
        log.error("A generation step failed; ending the {} answers in it", running.size(), t);
        for (Generation g : List.copyOf(running)) {
            running.remove(g);
            kvCache.release(g.slot);
            g.events.add(t);
        }
        runningCount = 0;
    }

    /**
     * Finds the shortest run of generated tokens whose text is the answer, and remembers those ids for
     * the answer so the next turn replays them. Returns how many tokens that is (0 if none matches).
     */
    private int rememberAnswer(String answer, int[] generated, int count) {
        if (answer.isEmpty()) return 0;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int k = 0; k < count; k++) {
            bytes.writeBytes(tokenBytes.of(generated[k]));
            String text = bytes.toString(StandardCharsets.UTF_8);
            if (text.strip().equals(answer)) {
                encoder.rememberAnswer(answer, Arrays.copyOf(generated, k + 1));
                return k + 1;
            }
            if (text.length() > answer.length() + 64) break;
        }
        return 0;
    }

    /** Answers running together at most. */
    public int maxConcurrent() {
        return maxConcurrent;
    }

    /** Answers being generated now. */
    public int running() {
        return runningCount;
    }

    public int contextWindow() {
        return contextWindow;
    }

    public Transformer transformer() {
        return transformer;
    }

    public KvCacheManager kvCache() {
        return kvCache;
    }

    public PromptEncoder encoder() {
        return encoder;
    }

    /**
     * Stops taking answers, ends the waiting and running ones as cancelled (after the step in progress), then frees
     * the model. Callers that want answers to finish wait for them before closing (the bot's queue does).
     */
    @Override
    public void close() {
        lock.lock();
        try {
            if (closed) return;
            closed = true;
            for (Generation g : waiting) g.cancel();
            work.signal();
        } finally {
            lock.unlock();
        }
        try {
            stepper.join(TimeUnit.SECONDS.toMillis(60)); // one step of a long prompt chunk at most
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        kvCache.close();
        transformer.close();
    }
}
