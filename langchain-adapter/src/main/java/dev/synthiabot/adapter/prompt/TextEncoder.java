package dev.synthiabot.adapter.prompt;

/** Text to token ids, as the model's tokenizer does it for a whole text (with its leading-space rule). */
@FunctionalInterface
public interface TextEncoder {
    int[] encode(String text);
}
