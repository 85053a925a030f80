package dev.synthiabot.bot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synthiabot.adapter.SynthiaChatModel;
import dev.synthiabot.bot.sim.DiscordSimulator;
import dev.synthiabot.bot.sim.RecordedRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SmokeIT {
    @TempDir
    Path dir;

    @Test
    void should_connect_register_and_answer_ask() throws Exception {
        SynthiaChatModel tiny = BotHarness.tinyModel(24, dir.resolve("cache"));
        RecordingModel model = new RecordingModel(tiny);
        try (BotHarness h = BotHarness.start(dir, model, tiny, Map.of())) {
            assertThat(h.app.jda().getUnavailableGuilds()).isEmpty();
            assertThat(tiny.status().forwardPass()).as("the default forward pass").startsWith("synthia-bot Q4 kernels");
            h.discord.await(r -> r.is("PUT", "applications/\\d+/guilds/\\d+/commands"), Duration.ofSeconds(10));

            String id = h.discord.slash(h.discord.alice, h.discord.general, "ask", DiscordSimulator.options("question", "What is love?"), "en-US");

            assertThat(h.discord.ackNanos(id)).isLessThan(Duration.ofSeconds(3).toNanos());
            RecordedRequest fin = h.discord.await(r -> r.is("PATCH", "webhooks/\\d+/tok-" + id + "/messages/@original")
                && !DiscordSimulator.hasCancelButton(r.body()) && r.content() != null && !r.content().startsWith("🤔") && !r.content().contains("▌"),
                Duration.ofSeconds(30));
            System.out.println(fin);
            assertThat(model.requests).hasSize(1);
        }
    }
}
