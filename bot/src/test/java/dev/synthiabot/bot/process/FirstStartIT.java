package dev.synthiabot.bot.process;

import static dev.synthiabot.bot.sim.DiscordSimulator.options;
import static org.assertj.core.api.Assertions.assertThat;

import dev.synthiabot.adapter.loading.FakeHub;
import dev.synthiabot.bot.sim.DiscordSimulator;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A first start from nothing, as shipped: {@code prepare-model} downloads SynthIA's layout (PyTorch .bin shards) from
 * a local hub, converts and quantizes it with visible progress, without a Discord token; then the bot starts with the
 * hub gone and answers. And a first start with no hub at all says what to do.
 */
class FirstStartIT {
    static final String REPO = "test-org/tiny-synthia";
    static final Path BIN_MODEL = BotProcess.ROOT.resolve("langchain-adapter/src/test/resources/models/tiny-mistral-a-bin");
    @TempDir
    Path work;

    @Test
    void should_prepare_the_model_from_the_hub_then_start_and_answer_with_the_hub_gone() throws Exception {
        try (DiscordSimulator d = new DiscordSimulator()) {
            ProcessSettings settings = new ProcessSettings(d, BIN_MODEL, work).unset("model.local_path")
                .set("model.huggingface_id", REPO).set("generation.max_new_tokens", "16");
            try (FakeHub hub = new FakeHub(REPO, BIN_MODEL)) {
                settings.set("model.huggingface_url", hub.url().toString());
                BotProcess prepare = BotProcess.start(work, Map.of(), "prepare-model", "--config", settings.write(work).toString());

                assertThat(prepare.awaitExit(Duration.ofSeconds(180))).isZero();
                assertThat(prepare.output()).anyMatch(l -> l.contains("is commit " + FakeHub.COMMIT))
                    .anyMatch(l -> l.contains("Converting the PyTorch weights")).anyMatch(l -> l.contains("Quantized"))
                    .anyMatch(l -> l.contains("The model is ready in"));
            }

            try (BotProcess bot = settings.startBot(work)) {
                assertThat(bot.output()).anyMatch(l -> l.contains("starting without the network")).noneMatch(l -> l.contains("Downloading"))
                    .noneMatch(l -> l.contains("Quantizing"));
                String id = d.slash(d.alice, d.general, "ask", options("question", "Offline now?"), "en-US");
                ShippedBotIT.assertAnswer(d.awaitFinalResponse(id, Duration.ofSeconds(60)));
            }
        }
    }

    @Test
    void should_answer_a_question_asked_while_a_first_start_downloads_the_model() throws Exception {
        try (DiscordSimulator d = new DiscordSimulator(); FakeHub hub = new FakeHub(REPO, BIN_MODEL)) {
            hub.throttle(1_000_000); // two 4 MB shards: seconds of download, with a rate to estimate from
            Path settings = new ProcessSettings(d, BIN_MODEL, work).unset("model.local_path").set("model.huggingface_id", REPO)
                .set("model.huggingface_url", hub.url().toString()).set("generation.max_new_tokens", "16").write(work);
            try (BotProcess bot = BotProcess.start(work, Map.of("DISCORD_TOKEN", DiscordSimulator.TOKEN), "--config", settings.toString())) {
                bot.awaitLine("the model is loading", Duration.ofSeconds(60));
                String id = d.slash(d.alice, d.general, "ask", options("question", "Are you ready yet?"), "en-US");

                String waiting = d.await(r -> r.is("PATCH", "webhooks/\\d+/tok-" + id + "/messages/@original") && r.content() != null
                    && r.content().startsWith("⏳ The model is loading (about"), Duration.ofSeconds(60)).content();
                assertThat(waiting).matches("⏳ The model is loading \\(about \\d+ (s|min)\\); your question is next in line\\.");
                assertThat(bot.output()).as("still loading when the asker was told so").noneMatch(l -> l.contains("Ready: answering with the model"));

                bot.awaitLine("Ready: answering with the model", Duration.ofSeconds(180));
                ShippedBotIT.assertAnswer(d.awaitFinalResponse(id, Duration.ofSeconds(60)));
            }
        }
    }

    @Test
    void should_say_where_to_put_the_files_when_the_hub_is_unreachable_on_a_first_start() throws Exception {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        try (DiscordSimulator d = new DiscordSimulator()) {
            Path settings = new ProcessSettings(d, BIN_MODEL, work).unset("model.local_path").set("model.huggingface_id", REPO)
                .set("model.huggingface_url", "http://127.0.0.1:" + closed).write(work);
            BotProcess prepare = BotProcess.start(work, Map.of(), "prepare-model", "--config", settings.toString());

            assertThat(prepare.awaitExit(Duration.ofSeconds(120))).isEqualTo(3);
            assertThat(prepare.output()).anyMatch(l -> l.contains("Cannot reach the Hugging Face hub at http://127.0.0.1:" + closed)
                && l.contains("set model.local_path"));
        }
    }
}
