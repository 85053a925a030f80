package dev.synthiabot.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * How to reach Discord.
 *
 * @param token the bot token (from {@code DISCORD_TOKEN} or {@code discord.token_file}); never printed
 * @param guildIds guilds for instant command registration; empty = global registration
 * @param restUrl REST base URL override (API proxies; the test simulator)
 * @param gatewayUrl gateway URL override
 */
public record DiscordSettings(Secret token, Optional<Path> tokenFile, List<String> guildIds, Optional<URI> restUrl, Optional<URI> gatewayUrl) {
    public DiscordSettings {
        Objects.requireNonNull(token, "token");
        guildIds = List.copyOf(guildIds);
        Problems p = new Problems();
        p.snowflakes("discord.guild_ids", guildIds);
        restUrl.ifPresent(u -> p.check(isHttp(u), "discord.rest_url", u.toString(), "is not an http(s) URL"));
        gatewayUrl.ifPresent(u -> p.check(isWs(u), "discord.gateway_url", u.toString(), "is not a ws(s) URL"));
        p.throwIfAny();
    }

    private static boolean isHttp(URI u) {
        return ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null;
    }

    private static boolean isWs(URI u) {
        return ("ws".equals(u.getScheme()) || "wss".equals(u.getScheme())) && u.getHost() != null;
    }

    @Override
    public String toString() {
        return "DiscordSettings[token=****, tokenFile=" + tokenFile + ", guildIds=" + guildIds + ", restUrl=" + restUrl + ", gatewayUrl=" + gatewayUrl + "]";
    }
}
