package dev.synthiabot.bot;

import static dev.synthiabot.bot.sim.DiscordSimulator.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import dev.synthiabot.bot.app.BotApp;
import dev.synthiabot.bot.commands.CommandRegistrar;
import dev.synthiabot.bot.sim.DiscordSimulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

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

            // The registrar reads the guild's commands and then decides: it logs that they are up to date, or it PUTs them.
            // Waiting for its decision (not for a while after the GET) is what makes "no second PUT" mean something.
            ch.qos.logback.classic.Logger registrar = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(CommandRegistrar.class);
            List<String> logged = new CopyOnWriteArrayList<>();
            AppenderBase<ILoggingEvent> decisions = new AppenderBase<>() {
                @Override
                protected void append(ILoggingEvent e) {
                    logged.add(e.getFormattedMessage());
                }
            };
            decisions.setContext(registrar.getLoggerContext());
            decisions.start();
            registrar.addAppender(decisions);
            try (BotApp again = BotApp.start(h.settings, model, h.prompts)) {
                await("the restarted bot finding its commands up to date").atMost(WAIT)
                    .until(() -> logged.contains("Commands in guild " + d.guildId + " are up to date"));
                assertThat(d.requests("GET", "applications/\\d+/guilds/\\d+/commands")).hasSize(2);
                assertThat(d.requests("PUT", "applications/\\d+/guilds/\\d+/commands")).as("no second registration").hasSize(1);
            } finally {
                registrar.detachAppender(decisions);
                decisions.stop();
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
