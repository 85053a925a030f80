package dev.synthiabot.adapter.transformer;

/**
 * A decoder-only transformer that turns tokens into next-token probabilities, with a key/value cache
 * per conversation. Implementations: {@link Q4Transformer} (our Vector API kernels over Q4 weights, the
 * default for quantized models) and {@link JlamaTransformer} (Jlama's own forward pass).
 * Not thread-safe: the generation engine calls it from its one stepping thread.
 */
public interface Transformer extends AutoCloseable {

    /** One conversation's keys and values. */
    interface State extends AutoCloseable {
        /** Bytes this state holds now (allocated, not only used), or -1 if the transformer cannot tell. */
        default long allocatedBytes() {
            return -1;
        }

        @Override
        void close();
    }

    State newState();

    /**
     * One conversation's part of a step: its {@code tokens} at positions {@code start, start + 1, …}, whose keys and
     * values go into {@code state}; {@code wantsNext}: whether the probabilities of the token after the last one are
     * needed (not for a part of a prompt that more tokens follow).
     */
    record Segment(int[] tokens, int start, State state, boolean wantsNext) {}

    /**
     * Runs every segment's tokens in one pass (several conversations share each read of the weights) and returns, per
     * segment, the probabilities (softmax, temperature 1) of its next token, or null where not wanted. A segment's
     * result does not depend on the other segments of the step.
     */
    float[][] forward(java.util.List<Segment> segments);

    /** One conversation's tokens alone: {@link #forward(java.util.List)} with one segment. */
    default float[] forward(int[] tokens, int start, State state) {
        return forward(java.util.List.of(new Segment(tokens, start, state, true)))[0];
    }

    /** Copies the keys and values of positions {@code [0, n)} from one state to another. */
    void copyPrefix(State from, State to, int n);

    /**
     * How many tokens one pass computes for about the cost of its first few (a GEMM tile of tokens); 1 where more tokens
     * always cost more. A step with answers writing fills this with a joining prompt's tokens.
     */
    default int tokensPerTile() {
        return 1;
    }

    /** Bytes of KV memory one position takes. */
    long bytesPerToken();

    /** Which kernels run, for the startup log and the benchmark. */
    String describe();

    @Override
    void close();
}
