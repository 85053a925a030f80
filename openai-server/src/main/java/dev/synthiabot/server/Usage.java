package dev.synthiabot.server;

import dev.langchain4j.model.output.TokenUsage;
import dev.synthiabot.adapter.SynthiaTokenUsage;

/**
 * An answer's token counts as OpenAI reports them. {@code cachedTokens}: prompt tokens the model took from its KV
 * cache ({@link SynthiaTokenUsage}; 0 for a model that does not tell).
 */
record Usage(int promptTokens, int completionTokens, int cachedTokens) {

    /** The model's counts; {@code piecesStreamed} stands in for the completion tokens when the model gives none. */
    static Usage of(TokenUsage usage, int piecesStreamed) {
        if (usage == null) return new Usage(0, piecesStreamed, 0);
        int prompt = usage.inputTokenCount() == null ? 0 : usage.inputTokenCount();
        int completion = usage.outputTokenCount() == null ? piecesStreamed : usage.outputTokenCount();
        int cached = usage instanceof SynthiaTokenUsage s ? s.cachedInputTokenCount() : 0;
        return new Usage(prompt, completion, cached);
    }

    int totalTokens() {
        return promptTokens + completionTokens;
    }
}
