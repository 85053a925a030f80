package dev.synthiabot.bot.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synthiabot.bot.sim.DiscordSimulator;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user who got something wrong sees: the shipped process prints one clear line and exits with the code the
 * README documents — before it spends any time on the model (a first start at SynthIA's scale spends minutes there).
 */
class StartupFailureIT {
    static final Duration EXIT = Duration.ofSeconds(90);
    @TempDir
    Path work;

    @Test
    void should_say_the_token_is_invalid_and_exit_4() throws Exception {
        try (DiscordSimulator d = new DiscordSimulator()) {
            BotProcess bot = start(d, Map.of("DISCORD_TOKEN", "not.the.token"));

            assertThat(bot.awaitExit(EXIT)).isEqualTo(4);
            assertOneClearLine(bot, "Discord rejected the bot token (401 Unauthorized): set DISCORD_TOKEN");
        }
    }

    @Test
    void should_name_the_url_when_discord_is_unreachable_and_exit_5() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        String url = "http://127.0.0.1:" + closedPort + "/api/v10/";
        try (DiscordSimulator d = new DiscordSimulator()) {
            Path settings = new ProcessSettings(d, ShippedBotIT.TINY_MODEL, work).set("discord.rest_url", url).write(work);
            BotProcess bot = BotProcess.start(work, Map.of("DISCORD_TOKEN", DiscordSimulator.TOKEN), "--config", settings.toString());

            assertThat(bot.awaitExit(EXIT)).isEqualTo(5);
            assertOneClearLine(bot, "Cannot reach Discord at " + url);
        }
    }

    @Test
    void should_name_the_message_content_switch_when_discord_refuses_the_intent_and_exit_6() throws Exception {
        try (DiscordSimulator d = new DiscordSimulator()) {
            d.refuseIntents();
            BotProcess bot = start(d, Map.of("DISCORD_TOKEN", DiscordSimulator.TOKEN));

            assertThat(bot.awaitExit(EXIT)).isEqualTo(6);
            assertOneClearLine(bot, "enable Bot → Privileged Gateway Intents → Message Content Intent in the Developer Portal");
        }
    }

    @Test
    void should_list_bad_settings_and_exit_2() throws Exception {
        try (DiscordSimulator d = new DiscordSimulator()) {
            Path settings = new ProcessSettings(d, ShippedBotIT.TINY_MODEL, work).set("generation.top_p", "1.7").write(work);
            BotProcess bot = BotProcess.start(work, Map.of("DISCORD_TOKEN", DiscordSimulator.TOKEN), "--config", settings.toString());

            assertThat(bot.awaitExit(EXIT)).isEqualTo(2);
            assertOneClearLine(bot, "generation.top_p: 1.7 is not in [0, 1]");
        }
    }

    @Test
    void should_name_the_vector_api_flag_when_the_jvm_lacks_it_and_exit_7() throws Exception {
        try (DiscordSimulator d = new DiscordSimulator()) {
            Path settings = new ProcessSettings(d, ShippedBotIT.TINY_MODEL, work).write(work);
            String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
            BotProcess bot = BotProcess.start(java, work, Map.of("DISCORD_TOKEN", DiscordSimulator.TOKEN),
                "-jar", BotProcess.ROOT.resolve("bot/target/synthia-bot.jar").toString(), "--config", settings.toString());

            assertThat(bot.awaitExit(EXIT)).isEqualTo(7);
            assertOneClearLine(bot, "start it with --add-modules jdk.incubator.vector");
        }
    }

    @Test
    void should_refuse_a_java_older_than_21_in_the_launcher_and_exit_7() throws Exception {
        Path oldJdk = work.resolve("old-jdk");
        Files.createDirectories(oldJdk.resolve("bin"));
        Path fakeJava = oldJdk.resolve("bin/java"); // prints what a Java 17 prints for -version, and nothing else
        Files.writeString(fakeJava, "#!/bin/sh\necho 'openjdk version \"17.0.15\" 2025-04-15' >&2\n");
        Files.setPosixFilePermissions(fakeJava, PosixFilePermissions.fromString("rwxr-xr-x"));

        BotProcess bot = BotProcess.start("sh", work, Map.of("JAVA_HOME", oldJdk.toString()), BotProcess.ROOT.resolve("bot/target/synthia-bot").toString());

        assertThat(bot.awaitExit(EXIT)).isEqualTo(7);
        assertThat(bot.output()).containsExactly("error: synthia-bot needs Java 21 or newer; '" + fakeJava + "' is 17. Install a JDK/JRE 21+ or set JAVA_HOME.");
    }

    private BotProcess start(DiscordSimulator d, Map<String, String> env) throws IOException {
        Path settings = new ProcessSettings(d, ShippedBotIT.TINY_MODEL, work).write(work);
        return BotProcess.start(work, env, "--config", settings.toString());
    }

    /** The reason is printed, without a stack trace, and nothing of the model was touched. */
    static void assertOneClearLine(BotProcess bot, String reason) {
        List<String> out = bot.output();
        assertThat(out).anyMatch(l -> l.contains(reason));
        assertThat(out).noneMatch(l -> l.startsWith("\tat ") || l.contains("Exception in thread"));
        assertThat(out).noneMatch(l -> l.contains("Quantiz") || l.contains("Q4 weights") || l.contains("ModelLoader"));
    }
}
