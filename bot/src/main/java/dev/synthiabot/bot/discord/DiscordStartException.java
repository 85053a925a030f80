package dev.synthiabot.bot.discord;

/** Discord cannot be used at all (bad token, unreachable, intents refused): one line for the user, and why. */
public final class DiscordStartException extends Exception {
    /** Why Discord cannot be used; each is its own exit code. */
    public enum Reason {
        /** Discord rejected the bot token. */
        INVALID_TOKEN,
        /** Discord cannot be reached (network, DNS, proxy, discord.rest_url / gateway_url). */
        UNREACHABLE,
        /** Discord refused the gateway intents: the Message Content intent is not enabled for the bot. */
        DISALLOWED_INTENTS
    }

    private final Reason reason;

    DiscordStartException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = reason;
    }

    public Reason reason() {
        return reason;
    }
}
