package dev.synthiabot.adapter.loading;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.synthiabot.adapter.Fixtures;
import dev.synthiabot.adapter.SynthiaChatModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real path for SynthIA, which publishes only PyTorch .bin shards: download from a hub (a local server that
 * behaves like huggingface.co: commit header, LFS redirects with size and sha256, Range), convert without running
 * pickle code, load, answer like the reference — and every way the first start can go wrong.
 */
class HubProvisioningIT {
    static final String REPO = "test-org/tiny-synthia";
    static final String SHARD1 = "pytorch_model-00001-of-00002.bin";
    static final String SHARD2 = "pytorch_model-00002-of-00002.bin";
    @TempDir
    Path temp;

    private FakeHub hub() throws IOException {
        return new FakeHub(REPO, Fixtures.tinyModelBin());
    }

    private Path provision(FakeHub hub, Optional<String> token) {
        return ModelProvisioner.fromHub(REPO, "main", hub.url(), temp.resolve("cache"), token);
    }

    @Test
    void should_download_convert_and_answer_like_the_reference_then_start_again_without_the_hub() throws IOException {
        Path dir;
        try (FakeHub hub = hub()) {
            dir = provision(hub, Optional.empty());

            assertThat(hub.requests).anyMatch(r -> r.path().equals("/cdn/" + SHARD1)).anyMatch(r -> r.path().equals("/cdn/" + SHARD2));
            assertThat(hub.requests).filteredOn(r -> r.method().equals("GET") && r.path().contains("/resolve/"))
                .as("every file fetched at the commit the revision resolved to").allMatch(r -> r.path().contains("/resolve/" + FakeHub.COMMIT + "/"));
        }
        Path download = temp.resolve("cache").resolve(REPO.replace("/", "--"));
        assertThat(Files.readString(download.resolve(HuggingFaceDownloader.MARKER))).contains(FakeHub.COMMIT)
            .contains(HuggingFaceDownloader.sha256(Fixtures.tinyModelBin().resolve(SHARD1)));

        Path again = ModelProvisioner.fromHub(REPO, "main", java.net.URI.create("http://127.0.0.1:9"), temp.resolve("cache"), Optional.empty());

        assertThat(again).as("the hub is gone: the cached model starts offline").isEqualTo(dir);
        try (SynthiaChatModel model = SynthiaChatModel.builder().modelPath(dir).quantize(false).temperature(0).maxOutputTokens(24).build()) {
            var conv = dev.synthiabot.adapter.ReferenceGenerationITAccess.conversation("translate_ja");
            String answer = model.chat(ChatRequest.builder().messages(conv).build()).aiMessage().text();

            assertThat(answer).isEqualTo(Fixtures.refCase("translate_ja").path("greedy_24_text").asText().strip());
        }
    }

    @Test
    void should_resume_an_interrupted_transfer_with_a_range_request() throws IOException {
        try (FakeHub hub = hub()) {
            hub.cutAfter(SHARD1, 100_000);

            provision(hub, Optional.empty());

            var shard1 = hub.requests.stream().filter(r -> r.path().equals("/cdn/" + SHARD1)).toList();
            assertThat(shard1).hasSize(2);
            assertThat(shard1.get(0).range()).isNull();
            assertThat(shard1.get(1).range()).isEqualTo("bytes=100000-");
        }
        Path got = temp.resolve("cache").resolve(REPO.replace("/", "--")).resolve(SHARD1);
        assertThat(HuggingFaceDownloader.sha256(got)).isEqualTo(HuggingFaceDownloader.sha256(Fixtures.tinyModelBin().resolve(SHARD1)));
    }

    @Test
    void should_delete_a_file_whose_sha256_differs_and_say_which() throws IOException {
        try (FakeHub hub = hub()) {
            hub.corrupt(SHARD2);

            assertThatThrownBy(() -> provision(hub, Optional.empty())).isInstanceOf(UncheckedIOException.class)
                .hasMessageContaining(SHARD2 + " of " + REPO + " is corrupt").hasMessageContaining("the file was deleted");
        }
        Path download = temp.resolve("cache").resolve(REPO.replace("/", "--"));
        assertThat(download.resolve(SHARD2)).doesNotExist();
        assertThat(HuggingFaceDownloader.partial(download.resolve(SHARD2))).doesNotExist();
        assertThat(download.resolve(HuggingFaceDownloader.MARKER)).doesNotExist();
    }

    @Test
    void should_name_hf_token_when_the_hub_wants_one() throws IOException {
        try (FakeHub hub = hub()) {
            hub.requireToken("hf_secret");

            assertThatThrownBy(() -> provision(hub, Optional.empty())).hasMessageContaining("HTTP 401").hasMessageContaining("set HF_TOKEN");
            Path dir = provision(hub, Optional.of("hf_secret"));

            assertThat(dir.resolve("model.safetensors.index.json")).exists();
            assertThat(hub.requests).filteredOn(r -> r.authorization() != null).allMatch(r -> r.authorization().equals("Bearer hf_secret"));
        }
    }

    @Test
    void should_say_what_to_do_when_the_hub_is_unreachable_on_a_first_start() {
        assertThatThrownBy(() -> ModelProvisioner.fromHub(REPO, "main", java.net.URI.create("http://127.0.0.1:9"), temp.resolve("cache"), Optional.empty()))
            .isInstanceOf(UncheckedIOException.class)
            .hasMessageContaining("Cannot reach the Hugging Face hub at http://127.0.0.1:9 (ConnectException")
            .hasMessageNotContaining("null")
            .hasMessageContaining("set model.local_path")
            .hasMessageContaining("config.json, tokenizer.json");
    }

    @Test
    void should_remove_what_a_crashed_conversion_left_and_never_use_it() throws IOException {
        Path cache = temp.resolve("cache");
        Path abandoned = cache.resolve("tiny-mistral-a-bin-safetensors.partial-999999999"); // a pid that runs no process
        Files.createDirectories(abandoned);
        Files.writeString(abandoned.resolve("model-00001-of-00002.safetensors"), "half-written");

        Path converted = ModelProvisioner.local(Fixtures.tinyModelBin(), cache);

        assertThat(abandoned).doesNotExist();
        assertThat(converted.getFileName().toString()).isEqualTo("tiny-mistral-a-bin-safetensors");
        assertThat(Files.size(converted.resolve("model-00001-of-00002.safetensors"))).isGreaterThan(1000);
    }

    @Test
    void should_leave_no_directory_behind_when_a_conversion_fails() throws IOException {
        Path broken = temp.resolve("broken");
        Files.createDirectories(broken);
        Files.copy(Fixtures.tinyModelBin().resolve("config.json"), broken.resolve("config.json"));
        byte[] shard = Files.readAllBytes(Fixtures.tinyModelBin().resolve(SHARD1));
        Files.write(broken.resolve("pytorch_model.bin"), java.util.Arrays.copyOf(shard, shard.length / 3)); // a download cut short

        assertThatThrownBy(() -> ModelProvisioner.local(broken, temp.resolve("cache"))).hasMessageContaining("not a readable zip archive");

        try (var left = Files.list(temp.resolve("cache"))) {
            assertThat(left.toList()).as("no staging or half-made directory").isEmpty();
        }
    }

    @Test
    void should_rebuild_the_q4_copy_when_a_crashed_quantization_left_only_its_staging_directory() throws IOException {
        Path cache = temp.resolve("cache");
        Path abandoned = cache.resolve("tiny-mistral-a-Q4-0000.partial-999999999");
        Files.createDirectories(abandoned);
        Files.writeString(abandoned.resolve("model.safetensors"), "half-written");

        Path q4 = ModelLoader.prepare(Fixtures.tinyModel(), true, cache).dir();

        assertThat(abandoned).doesNotExist();
        assertThat(q4.getFileName().toString()).startsWith("tiny-mistral-a-Q4-").doesNotContain("partial");
        assertThat(ModelDirectory.open(q4).quantized()).isTrue();
    }
}
