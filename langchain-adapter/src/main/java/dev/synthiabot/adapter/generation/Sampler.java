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
    /** The candidates' weights p^(1/T), by rank: weights[i] belongs to order[i]. */
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

        // p^(1/T) keeps the probabilities' order, so the top k are chosen on the probabilities themselves and only
        // those k are raised to 1/T: a log and an exp for 50 tokens, not for the whole vocabulary (~1 ms a token)
        int kept = keepTopK(probs);
        double invT = 1.0 / params.temperature();
        double logMax = Math.log(probs[argmax]);
        for (int i = 0; i < kept; i++) {
            float p = probs[order[i]];
            weights[i] = p > 0 ? Math.exp((Math.log(p) - logMax) * invT) : 0;
        }
        kept = keepTopP(kept);

        double total = 0;
        for (int i = 0; i < kept; i++) total += weights[i];
        double r = random.nextDouble() * total;
        double acc = 0;
        for (int i = 0; i < kept; i++) {
            acc += weights[i];
            if (r < acc) return order[i];
        }
        return order[kept - 1];
    }

    /** Puts the candidate token ids in {@code order}, most likely first; returns how many are kept. */
    private int keepTopK(float[] probs) {
        int n = probs.length;
        int k = params.topK() > 0 ? Math.min(params.topK(), n) : n;
        if (k == n && params.topP() >= 1.0) {
            for (int i = 0; i < n; i++) order[i] = i; // all tokens, any order will do
            return n;
        }
        if (k == n) {
            Integer[] boxed = new Integer[n];
            for (int i = 0; i < n; i++) boxed[i] = i;
            Arrays.sort(boxed, (a, b) -> Float.compare(probs[b], probs[a]));
            for (int i = 0; i < n; i++) order[i] = boxed[i];
            return n;
        }
        // Partial selection: keep a sorted window of the k best (k is small, e.g. 50).
        int size = 0;
        for (int i = 0; i < n; i++) {
            float p = probs[i];
            if (size == k && p <= probs[order[k - 1]]) continue;
            int pos = size < k ? size++ : k - 1;
            while (pos > 0 && probs[order[pos - 1]] < p) {
                order[pos] = order[pos - 1];
                pos--;
            }
            order[pos] = i;
        }
        return size;
    }

    /** Keeps the most likely of the {@code kept} candidates whose weights (by rank) reach top_p together. */
    private int keepTopP(int kept) {
        if (params.topP() >= 1.0) return kept;
        double total = 0;
        for (int i = 0; i < kept; i++) total += weights[i];
        double acc = 0;
        for (int i = 0; i < kept; i++) {
            acc += weights[i] / total;
            if (acc >= params.topP()) return i + 1;
        }
        return kept;
    }
}
