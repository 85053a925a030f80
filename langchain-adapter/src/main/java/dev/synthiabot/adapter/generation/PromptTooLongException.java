package dev.synthiabot.adapter.generation;

import dev.langchain4j.exception.InvalidRequestException;

/**
 * The system prompt plus the last user message do not fit the context window, even with no history. A LangChain4j
 * {@link InvalidRequestException}, as hosted providers report a prompt over the context length, so callers need no
 * type of ours.
 */
public final class PromptTooLongException extends InvalidRequestException {
    private final int promptTokens;
    private final int contextWindow;

    public PromptTooLongException(int promptTokens, int reservedForAnswer, int contextWindow) {
        super("The prompt is " + promptTokens + " tokens (system prompt and the last message, without history), "
            + "but the context window is " + contextWindow + " tokens with " + reservedForAnswer
            + " kept for the answer: shorten the message or the system prompt.");
        this.promptTokens = promptTokens;
        this.contextWindow = contextWindow;
    }

    public int promptTokens() {
        return promptTokens;
    }

    public int contextWindow() {
        return contextWindow;
    }
}
