package dev.synthiabot.bot.answer;

import dev.synthiabot.config.prompts.ChannelPromptStore;
import dev.synthiabot.config.prompts.ChannelSetting;
import dev.synthiabot.config.prompts.ResolvedPrompt;
import dev.synthiabot.config.prompts.ResolvedSetting;
import java.util.Optional;
import net.dv8tion.jda.api.entities.channel.middleman.GuildChannel;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;

/**
 * The system prompt of a Discord channel — its own, its parent's (threads), the server's default, or the global one —
 * and its other settings, found the same way.
 */
public final class ChannelPrompts {
    private final ChannelPromptStore store;

    public ChannelPrompts(ChannelPromptStore store) {
        this.store = store;
    }

    /** The prompt that applies in a channel and where it comes from. Reads SQLite the first time a channel is seen. */
    public ResolvedPrompt resolve(MessageChannel channel) {
        Optional<String> guild = channel instanceof GuildChannel gc ? Optional.of(gc.getGuild().getId()) : Optional.empty();
        return store.resolve(channel.getId(), AccessPolicy.parentOf(channel), guild);
    }

    /** The prompt text that applies in a channel. */
    public String systemPrompt(MessageChannel channel) {
        return resolve(channel).prompt();
    }

    /** The value of a channel setting that applies in a channel ({@code fallback}: the settings file's). */
    public ResolvedSetting setting(ChannelSetting setting, MessageChannel channel, String fallback) {
        Optional<String> guild = channel instanceof GuildChannel gc ? Optional.of(gc.getGuild().getId()) : Optional.empty();
        return store.resolve(setting, channel.getId(), AccessPolicy.parentOf(channel), guild, fallback);
    }

    /** The store itself, for the commands that change prompts. */
    public ChannelPromptStore store() {
        return store;
    }
}
