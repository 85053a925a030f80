package dev.synthiabot.bot.process;

import static dev.synthiabot.bot.sim.DiscordSimulator.options;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.synthiabot.bot.recovery.PendingReplies;
import dev.synthiabot.bot.recovery.PendingReply;
import dev.synthiabot.bot.sim.DiscordSimulator;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGKILL (a crash, the OOM killer, a power cut) with an answer being written, requests waiting and a mention
 * waiting; then a restart: every message the dead process left with a cursor, a status line or a Cancel button is
 * finished with a notice — through the interaction token while it lives, through the channel after.
 */
class CrashRecoveryIT {
    static final Duration WAIT = Duration.ofSeconds(90);
    static final String BEFORE = "🔌 The bot restarted before it could answer this. Please ask again.";
    static final String WHILE_WRITING = "🔌 The bot restarted while writing this answer, so it ends here. Please ask again.";
    @TempDir
    Path work;

    @Test
    void should_finish_every_reply_a_killed_process_left_when_it_starts_again() throws Exception {
        try (DiscordSimulator d = new DiscordSimulator()) {
            ProcessSettings settings = new ProcessSettings(d, SlowModel.dir(), work).set("model.max_concurrent", "1").set("generation.max_new_tokens", "2000")
                .set("limits.per_user_concurrent", "3");
            ShutdownIT.Requests r;
            String mention;
            String aging; // a command whose token will have expired by the time the bot is back
            long agingCreated;
            try (BotProcess bot = settings.startBot(work)) {
                r = ShutdownIT.oneRunningTwoWaiting(d);
                mention = d.post(d.bob, d.random, "<@" + DiscordSimulator.APP_ID + "> and the ocean?", null);
                d.await(q -> q.is("POST", "channels/" + d.random + "/messages") && q.content() != null && q.content().startsWith("⏳"), WAIT);
                agingCreated = System.currentTimeMillis() - Duration.ofMinutes(14).minusSeconds(15).toMillis(); // 15 s of token left
                aging = d.slashCreatedAgo(d.alice, d.general, "ask", options("question", "an old one"), "en-US",
                    Duration.ofMillis(System.currentTimeMillis() - agingCreated));
                d.await(q -> q.is("PATCH", ShutdownIT.original(aging)) && q.content() != null && q.content().startsWith("⏳"), WAIT);
                // The bot records a message's id once Discord answered the request that made it: wait until the database
                // the restarted bot will read holds all five replies, each with every message the simulator holds for it,
                // and the running one as writing (its notice goes below the text shown).
                Path db = work.resolve("data/synthia-bot.db");
                await("every reply in flight recorded with its messages").atMost(WAIT).pollInterval(Duration.ofMillis(100))
                    .ignoreExceptionsInstanceOf(IllegalStateException.class) // the file busy while the bot writes: read again
                    .until(() -> recorded(db), left -> left.size() == 5
                        && left.stream().allMatch(p -> !p.messageIds().isEmpty() && !p.messageIds().contains(null))
                        && left.stream().flatMap(p -> p.messageIds().stream()).collect(Collectors.toSet()).containsAll(botMessages(d))
                        && left.stream().anyMatch(p -> ("tok-" + r.running()).equals(p.interactionToken()) && p.writing()));

                bot.kill();
                assertThat(bot.awaitExit(Duration.ofSeconds(30))).isEqualTo(137);
            }
            assertThat(DiscordSimulator.isFinal(d.message("orig:tok-" + r.running()))).as("left streaming by the kill").isFalse();
            String shownBeforeKill = r.lastStreamed(d);
            long tokenDeadline = agingCreated + Duration.ofMinutes(14).toMillis();
            // A real time requirement, not a race: at start the bot decides whether a recorded token still lives by comparing
            // its own clock with the interaction's creation time (plus 15 minutes less its margin). Nothing anyone can observe
            // changes at that instant, so the test lets it pass (plus a second) before starting the bot again.
            BotProcess.sleep(Math.max(0, tokenDeadline - System.currentTimeMillis() + 1000));

            try (BotProcess again = BotProcess.start(work, Map.of("DISCORD_TOKEN", DiscordSimulator.TOKEN), "--config", settings.write(work).toString())) {
                again.awaitLine("Finishing 5 replies left unfinished by the previous run", Duration.ofSeconds(120));

                assertThat(d.awaitFinalResponse(r.running(), WAIT).path("content").asText())
                    .isEqualTo(shownBeforeKill.replace(" ▌", "") + "\n\n" + WHILE_WRITING);
                assertThat(d.awaitFinalResponse(r.waiting1(), WAIT).path("content").asText()).isEqualTo(BEFORE);
                assertThat(d.awaitFinalResponse(r.waiting2(), WAIT).path("content").asText()).isEqualTo(BEFORE);
                ObjectNode mentionReply = d.awaitFinalReplyTo(mention, WAIT);
                assertThat(mentionReply.path("content").asText()).isEqualTo(BEFORE);
                ObjectNode old = d.awaitFinalResponse(aging, WAIT);
                assertThat(old.path("content").asText()).isEqualTo(BEFORE);
                assertThat(d.requests("PATCH", "channels/" + d.general + "/messages/" + old.path("id").asText()))
                    .as("an expired token: edited through the channel").isNotEmpty();
                ShutdownIT.assertNoCancelButtonLeft(d);

                again.awaitLine("Ready: answering with the model", Duration.ofSeconds(180));
                again.terminate();
                assertThat(again.awaitExit(Duration.ofSeconds(60))).isZero();
            }
        }
    }

    /** The replies in flight as the bot's database holds them: what a restarted bot finds. */
    static List<PendingReply> recorded(Path db) {
        try (PendingReplies pending = new PendingReplies(db)) {
            return pending.all();
        }
    }

    /** Ids of the messages the bot has made, as the simulator holds them. */
    static Set<String> botMessages(DiscordSimulator d) {
        return d.storedMessageIds().stream().filter(id -> d.message(id).path("author").path("id").asText().equals(DiscordSimulator.APP_ID))
            .collect(Collectors.toSet());
    }
}
