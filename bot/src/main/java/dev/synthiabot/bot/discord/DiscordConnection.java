package dev.synthiabot.bot.discord;

import dev.synthiabot.config.DiscordSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.EnumSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import net.dv8tion.jda.api.GatewayEncoding;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.JDABuilder;
import net.dv8tion.jda.api.OnlineStatus;
import net.dv8tion.jda.api.entities.Activity;
import net.dv8tion.jda.api.events.session.ShutdownEvent;
import net.dv8tion.jda.api.exceptions.InvalidTokenException;
import net.dv8tion.jda.api.hooks.EventListener;
import net.dv8tion.jda.api.requests.CloseCode;
import net.dv8tion.jda.api.requests.GatewayIntent;
import net.dv8tion.jda.api.requests.RestConfig;
import net.dv8tion.jda.api.utils.Compression;
import net.dv8tion.jda.api.utils.ConcurrentSessionController;
import okhttp3.Interceptor;
import okhttp3.OkHttpClient;

/**
 * Builds the JDA client: guild messages and message content (for mentions and reply chains), and the
 * REST / gateway URL overrides that Discord API proxies (and the test simulator) need. JDA's own shutdown hook is
 * off: the bot stops JDA itself, after every answer is finished (JDA's hook would stop sending first).
 */
public final class DiscordConnection {
    static final String DISCORD_API = "https://discord.com/api/v10/";

    private DiscordConnection() {}

    /** Connects and waits until the guilds are loaded, or says in one line why Discord cannot be used. */
    public static JDA connect(DiscordSettings discord, EventListener listener, String activity, Interceptor restObserver)
            throws DiscordStartException, InterruptedException {
        String restUrl = discord.restUrl().map(u -> u.toString().endsWith("/") ? u.toString() : u + "/").orElse(DISCORD_API);
        CompletableFuture<CloseCode> closedWith = new CompletableFuture<>();
        JDABuilder b = JDABuilder.createLight(discord.token().reveal(),
                EnumSet.of(GatewayIntent.GUILD_MESSAGES, GatewayIntent.MESSAGE_CONTENT))
            .setGatewayEncoding(GatewayEncoding.JSON)
            .setEnableShutdownHook(false)
            .setHttpClientBuilder(new OkHttpClient.Builder().addInterceptor(restObserver).connectTimeout(Duration.ofSeconds(10))
                .readTimeout(Duration.ofSeconds(30)).writeTimeout(Duration.ofSeconds(30)))
            .setStatus(OnlineStatus.IDLE)
            .setActivity(Activity.customStatus(activity))
            .addEventListeners(listener, (EventListener) event -> {
                if (event instanceof ShutdownEvent s) closedWith.complete(s.getCloseCode());
            });
        if (discord.restUrl().isPresent()) b.setRestConfig(new RestConfig().setBaseUrl(restUrl));
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
        verifyToken(restUrl, discord.token().reveal(), discord.restUrl().isPresent());
        JDA jda;
        try {
            jda = b.build();
        } catch (InvalidTokenException e) {
            throw new DiscordStartException(DiscordStartException.Reason.INVALID_TOKEN,
                "Discord rejected the bot token (401 Unauthorized): set DISCORD_TOKEN to the token under Bot → Reset Token in the Developer Portal", e);
        } catch (RuntimeException e) {
            IOException io = ioCause(e);
            if (io == null) throw e;
            throw unreachable(restUrl, io, discord.restUrl().isPresent());
        }
        try {
            jda.awaitReady();
        } catch (IllegalStateException e) {
            CloseCode code = closeCode(closedWith);
            if (code == CloseCode.DISALLOWED_INTENTS) {
                throw new DiscordStartException(DiscordStartException.Reason.DISALLOWED_INTENTS, "Discord refused the Message Content intent (gateway close 4014): "
                    + "enable Bot → Privileged Gateway Intents → Message Content Intent in the Developer Portal, then start again", e);
            }
            if (code == CloseCode.AUTHENTICATION_FAILED) {
                throw new DiscordStartException(DiscordStartException.Reason.INVALID_TOKEN, "Discord rejected the bot token at the gateway (close 4004): check DISCORD_TOKEN", e);
            }
            throw new DiscordStartException(DiscordStartException.Reason.UNREACHABLE, "Discord's gateway closed the connection"
                + (code == null ? "" : " (" + code.getCode() + ": " + code.getMeaning() + ")") + " before the bot was ready", e);
        } catch (InterruptedException e) {
            jda.shutdownNow();
            throw e;
        }
        return jda;
    }

    /**
     * Asks Discord who the token belongs to ({@code GET /users/@me}) before JDA starts: a rejected token or an
     * unreachable Discord is said in one line, without JDA's threads logging the aftermath of a failed login.
     * Other answers (5xx, a proxy's quirks) are left to JDA, which retries.
     */
    private static void verifyToken(String restUrl, String token, boolean customUrl) throws DiscordStartException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(restUrl + "users/@me")).timeout(Duration.ofSeconds(20))
            .header("Authorization", "Bot " + token).header("User-Agent", "DiscordBot (https://github.com/synthia-bot, 0.1)").GET().build();
        int status;
        try (HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(15)).build()) {
            status = http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw unreachable(restUrl, e, customUrl);
        }
        if (status == 401) {
            throw new DiscordStartException(DiscordStartException.Reason.INVALID_TOKEN,
                "Discord rejected the bot token (401 Unauthorized): set DISCORD_TOKEN to the token under Bot → Reset Token in the Developer Portal", null);
        }
    }

    private static DiscordStartException unreachable(String restUrl, IOException e, boolean customUrl) {
        return new DiscordStartException(DiscordStartException.Reason.UNREACHABLE, "Cannot reach Discord at " + restUrl + ": " + e
            + " (check the network, DNS or proxy" + (customUrl ? ", and discord.rest_url" : "") + ")", e);
    }

    /** JDA fires its ShutdownEvent (with the gateway's close code) just after awaitReady gave up. */
    private static CloseCode closeCode(CompletableFuture<CloseCode> closedWith) throws InterruptedException {
        try {
            return closedWith.get(5, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return null;
        }
    }

    private static IOException ioCause(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof IOException io) return io;
        }
        return null;
    }
}
