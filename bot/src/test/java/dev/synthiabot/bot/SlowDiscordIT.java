package dev.synthiabot.bot;

import static dev.synthiabot.bot.sim.DiscordSimulator.options;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synthiabot.bot.sim.DiscordSimulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generation never waits on Discord: with every edit taking 2 s, the model hands over its tokens as fast as with a
 * quick Discord (the rate is measured from the scripted model's own timestamps), and the answer still arrives whole.
 */
class SlowDiscordIT {
    static final String ANSWER = "Rivers carry water from the hills to the sea. ".repeat(8);
    @TempDir
    Path dir;

    @Test
    void should_generate_at_the_same_rate_when_every_edit_takes_2_seconds() throws Exception {
        double quick = tokensPerSecond(0);
        double slow = tokensPerSecond(2000);

        System.out.printf("Scripted model's token rate: %.1f/s with instant edits, %.1f/s with 2 s edits%n", quick, slow);
        assertThat(slow).isGreaterThan(0.8 * quick);
    }

    private double tokensPerSecond(long editDelayMs) throws Exception {
        ScriptedModel model = new ScriptedModel(ANSWER, 4, 10);
        try (BotHarness h = BotHarness.start(dir.resolve("delay-" + editDelayMs), model, null, Map.of())) {
            DiscordSimulator d = h.discord;
            if (editDelayMs > 0) d.delay("PATCH", "webhooks/.*", editDelayMs);
            String id = d.slash(d.alice, d.general, "ask", options("question", "rivers?"), "en-US");

            assertThat(d.awaitFinalResponse(id, Duration.ofSeconds(120)).path("content").asText()).isEqualTo(ANSWER.strip());
            List<Long> t = model.emittedAt;
            return (t.size() - 1) / ((t.get(t.size() - 1) - t.get(0)) / 1e9);
        }
    }
}
