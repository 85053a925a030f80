package dev.synthiabot.adapter.transformer;

/**
 * A decoder-only transformer that turns tokens into next-token probabilities, with a key/value cache
 * per conversation. Implementations: {@link Q4Transformer} (our Vector API kernels over Q4 weights, the
 * default for quantized models) and {@link JlamaTransformer} (Jlama's own forward pass).
 * Not thread-safe: the generation engine calls it from one thread at a time.
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
     * Runs {@code tokens} at positions {@code start, start + 1, …} (writing their keys and values into
     * {@code state}) and returns the probabilities (softmax, temperature 1) of the token after the last one.
     */
    float[] forward(int[] tokens, int start, State state);

    /** Copies the keys and values of positions {@code [0, n)} from one state to another. */
    void copyPrefix(State from, State to, int n);

    /** Bytes of KV memory one position takes. */
    long bytesPerToken();

    /** Which kernels run, for the startup log and the benchmark. */
    String describe();

    @Override
    void close();
}
