package dev.synthiabot.adapter.loading;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.synthiabot.adapter.Fixtures;
import dev.synthiabot.adapter.SynthiaChatModel;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real path for SynthIA, which publishes only PyTorch .bin shards: download from a hub (a local
 * server that serves the tiny model's .bin files the way huggingface.co does, redirect included),
 * convert without running pickle code, quantize-or-not, load, and answer like the reference.
 */
class HubProvisioningIT {
    static HttpServer hub;
    static final List<String> requests = new CopyOnWriteArrayList<>();
    @TempDir
    static Path temp;

    @BeforeAll
    static void startHub() throws IOException {
        hub = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        hub.createContext("/", ex -> {
            String path = ex.getRequestURI().getPath();
            requests.add(path);
            String prefix = "/test-org/tiny-synthia/resolve/main/";
            if (path.startsWith(prefix)) {
                ex.getResponseHeaders().add("Location", "/cdn/" + path.substring(prefix.length()));
                ex.sendResponseHeaders(302, -1);
            } else if (path.startsWith("/cdn/") && Files.isRegularFile(Fixtures.tinyModelBin().resolve(path.substring(5)))) {
                byte[] body = Files.readAllBytes(Fixtures.tinyModelBin().resolve(path.substring(5)));
                ex.sendResponseHeaders(200, body.length);
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            } else {
                ex.sendResponseHeaders(404, -1);
            }
            ex.close();
        });
        hub.start();
    }

    @AfterAll
    static void stopHub() {
        hub.stop(0);
    }

    @Test
    void should_download_convert_and_answer_like_the_reference() {
        URI url = URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
        Path cache = temp.resolve("cache");

        Path dir = ModelProvisioner.fromHub("test-org/tiny-synthia", url, cache, Optional.empty());
        int requestsAfterFirst = requests.size();
        Path again = ModelProvisioner.fromHub("test-org/tiny-synthia", url, cache, Optional.empty());

        assertThat(again).isEqualTo(dir);
        assertThat(requests.subList(0, requestsAfterFirst)).contains("/cdn/pytorch_model-00001-of-00002.bin", "/cdn/pytorch_model-00002-of-00002.bin");
        assertThat(requests.subList(requestsAfterFirst, requests.size())).as("nothing downloaded twice")
            .noneMatch(p -> p.endsWith(".bin") || p.endsWith("tokenizer.json") || p.endsWith("config.json") && !p.contains("generation"));
        assertThat(dir.resolve("model.safetensors.index.json")).exists();
        try (SynthiaChatModel model = SynthiaChatModel.builder().modelPath(dir).quantize(false).temperature(0).maxOutputTokens(24).build()) {
            var conv = dev.synthiabot.adapter.ReferenceGenerationITAccess.conversation("translate_ja");
            String answer = model.chat(ChatRequest.builder().messages(conv).build()).aiMessage().text();

            assertThat(answer).isEqualTo(Fixtures.refCase("translate_ja").path("greedy_24_text").asText().strip());
        }
    }
}
