package dev.synthiabot.config.prompts;

/** A prompt that cannot be stored (empty or too long); the message says why, for the admin who set it. */
public final class PromptRejectedException extends IllegalArgumentException {
    public PromptRejectedException(String message) {
        super(message);
    }
}
