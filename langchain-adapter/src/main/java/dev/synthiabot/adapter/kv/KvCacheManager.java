package dev.synthiabot.adapter.kv;

import dev.synthiabot.adapter.transformer.Transformer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps the KV caches of recent conversations so that no token already processed is processed again.
 *
 * <p>For a new prompt, the slot sharing the longest token prefix with it is found. If the prompt
 * continues that slot's conversation (it extends everything the slot committed), the slot is reused in
 * place; otherwise (e.g. a new conversation with an already-seen system prompt) a new slot is forked
 * from it by copying the shared prefix's keys and values, leaving the other conversation intact.
 * Rolling back within a slot is safe because attention only reads positions up to the current one.
 *
 * <p>Several answers run at once: a slot in use is never reused in place by another prompt (a second answer to the
 * same conversation forks a copy) and never evicted. Memory is bounded by a budget: least recently used idle slots are
 * closed when the total exceeds it, and a new answer is admitted only if the reserves of the running ones and its own
 * fit ({@link #fits}). Keys and values live in memory only, so nothing is ever written to disk.
 * The engine's stepping thread changes it; the figures can be read from any thread.
 */
public final class KvCacheManager implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(KvCacheManager.class);

    /** A slot ready for a prompt, and how many of the prompt's tokens it already holds. */
    public record Lease(KvSlot slot, int reused) {}

    private final Transformer transformer;
    private final long bytesPerToken;
    private final long budgetBytes;
    private final List<KvSlot> slots = new ArrayList<>();
    private long clock;

    public KvCacheManager(Transformer transformer, long budgetBytes) {
        this.transformer = transformer;
        this.bytesPerToken = transformer.bytesPerToken();
        this.budgetBytes = budgetBytes;
    }

    /**
     * Finds or makes the slot for a prompt, in use until {@link #release}; {@code reserveTokens}: the most positions the
     * answer may fill (prompt and answer), counted against the budget while it runs. At least the prompt's last token
     * is left to process.
     */
    public synchronized Lease acquire(int[] prompt, int reserveTokens) {
        KvSlot best = null;
        int bestPrefix = 0;
        for (KvSlot s : slots) {
            int p = s.tokens.commonPrefix(prompt);
            if (p > bestPrefix) {
                best = s;
                bestPrefix = p;
            }
        }
        int reuse = Math.min(bestPrefix, prompt.length - 1);
        KvSlot slot;
        if (best != null && reuse > 0 && bestPrefix >= best.committed && !best.inUse) {
            slot = best;
            slot.truncate(reuse);
        } else {
            slot = new KvSlot(transformer.newState());
            if (best != null && reuse > 0) {
                copyPrefix(best, slot, reuse);
            } else {
                reuse = 0;
            }
            slots.add(slot);
        }
        slot.lastUsed = ++clock;
        slot.inUse = true;
        slot.reserveTokens = reserveTokens;
        evictOver(budgetBytes - (long) prompt.length * bytesPerToken, slot);
        return new Lease(slot, reuse);
    }

    /** Whether an answer needing {@code reserveTokens} positions fits the budget beside the running answers' reserves. */
    public synchronized boolean fits(int reserveTokens) {
        long reserved = (long) reserveTokens * bytesPerToken;
        for (KvSlot s : slots) {
            if (s.inUse) reserved += Math.max((long) s.reserveTokens * bytesPerToken, s.buffer.allocatedBytes());
        }
        return reserved <= budgetBytes;
    }

    /** Called after a generation: the slot is idle again, and the cache is trimmed back under budget, keeping it. */
    public synchronized void release(KvSlot current) {
        current.inUse = false;
        current.lastUsed = ++clock;
        evictOver(budgetBytes, current);
    }

    private void copyPrefix(KvSlot from, KvSlot to, int n) {
        transformer.copyPrefix(from.buffer, to.buffer, n);
        for (int i = 0; i < n; i++) to.append(from.tokens.get(i));
        to.commit(n);
    }

    private void evictOver(long budget, KvSlot keep) {
        List<KvSlot> lru = new ArrayList<>(slots);
        lru.sort(Comparator.comparingLong(s -> s.lastUsed));
        for (KvSlot s : lru) {
            if (usedBytes() <= budget) break;
            if (s == keep || s.inUse) continue;
            log.debug("Evicting a KV cache of {} tokens ({} bytes)", s.highWater, s.highWater * bytesPerToken);
            slots.remove(s);
            s.buffer.close();
        }
    }

    /** Bytes of KV memory the kept conversations hold. */
    public synchronized long usedBytes() {
        long total = 0;
        for (KvSlot s : slots) total += Math.max(s.highWater * bytesPerToken, s.buffer.allocatedBytes());
        return total;
    }

    public synchronized int conversations() {
        return slots.size();
    }

    public long bytesPerToken() {
        return bytesPerToken;
    }

    /** Drops every idle cached conversation, so the next prompt is computed from scratch (a running answer keeps its). */
    public synchronized void clear() {
        slots.removeIf(s -> {
            if (s.inUse) return false;
            s.buffer.close();
            return true;
        });
    }

    @Override
    public synchronized void close() {
        for (KvSlot s : slots) s.buffer.close();
        slots.clear();
    }
}
