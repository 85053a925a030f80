package dev.synthiabot.bot.app;

import dev.synthiabot.bot.discord.DiscordStartException;

/** How the bot process ends; the README lists them. */
public enum ExitCode {
    /** Stopped on request (SIGTERM, Ctrl-C, docker stop), every answer finished or told. */
    STOPPED(0),
    /** Something unexpected: a bug (the log has the stack trace). */
    UNEXPECTED(1),
    /** The settings are invalid (every problem is listed) or the database cannot be opened. */
    BAD_SETTINGS(2),
    /** The model cannot be downloaded, converted or loaded (the file and the reason are logged). */
    MODEL(3),
    /** Discord rejected the bot token. */
    INVALID_TOKEN(4),
    /** Discord cannot be reached (network, DNS, proxy, discord.rest_url / gateway_url). */
    DISCORD_UNREACHABLE(5),
    /** Discord refused the gateway intents: the Message Content intent is not enabled for the bot. */
    DISALLOWED_INTENTS(6),
    /** The JVM cannot run the bot: Java older than 21 (the launcher says so) or no Vector API module. */
    JAVA(7);

    public final int code;

    ExitCode(int code) {
        this.code = code;
    }

    static ExitCode of(DiscordStartException.Reason reason) {
        return switch (reason) {
            case INVALID_TOKEN -> INVALID_TOKEN;
            case UNREACHABLE -> DISCORD_UNREACHABLE;
            case DISALLOWED_INTENTS -> DISALLOWED_INTENTS;
        };
    }
}
