package dev.synthiabot.bot.commands;

import net.dv8tion.jda.api.interactions.DiscordLocale;
import net.dv8tion.jda.api.interactions.IntegrationType;
import net.dv8tion.jda.api.interactions.InteractionContextType;
import net.dv8tion.jda.api.interactions.commands.build.CommandData;
import net.dv8tion.jda.api.interactions.commands.build.OptionData;

/** What the commands' definitions share: the Japanese locale they are localized into, and where they may be used. */
final class Definitions {
    static final DiscordLocale JA = DiscordLocale.JAPANESE;

    private Definitions() {}

    /** In servers only (the bot's prompts, access rules and queue are per server and channel), installed to a server. */
    static <T extends CommandData> T guildOnly(T command) {
        command.setContexts(InteractionContextType.GUILD).setIntegrationTypes(IntegrationType.GUILD_INSTALL);
        return command;
    }

    /** The longest text option Discord should accept: the bot's own limit, at most Discord's 6000. */
    static int maxText(int maxInputChars) {
        return Math.min(maxInputChars, OptionData.MAX_STRING_OPTION_LENGTH);
    }
}
