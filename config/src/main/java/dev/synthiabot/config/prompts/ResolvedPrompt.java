package dev.synthiabot.config.prompts;

/** The system prompt that applies in a channel and where it comes from. */
public record ResolvedPrompt(String prompt, Source source) {
    public enum Source {
        CHANNEL, PARENT_CHANNEL, GUILD_DEFAULT, GLOBAL_DEFAULT
    }
}
