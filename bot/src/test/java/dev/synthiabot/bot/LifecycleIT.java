package dev.synthiabot.bot;

import dev.synthiabot.bot.app.BotApp;
import static dev.synthiabot.bot.sim.DiscordSimulator.options;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synthiabot.bot.sim.DiscordSimulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start and stop: command registration only when changed, and a graceful shutdown that tells waiting users. */
class LifecycleIT {
    static final Duration WAIT = Duration.ofSeconds(60);
    @TempDir
    Path dir;

    @Test
    void should_not_register_unchanged_commands_again_on_restart() throws Exception {
        ScriptedModel model = new ScriptedModel("ok", 2, 1);
        try (BotHarness h = BotHarness.start(dir, model, null, Map.of())) {
            DiscordSimulator d = h.discord;
            d.await(r -> r.is("PUT", "applications/\\d+/guilds/\\d+/commands"), WAIT);
            h.app.close();

            try (BotApp again = BotApp.start(h.settings, model, h.prompts)) {
                d.await(r -> r.is("GET", "applications/\\d+/guilds/\\d+/commands"), WAIT);
                Thread.sleep(500);
                assertThat(d.requests("GET", "applications/\\d+/guilds/\\d+/commands")).hasSize(2);
                assertThat(d.requests("PUT", "applications/\\d+/guilds/\\d+/commands")).as("no second registration").hasSize(1);
            }
        }
    }

    @Test
    void should_finish_the_running_answer_and_tell_waiting_users_on_shutdown() throws Exception {
        ScriptedModel model = new ScriptedModel("A short answer to finish.", 5, 100);
        BotHarness h = BotHarness.start(dir, model, null, Map.of());
        DiscordSimulator d = h.discord;
        try {
            String running = d.slash(d.alice, d.general, "ask", options("question", "first"), "en-US");
            d.awaitRunning(running, WAIT);
            String waiting = d.slash(d.bob, d.general, "ask", options("question", "second"), "en-US");
            d.await(r -> r.is("PATCH", "webhooks/\\d+/tok-" + waiting + "/messages/@original") && r.content() != null && r.content().startsWith("⏳"), WAIT);

            h.app.close();

            assertThat(d.requests("PATCH", "webhooks/\\d+/tok-" + running + "/messages/@original"))
                .anyMatch(r -> "A short answer to finish.".equals(r.content()));
            assertThat(d.requests("PATCH", "webhooks/\\d+/tok-" + waiting + "/messages/@original"))
                .anyMatch(r -> "🔌 The bot is restarting; please try again shortly.".equals(r.content()));
        } finally {
            h.prompts.close();
            d.close();
        }
    }
}
