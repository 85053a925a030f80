package dev.synthiabot.bot.process;

import static dev.synthiabot.bot.process.ShutdownIT.original;
import static dev.synthiabot.bot.sim.DiscordSimulator.options;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synthiabot.bot.sim.DiscordSimulator;
import dev.synthiabot.bot.sim.RecordedRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three people ask the shipped bot at once (model.max_concurrent 3, a model slow enough that an answer takes
 * seconds): nobody is put in the queue, all three answers are written at the same time (each shows its first words
 * before any of the others is done) and all end final.
 */
class ConcurrentAnswersIT {
    static final Duration WAIT = Duration.ofSeconds(120);
    @TempDir
    Path work;

    @Test
    void should_write_three_answers_at_once() throws Exception {
        try (DiscordSimulator d = new DiscordSimulator();
             BotProcess bot = new ProcessSettings(d, SlowModel.dir(), work).set("model.max_concurrent", "3")
                 .set("generation.max_new_tokens", "60").startBot(work)) {
            List<String> ids = List.of(
                d.slash(d.alice, d.general, "ask", options("question", "Write about the sea."), "en-US"),
                d.slash(d.bob, d.general, "ask", options("question", "Write about rivers."), "en-US"),
                d.slash(d.admin, d.random, "ask", options("question", "Write about lakes."), "en-US"));

            for (String id : ids) {
                assertThat(d.awaitFinalResponse(id, WAIT).path("content").asText()).as("answer %s", id).isNotBlank().doesNotStartWith("⏳");
            }
            for (String id : ids) {
                List<RecordedRequest> edits = d.requests("PATCH", original(id));
                assertThat(edits).as("no place in the queue for %s", id).noneMatch(q -> q.content() != null && q.content().startsWith("⏳"));
                long firstWords = edits.stream().filter(q -> q.content() != null && q.content().endsWith(" ▌")).mapToLong(RecordedRequest::nanos)
                    .min().orElseThrow(() -> new AssertionError("answer " + id + " was not streamed"));
                for (String other : ids) {
                    if (other.equals(id)) continue;
                    long otherDone = d.requests("PATCH", original(other)).stream().filter(q -> q.content() != null && !q.content().endsWith(" ▌"))
                        .mapToLong(RecordedRequest::nanos).max().orElseThrow();
                    assertThat(firstWords).as("%s shows its first words before %s is done", id, other).isLessThan(otherDone);
                }
            }
            assertThat(bot.output()).filteredOn(l -> l.contains("Answer: ")).hasSize(3);
        }
    }
}
