package dev.synthiabot.config.prompts;

import java.time.Instant;

/**
 * A system prompt set for a channel (or a guild's default), with who set it and when.
 *
 * @param scope the channel id, or {@code guild:<id>} for a guild's default
 */
public record ChannelPrompt(String scope, String prompt, String changedBy, Instant changedAt) {}
