package dev.synthiabot.adapter.generation;

/**
 * What a generation produced.
 *
 * @param answer the answer as shown: text before any stop sequence, without surrounding whitespace
 * @param promptTokens tokens in the prompt (after trimming to the context window), BOS included
 * @param reusedTokens prompt tokens whose keys/values came from the KV cache (not recomputed)
 * @param generatedTokens tokens sampled by the model (including one that ended the answer)
 * @param droppedExchanges oldest exchanges left out to fit the context window
 * @param promptNanos from the engine taking the request to the end of its prompt
 * @param firstTokenNanos from the engine taking the request to its first token
 * @param decodeNanos from the first token to the last
 * @param longestGapNanos the longest pause between two of its tokens (another request's prompt joining the batch)
 */
public record GenerationResult(
    String answer,
    Finish finish,
    int promptTokens,
    int reusedTokens,
    int generatedTokens,
    int droppedExchanges,
    long promptNanos,
    long firstTokenNanos,
    long decodeNanos,
    long longestGapNanos) {

    public enum Finish {
        /** End of sequence or a stop sequence. */
        STOP,
        /** Max new tokens or the context window reached. */
        LENGTH,
        /** The caller cancelled. */
        CANCELLED
    }

    /** The answer's line in the log, for whoever runs the model: its speed, how much of its prompt was new. */
    public String logLine() {
        int computed = processedPromptTokens();
        double decodeSeconds = decodeNanos / 1e9, promptSeconds = promptNanos / 1e9;
        return String.format(java.util.Locale.ROOT,
            "Answer: %d tokens (%s) in %.1f s, %.2f tokens/s, longest pause %.2f s; prompt %d tokens, %d from the KV cache, %d computed in %.1f s (%.1f tokens/s)",
            generatedTokens, finish, decodeSeconds, generatedTokens > 1 && decodeSeconds > 0 ? (generatedTokens - 1) / decodeSeconds : 0.0,
            longestGapNanos / 1e9, promptTokens, reusedTokens, computed, promptSeconds,
            computed > 0 && promptSeconds > 0 ? computed / promptSeconds : 0.0);
    }

    /** Prompt tokens the model actually had to process. */
    public int processedPromptTokens() {
        return promptTokens - reusedTokens;
    }
}
