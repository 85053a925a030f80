package dev.synthiabot.adapter.generation;

import dev.synthiabot.adapter.generation.GenerationResult.Finish;
import dev.synthiabot.adapter.kv.KvCacheManager;
import dev.synthiabot.adapter.kv.KvSlot;
import dev.synthiabot.adapter.prompt.PromptEncoder;
import dev.synthiabot.adapter.prompt.Transcript;
import dev.synthiabot.adapter.transformer.Transformer;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Our generation loop over a {@link Transformer}: prompt tokens not already in the KV cache are
 * processed in batches, then one token at a time is sampled, decoded by bytes, filtered for stop
 * sequences and streamed.
 *
 * <p>One generation runs at a time (a fair lock): the transformer is not thread-safe.
 */
public final class GenerationEngine implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(GenerationEngine.class);
    /**
     * Prompt tokens per batch; cancellation is checked between batches. 32 keeps a cancel during a long prompt
     * to a few seconds on a 7B model while the Q4 GEMM still gets full 8-token tiles.
     */
    private static final int PROMPT_CHUNK = 32;

    private final Transformer transformer;
    private final PromptEncoder encoder;
    private final TokenBytes tokenBytes;
    private final KvCacheManager kvCache;
    private final List<Integer> eosIds;
    private final int contextWindow;
    private final ReentrantLock lock = new ReentrantLock(true);

    public GenerationEngine(Transformer transformer, PromptEncoder encoder, TokenBytes tokenBytes, KvCacheManager kvCache,
                            List<Integer> eosIds, int contextWindow) {
        this.transformer = transformer;
        this.encoder = encoder;
        this.tokenBytes = tokenBytes;
        this.kvCache = kvCache;
        this.eosIds = List.copyOf(eosIds);
        this.contextWindow = contextWindow;
    }

    public GenerationResult generate(Transcript transcript, SamplingParams params, GenerationListener listener) {
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("Interrupted while waiting for the model", e);
        }
        try {
            return generateLocked(transcript, params, listener);
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

    private GenerationResult generateLocked(Transcript transcript, SamplingParams params, GenerationListener listener) {
        long start = System.nanoTime();
        Fitted fitted = fit(transcript, params.maxNewTokens());
        int[] prompt = fitted.ids();
        KvCacheManager.Lease lease = kvCache.acquire(prompt);
        KvSlot slot = lease.slot();
        try {
            float[] probs = processPrompt(prompt, lease.reused(), slot, listener);
            long promptNanos = System.nanoTime() - start;
            if (probs == null) {
                return new GenerationResult("", "", Finish.CANCELLED, prompt.length, lease.reused(), 0,
                    fitted.droppedExchanges(), promptNanos, 0, 0);
            }
            return decode(prompt, lease.reused(), fitted.droppedExchanges(), slot, probs, params, listener, start, promptNanos);
        } finally {
            kvCache.release(slot);
        }
    }

    /** Runs the prompt tokens the cache lacks; returns the next-token probabilities, or null if cancelled. */
    private float[] processPrompt(int[] prompt, int reused, KvSlot slot, GenerationListener listener) {
        float[] probs = null;
        for (int from = reused; from < prompt.length; from += PROMPT_CHUNK) {
            if (listener.isCancelled()) return null;
            int[] chunk = Arrays.copyOfRange(prompt, from, Math.min(prompt.length, from + PROMPT_CHUNK));
            probs = transformer.forward(chunk, from, slot.state());
            slot.appendAll(chunk);
        }
        slot.commit(prompt.length);
        return probs;
    }

    private GenerationResult decode(int[] prompt, int reused, int dropped, KvSlot slot, float[] firstProbs,
                                    SamplingParams params, GenerationListener listener, long start, long promptNanos) {
        Sampler sampler = new Sampler(params, firstProbs.length);
        Utf8StreamDecoder utf8 = new Utf8StreamDecoder();
        StopSequenceFilter stops = new StopSequenceFilter(params.stopSequences());
        WhitespaceTrimmer trimmer = new WhitespaceTrimmer();
        int[] generated = new int[params.maxNewTokens()];
        int count = 0;
        long firstTokenNanos = 0;
        long decodeStart = System.nanoTime();
        float[] probs = firstProbs;
        Finish finish = Finish.LENGTH;
        int pos = prompt.length;

        while (true) {
            if (listener.isCancelled()) {
                finish = Finish.CANCELLED;
                break;
            }
            int next = sampler.next(probs);
            if (count == 0) firstTokenNanos = System.nanoTime() - start;
            generated[count++] = next;
            if (eosIds.contains(next)) {
                finish = Finish.STOP;
                break;
            }
            emit(listener, trimmer, stops.append(utf8.feed(tokenBytes.of(next))));
            if (stops.stopped()) {
                finish = Finish.STOP;
                break;
            }
            if (count >= params.maxNewTokens() || pos >= contextWindow) {
                break;
            }
            probs = transformer.forward(new int[] {next}, pos, slot.state());
            slot.append(next);
            pos++;
        }
        if (!stops.stopped()) {
            emit(listener, trimmer, stops.append(utf8.finish()));
            emit(listener, trimmer, stops.flush());
        }
        long decodeNanos = System.nanoTime() - decodeStart;
        String raw = stops.text();
        String answer = raw.strip();
        int kept = rememberAnswer(answer, generated, count);
        slot.commit(prompt.length + kept);
        if (log.isInfoEnabled()) {
            // one line per answer for whoever runs the model: how much of the prompt was new, and the speeds
            int computed = prompt.length - reused;
            log.info(String.format(java.util.Locale.ROOT,
                "Answer: %d tokens (%s) in %.1f s, %.2f tokens/s; prompt %d tokens, %d from the KV cache, %d computed in %.1f s (%.1f tokens/s)",
                count, finish, decodeNanos / 1e9, count > 1 ? (count - 1) / (decodeNanos / 1e9) : 0.0, prompt.length, reused, computed,
                promptNanos / 1e9, computed > 0 && promptNanos > 0 ? computed / (promptNanos / 1e9) : 0.0));
        }
        return new GenerationResult(answer, raw, finish, prompt.length, reused, count, dropped, promptNanos, firstTokenNanos, decodeNanos);
    }

    private static void emit(GenerationListener listener, WhitespaceTrimmer trimmer, String text) {
        if (text.isEmpty()) return;
        String visible = trimmer.accept(text);
        if (!visible.isEmpty()) listener.onText(visible);
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

    /** Drops all cached conversations, waiting for a running generation to finish first. */
    public void clearCache() {
        lock.lock();
        try {
            kvCache.clear();
        } finally {
            lock.unlock();
        }
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

    @Override
    public void close() {
        lock.lock();
        try {
            kvCache.close();
            transformer.close();
        } finally {
            lock.unlock();
        }
    }
}
