package dev.synthiabot.bot.discord;

import dev.synthiabot.config.DiscordSettings;
import java.util.EnumSet;
import net.dv8tion.jda.api.GatewayEncoding;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.hooks.EventListener;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.utils.Compression;
import net.dv8tion.jda.api.utils.ConcurrentSessionController;

/**
 * Builds the JDA client: guild messages and message content (for mentions and reply chains), and the
 * REST / gateway URL overrides that Discord API proxies (and the test simulator) need.
 */
public final class DiscordConnection {
    private DiscordConnection() {}

    public static JDA connect(DiscordSettings discord, EventListener listener) {
        JDABuilder b = JDABuilder.createLight(discord.token().reveal(),
                EnumSet.of(GatewayIntent.GUILD_MESSAGES, GatewayIntent.MESSAGE_CONTENT))
            .setGatewayEncoding(GatewayEncoding.JSON)
            .addEventListeners(listener);
        discord.restUrl().ifPresent(url -> {
            String base = url.toString().endsWith("/") ? url.toString() : url + "/";
            b.setRestConfig(new RestConfig().setBaseUrl(base));
        });
        discord.gatewayUrl().ifPresent(url -> {
            String gateway = url.toString();
            b.setSessionController(new ConcurrentSessionController() {
                @Override
                public String getGateway() {
                    return gateway;
                }
            });
            b.setCompression(Compression.NONE); // a gateway proxy need not speak zlib-stream
        });
        return b.build();
    }
}
