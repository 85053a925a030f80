package dev.synthiabot.adapter;

/**
 * How the model is running, in plain values (for an operator's status page).
 *
 * @param forwardPass the forward pass and its kernels, e.g. {@code synthia-bot Q4 kernels (AVX2, Q8 activations when
 *     generating, BF16 KV cache, 2 threads)}
 * @param kvCacheConversations conversations whose keys and values are kept for reuse
 * @param kvCacheBytes memory those take
 * @param kvCacheBudgetBytes the most they may take ({@code kvCacheBytes} of the builder)
 */
public record SynthiaModelStatus(String forwardPass, int kvCacheConversations, long kvCacheBytes, long kvCacheBudgetBytes) {}
