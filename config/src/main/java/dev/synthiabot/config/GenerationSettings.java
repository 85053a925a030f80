package dev.synthiabot.config;

import java.util.List;

/** How answers are sampled; the defaults are SynthIA's model card. */
public record GenerationSettings(double temperature, int topK, double topP, int maxNewTokens, List<String> stopSequences) {
    public GenerationSettings {
        stopSequences = List.copyOf(stopSequences);
        Problems p = new Problems();
        p.range("generation.temperature", temperature, 0, 2);
        p.range("generation.top_k", topK, 0, 32000);
        p.range("generation.top_p", topP, 0, 1);
        p.range("generation.max_new_tokens", maxNewTokens, 1, 8192);
        for (String s : stopSequences) p.check(!s.isEmpty(), "generation.stop_sequences", s, "is empty");
        p.throwIfAny();
    }
}
