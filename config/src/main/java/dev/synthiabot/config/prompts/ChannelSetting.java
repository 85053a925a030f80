package dev.synthiabot.config.prompts;

/** A setting admins change per channel or server from Discord, resolved as prompts are (channel, parent, server, file). */
public enum ChannelSetting {
    /** {@code auto}, {@code en} or a translation language ({@code /prompt language}). */
    ANSWER_LANGUAGE("answer_language"),
    /** How an answer's reasoning is shown: {@code folded}, {@code inline} or {@code hidden} ({@code /prompt reasoning}). */
    REASONING("reasoning");

    final String key;

    ChannelSetting(String key) {
        this.key = key;
    }
}
