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
    /** {@code running.size()} for other threads: written by the stepping thread alone, so volatile suffices. */
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
        Generation g = new Generation(fitted.ids(), transcript.continuing().orElse(null), fitted.droppedExchanges(), params, tokenBytes.vocabSize());
        lock.lock();
        try {
            if (closed) throw new IllegalStateException("The model is closed");
            waiting.add(g);
            work.signal();
        } finally {
            lock.unlock();
        }
        return g.deliver(listener, this::signal);
    }

    /** Wakes the stepping thread: an answer's caller took its text or cancelled it. */
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

    /**
     * The stepping thread's loop: under the lock, ends cancelled waiting answers and admits waiting ones (sleeping while
     * none runs); then, outside it, takes one step, or on close ends every running answer.
     */
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
                g.finished(g.result("", Finish.CANCELLED, System.nanoTime()));
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
        runningChanged();
    }

    /** One answer's part of a step. */
    private record Part(Generation answer, Segment segment) {}

    /**
     * One pass through the model for the running answers: a token of each generating answer whose caller has taken its
     * last text, and a chunk of a joining prompt; then each answer's keys and values are committed and, where the pass
     * gave its next token's probabilities, that token is sampled and its text posted.
     */
    private void step() {
        finishCancelled();
        if (running.isEmpty()) return;
        List<Generation> decoding = readyToDecode(); // taken once: callers take their text meanwhile
        List<Part> parts = parts(decoding, promptBudget(decoding.size()));
        if (parts.isEmpty()) {
            awaitCallers();
            return;
        }
        float[][] probs = transformer.forward(parts.stream().map(Part::segment).toList());
        long now = System.nanoTime();
        for (int i = 0; i < parts.size(); i++) {
            Generation g = parts.get(i).answer();
            commitKv(g, parts.get(i).segment(), now);
            if (probs[i] != null) sample(g, probs[i], now);
        }
    }

    private void finishCancelled() {
        for (Generation g : List.copyOf(running)) {
            if (g.isCancelled()) finish(g, Finish.CANCELLED);
        }
    }

    /** The generating answers that take a token this step: those whose caller has taken their last text. */
    private List<Generation> readyToDecode() {
        return running.stream().filter(g -> g.phase == Generation.Phase.DECODE && !g.awaitingCaller()).toList();
    }

    /**
     * Prompt tokens this step may run: {@link #PROMPT_CHUNK} while no answer is generating; otherwise what the
     * {@code decoding} answers' tokens leave of the transformer's tile, at least {@link #JOIN_CHUNK}.
     */
    private int promptBudget(int decoding) {
        boolean generating = running.stream().anyMatch(g -> g.phase == Generation.Phase.DECODE);
        return generating ? Math.max(JOIN_CHUNK, transformer.tokensPerTile() - decoding) : PROMPT_CHUNK;
    }

    /**
     * The step's segments, in the order of the running answers: the pending token of each answer in {@code decoding},
     * and the next prompt tokens of the joining answers, {@code budget} in all.
     */
    private List<Part> parts(List<Generation> decoding, int budget) {
        List<Part> parts = new ArrayList<>();
        for (Generation g : running) {
            if (g.phase == Generation.Phase.DECODE) {
                if (!decoding.contains(g)) continue; // its caller has not taken its last text yet
                parts.add(new Part(g, new Segment(new int[] {g.pending}, g.next, g.slot.state(), true)));
            } else if (budget > 0) {
                int n = Math.min(budget, g.prompt.length - g.next);
                budget -= n;
                boolean last = g.next + n == g.prompt.length;
                parts.add(new Part(g, new Segment(Arrays.copyOfRange(g.prompt, g.next, g.next + n), g.next, g.slot.state(), last)));
            }
        }
        return parts;
    }

    /** Every answer waits for its caller to take its text: waits until one does (or briefly). */
    private void awaitCallers() {
        lock.lock();
        try {
            if (running.stream().allMatch(g -> g.awaitingCaller() && !g.isCancelled())) work.await(10, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records the segment's tokens as held by the answer's KV slot; at the end of its prompt, the prompt is committed
     * (reusable by the conversation's next turn) and the answer starts generating.
     */
    private void commitKv(Generation g, Segment segment, long now) {
        g.slot.appendAll(segment.tokens());
        g.next += segment.tokens().length;
        if (g.phase == Generation.Phase.PROMPT && g.next == g.prompt.length) {
            g.slot.commit(g.prompt.length);
            g.promptNanos = now - g.admittedAt;
            g.phase = Generation.Phase.DECODE;
        }
    }

    /**
     * The answer's next token from its own sampler, its text posted to the caller; ends the answer on end of sequence,
     * a stop sequence or a limit.
     */
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
        runningChanged();
        String answer = "";
        if (g.phase == Generation.Phase.DECODE) {
            g.flush();
            answer = g.continuing == null ? g.stops.text().strip() : g.stops.text().stripTrailing();
            int kept = rememberAnswer(g.continuing, answer, g.generated, g.count);
            g.slot.commit(g.prompt.length + kept);
        } else {
            g.slot.commit(g.next); // cancelled during its prompt: what was computed stays reusable
        }
        kvCache.release(g.slot);
        GenerationResult r = g.result(answer, finish, System.nanoTime());
        if (log.isInfoEnabled()) log.info(r.logLine()); // one line per answer: how much of the prompt was new, the speeds
        g.finished(r);
    }

    /** A step failed (out of memory, a bug): its answers end with the error; the engine goes on with the next ones. */
    private void failRunning(Throwable t) {
        log.error("A generation step failed; ending the {} answers in it", running.size(), t);
        for (Generation g : List.copyOf(running)) {
            running.remove(g);
            kvCache.release(g.slot);
            g.failed(t);
        }
        runningChanged();
    }

    /** Publishes the number of running answers for {@link #running()}. */
    private void runningChanged() {
        runningCount = running.size();
    }

    /**
     * Finds the shortest run of generated tokens whose text is the answer, and remembers those ids for
     * the answer so the next turn replays them — for a continued answer, the ids of the whole answer: those
     * remembered for the part it continues, then the new ones. Returns how many generated tokens that is (0 if none
     * matches).
     */
    private int rememberAnswer(String continued, String answer, int[] generated, int count) {
        String before = continued == null ? "" : continued;
        int[] beforeIds = continued == null ? new int[0] : encoder.rememberedAnswer(continued).orElse(null);
        String whole = (before + answer).strip();
        if (answer.isEmpty() || beforeIds == null) return 0;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int k = 0; k < count; k++) {
            bytes.writeBytes(tokenBytes.of(generated[k]));
            String text = before + bytes.toString(StandardCharsets.UTF_8);
            if (text.strip().equals(whole)) {
                int[] ids = Arrays.copyOf(beforeIds, beforeIds.length + k + 1);
                System.arraycopy(generated, 0, ids, beforeIds.length, k + 1);
                encoder.rememberAnswer(whole, ids);
                return k + 1;
            }
            if (text.length() > whole.length() + 64) break;
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
