package dev.synthiabot.bot.process;

import dev.synthiabot.bot.sim.DiscordSimulator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** A settings file for a bot process: the simulator's URLs and guild, a model, a database; plus any key a test sets. */
final class ProcessSettings {
    private final Map<String, String> keys = new LinkedHashMap<>();

    private ProcessSettings() {}

    /** Settings for {@code serve}: a model and its cache, no Discord; {@code server.port} is given on the command line. */
    static ProcessSettings serve(Path model, Path work) {
        ProcessSettings s = new ProcessSettings();
        s.set("model.local_path", model.toAbsolutePath().toString());
        s.set("model.cache_dir", work.resolve("models").toAbsolutePath().toString());
        return s;
    }

    ProcessSettings(DiscordSimulator discord, Path model, Path work) {
        set("discord.guild_ids", "[\"" + discord.guildId + "\"]");
        set("discord.rest_url", discord.restUrl().toString());
        set("discord.gateway_url", discord.gatewayUrl().toString());
        set("model.local_path", model.toAbsolutePath().toString());
        set("model.cache_dir", work.resolve("models").toAbsolutePath().toString());
        set("storage.database_path", work.resolve("data/synthia-bot.db").toAbsolutePath().toString());
        set("limits.per_user_cooldown_seconds", "0");
        set("limits.reply_edit_interval_ms", "250");
    }

    /** {@code value} is written as is (quote strings that need it). */
    ProcessSettings set(String key, String value) {
        keys.put(key, value);
        return this;
    }

    ProcessSettings unset(String key) {
        keys.remove(key);
        return this;
    }

    /** Writes the settings into {@code work}, starts the bot on them with the simulator's token and waits until it answers. */
    BotProcess startBot(Path work) throws IOException {
        BotProcess bot = BotProcess.start(work, Map.of("DISCORD_TOKEN", DiscordSimulator.TOKEN), "--config", write(work).toString());
        bot.awaitLine("Ready: answering with the model", Duration.ofSeconds(180));
        return bot;
    }

    /** Writes {@code <work>/synthia-bot.yaml} and returns its path. */
    Path write(Path work) throws IOException {
        Map<String, StringBuilder> sections = new TreeMap<>();
        keys.forEach((k, v) -> {
            int dot = k.indexOf('.');
            sections.computeIfAbsent(k.substring(0, dot), s -> new StringBuilder()).append("  ").append(k.substring(dot + 1)).append(": ")
                .append(v).append('\n');
        });
        StringBuilder yaml = new StringBuilder();
        sections.forEach((s, body) -> yaml.append(s).append(":\n").append(body));
        Path file = work.resolve("synthia-bot.yaml");
        Files.writeString(file, yaml);
        return file;
    }
}
