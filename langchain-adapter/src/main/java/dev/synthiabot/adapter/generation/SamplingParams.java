package dev.synthiabot.adapter.generation;

import java.util.List;
import java.util.OptionalLong;

/**
 * How to pick each next token and when to stop.
 *
 * @param temperature 0 means greedy (argmax); the model card uses 0.75
 * @param topK keep the k most likely tokens; 0 means no limit
 * @param topP keep the smallest set of tokens whose probability adds up to at least p (at least one); 1.0 keeps all
 * @param seed fixed seed for reproducible sampling, or empty for a random one
 * @param maxNewTokens the number of tokens to generate at most (a count, not a position)
 * @param stopSequences text that ends the answer (not included in it)
 */
public record SamplingParams(
    double temperature, int topK, double topP, OptionalLong seed, int maxNewTokens, List<String> stopSequences) {

    public SamplingParams {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature: " + temperature + " must be >= 0");
        }
        if (topK < 0) throw new IllegalArgumentException("topK: " + topK + " must be >= 0 (0 = no limit)");
        if (!(topP >= 0 && topP <= 1)) throw new IllegalArgumentException("topP: " + topP + " must be in [0, 1] (0 keeps only the most likely token)");
        if (maxNewTokens < 1) throw new IllegalArgumentException("maxNewTokens: " + maxNewTokens + " must be >= 1");
        stopSequences = List.copyOf(stopSequences);
    }
}
