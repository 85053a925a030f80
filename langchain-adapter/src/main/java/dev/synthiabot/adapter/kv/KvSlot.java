package dev.synthiabot.adapter.kv;

import dev.synthiabot.adapter.transformer.Transformer;
import dev.synthiabot.adapter.prompt.IntList;

/**
 * One conversation's KV cache: the transformer's key/value state plus the token ids whose keys and values it
 * holds at positions {@code 0..tokens.size()-1}.
 */
public final class KvSlot {
    final Transformer.State buffer;
    final IntList tokens = new IntList(512);
    /** Tokens that belong to the conversation (prompt + kept answer), as opposed to a stop string's tail. */
    int committed;
    /** Highest number of positions ever written: pages stay allocated up to here. */
    int highWater;
    long lastUsed;
    /** Whether an answer is running on it: not to be reused in place by another prompt, nor evicted. */
    boolean inUse;
    /** The most positions its running answer may fill, counted against the budget. */
    int reserveTokens;

    KvSlot(Transformer.State buffer) {
        this.buffer = buffer;
    }

    public Transformer.State state() {
        return buffer;
    }

    /** Number of positions holding valid keys/values. */
    public int length() {
        return tokens.size();
    }

    /** Records that the token {@code id} was processed at position {@link #length()}. */
    public void append(int id) {
        tokens.add(id);
        highWater = Math.max(highWater, tokens.size());
    }

    public void appendAll(int[] ids) {
        for (int id : ids) append(id);
    }

    /** Marks the first {@code n} tokens as the conversation's own (reusable in place by its next turn). */
    public void commit(int n) {
        committed = Math.min(n, tokens.size());
    }

    void truncate(int n) {
        tokens.truncate(n);
        committed = Math.min(committed, n);
    }
}
