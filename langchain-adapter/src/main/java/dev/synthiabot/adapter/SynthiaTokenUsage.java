package dev.synthiabot.adapter;

import dev.langchain4j.model.output.TokenUsage;
import java.util.Objects;

/**
 * Token counts of one answer: {@code inputTokenCount} is the whole prompt, of which
 * {@code cachedInputTokenCount} came from the KV cache and were not processed again.
 */
public final class SynthiaTokenUsage extends TokenUsage {
    private final int cachedInputTokenCount;

    public SynthiaTokenUsage(int inputTokenCount, int cachedInputTokenCount, int outputTokenCount) {
        super(inputTokenCount, outputTokenCount);
        this.cachedInputTokenCount = cachedInputTokenCount;
    }

    public int cachedInputTokenCount() {
        return cachedInputTokenCount;
    }

    /** Prompt tokens the model actually processed. */
    public int processedInputTokenCount() {
        return inputTokenCount() - cachedInputTokenCount;
    }

    @Override
    public TokenUsage add(TokenUsage that) {
        if (that == null) return this;
        int cached = that instanceof SynthiaTokenUsage s ? s.cachedInputTokenCount : 0;
        return new SynthiaTokenUsage(
            plus(inputTokenCount(), that.inputTokenCount()), cachedInputTokenCount + cached, plus(outputTokenCount(), that.outputTokenCount()));
    }

    private static int plus(Integer a, Integer b) {
        return (a == null ? 0 : a) + (b == null ? 0 : b);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof SynthiaTokenUsage s && super.equals(o) && s.cachedInputTokenCount == cachedInputTokenCount;
    }

    @Override
    public int hashCode() {
        return Objects.hash(super.hashCode(), cachedInputTokenCount);
    }

    @Override
    public String toString() {
        return "SynthiaTokenUsage{input=" + inputTokenCount() + ", cachedInput=" + cachedInputTokenCount + ", output=" + outputTokenCount() + "}";
    }
}
