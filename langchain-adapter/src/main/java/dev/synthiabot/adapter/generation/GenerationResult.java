package dev.synthiabot.adapter.generation;

/**
 * What a generation produced.
 *
 * @param answer the answer as shown: text before any stop sequence, without surrounding whitespace
 * @param rawText the generated text before any stop sequence, unchanged
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
    String rawText,
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

    /** Prompt tokens the model actually had to process. */
    public int processedPromptTokens() {
        return promptTokens - reusedTokens;
    }
}
