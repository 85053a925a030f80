package dev.synthiabot.adapter;

import dev.synthiabot.adapter.generation.GenerationEngine;

/** The adapter's insides for its tests and benchmarks: the engine behind a model, the rendered prompt. Not part of the adapter's API. */
public final class Internals {
    private Internals() {}

    public static GenerationEngine engine(SynthiaChatModel model) {
        return model.engine();
    }

    /** The prompt text SynthIA receives for a conversation (after trimming to the context window). */
    static String renderPrompt(SynthiaChatModel model, java.util.List<dev.langchain4j.data.message.ChatMessage> messages) {
        dev.synthiabot.adapter.prompt.Transcript t = MessageMapper.toTranscript(messages);
        int dropped = model.engine().fit(t, SynthiaChatModel.DEFAULT_MAX_OUTPUT_TOKENS).droppedExchanges();
        return dev.synthiabot.adapter.prompt.SynthiaTemplate.render(t.dropOldest(dropped));
    }
}
