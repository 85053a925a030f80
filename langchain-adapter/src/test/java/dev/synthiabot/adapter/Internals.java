package dev.synthiabot.adapter;

import dev.synthiabot.adapter.generation.GenerationEngine;

/** The adapter's insides for its benchmarks (another package): the engine behind a model. Not part of the adapter's API. */
public final class Internals {
    private Internals() {}

    public static GenerationEngine engine(SynthiaChatModel model) {
        return model.engine();
    }
}
