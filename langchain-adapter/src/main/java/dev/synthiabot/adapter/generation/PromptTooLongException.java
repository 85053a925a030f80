package dev.synthiabot.adapter.generation;

/** The system prompt plus the last user message do not fit the context window, even with no history. */
public final class PromptTooLongException extends IllegalArgumentException {
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
