package dev.synthiabot.config.prompts;

/** The value of a {@link ChannelSetting} that applies in a channel and where it comes from. */
public record ResolvedSetting(String value, ResolvedPrompt.Source source) {}
