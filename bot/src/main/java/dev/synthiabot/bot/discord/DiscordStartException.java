package dev.synthiabot.bot.discord;

import dev.synthiabot.bot.ExitCode;

/** Discord cannot be used at all (bad token, unreachable, intents refused): one line for the user, and the exit code. */
public final class DiscordStartException extends Exception {
    private final ExitCode exitCode;

    DiscordStartException(ExitCode exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    public ExitCode exitCode() {
        return exitCode;
    }
}
