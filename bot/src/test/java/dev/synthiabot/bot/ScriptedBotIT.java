package dev.synthiabot.bot;

import dev.synthiabot.bot.sim.DiscordSimulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/** One bot per test class, answering with a {@link ScriptedModel} whose answer each test sets. */
abstract class ScriptedBotIT {
    static final Duration WAIT = Duration.ofSeconds(60);
    @TempDir
    static Path dir;
    static BotHarness h;
    static ScriptedModel model;
    static DiscordSimulator d;

    @BeforeAll
    static void start() throws Exception {
        model = new ScriptedModel("", 50, 5);
        h = BotHarness.start(dir, model, null, Map.of());
        d = h.discord;
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }
}
