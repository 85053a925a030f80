package dev.synthiabot.adapter.generation;

import java.util.Arrays;
import java.util.Random;

/**
 * Picks the next token from the model's probabilities in Hugging Face's order: temperature, then
 * top-k, then top-p (nucleus), then a draw from what is left. Temperature 0 is greedy.
 *
 * <p>Works on probabilities (a softmax at temperature 1): {@code p^(1/T)} renormalised equals
 * {@code softmax(logits / T)}, so no logits are needed.
 */
public final class Sampler {
    private final SamplingParams params;
    private final Random random;
    private final int[] order;
    private final double[] weights;

    public Sampler(SamplingParams params, int vocabSize) {
        this.params = params;
        this.random = params.seed().isPresent() ? new Random(params.seed().getAsLong()) : new Random();
        this.order = new int[vocabSize];
        this.weights = new double[vocabSize];
    }

    public int next(float[] probs) {
        int n = probs.length;
        int argmax = 0;
        for (int i = 1; i < n; i++) if (probs[i] > probs[argmax]) argmax = i;
        if (params.temperature() == 0 || probs[argmax] >= 1f) return argmax;

        double invT = 1.0 / params.temperature();
        double logMax = Math.log(probs[argmax]);
        for (int i = 0; i < n; i++) {
            weights[i] = probs[i] > 0 ? Math.exp((Math.log(probs[i]) - logMax) * invT) : 0;
        }
        int kept = keepTopK(n);
        kept = keepTopP(kept);

        double total = 0;
        for (int i = 0; i < kept; i++) total += weights[order[i]];
        double r = random.nextDouble() * total;
        double acc = 0;
        for (int i = 0; i < kept; i++) {
            acc += weights[order[i]];
            if (r < acc) return order[i];
        }
        return order[kept - 1];
    }

    /** Puts the candidate token ids in {@code order}, most likely first; returns how many are kept. */
    private int keepTopK(int n) {
        int k = params.topK() > 0 ? Math.min(params.topK(), n) : n;
        if (k == n && params.topP() >= 1.0) {
            for (int i = 0; i < n; i++) order[i] = i; // all tokens, any order will do
            return n;
        }
        if (k == n) {
            Integer[] boxed = new Integer[n];
            for (int i = 0; i < n; i++) boxed[i] = i;
            Arrays.sort(boxed, (a, b) -> Double.compare(weights[b], weights[a]));
            for (int i = 0; i < n; i++) order[i] = boxed[i];
            return n;
        }
        // Partial selection: keep a sorted window of the k best (k is small, e.g. 50).
        int size = 0;
        for (int i = 0; i < n; i++) {
            double w = weights[i];
            if (size == k && w <= weights[order[k - 1]]) continue;
            int pos = size < k ? size++ : k - 1;
            while (pos > 0 && weights[order[pos - 1]] < w) {
                order[pos] = order[pos - 1];
                pos--;
            }
            order[pos] = i;
        }
        return size;
    }

    private int keepTopP(int kept) {
        if (params.topP() >= 1.0) return kept;
        double total = 0;
        for (int i = 0; i < kept; i++) total += weights[order[i]];
        double acc = 0;
        for (int i = 0; i < kept; i++) {
            acc += weights[order[i]] / total;
            if (acc >= params.topP()) return i + 1;
        }
        return kept;
    }
}
