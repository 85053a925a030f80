package dev.synthiabot.adapter;

import java.nio.file.Path;

/** Builders for the tiny fixture model, greedy unless a test says otherwise. */
public final class TinyModels {
    private TinyModels() {}

    public static SynthiaChatModel.Builder f32Greedy() {
        return SynthiaChatModel.builder()
            .modelPath(Fixtures.tinyModel())
            .quantize(false)
            .temperature(0)
            .maxOutputTokens(24);
    }

    public static SynthiaChatModel.Builder q4Greedy(Path cacheDir) {
        return f32Greedy().quantize(true).cacheDir(cacheDir);
    }
}
