package dev.synthiabot.adapter.loading;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads a model repository's files from the Hugging Face hub (or a mirror) into a local directory:
 * config, tokenizer and the weights (safetensors if the repository has them, else PyTorch .bin shards).
 * Files already complete are not fetched again; each file is written to a {@code .partial} file first
 * and renamed when complete, so an interrupted download is never mistaken for a complete one.
 */
public final class HuggingFaceDownloader {
    private static final Logger log = LoggerFactory.getLogger(HuggingFaceDownloader.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> METADATA = List.of("config.json", "tokenizer.json", "tokenizer_config.json");
    private static final List<String> OPTIONAL = List.of("generation_config.json");

    private final URI hub;
    private final Optional<String> token;
    private final HttpClient http;

    /**
     * @param hub the hub's base URL, e.g. {@code https://huggingface.co}
     * @param token a Hugging Face access token for gated models (sent as a bearer token), if any
     */
    public HuggingFaceDownloader(URI hub, Optional<String> token) {
        this.hub = hub;
        this.token = token.filter(t -> !t.isBlank());
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(30)).build();
    }

    /** Downloads {@code repoId} (owner/name) into {@code dir} and returns it. */
    public Path download(String repoId, Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String f : METADATA) fetch(repoId, f, dir, true);
        for (String f : OPTIONAL) fetch(repoId, f, dir, false);
        for (String f : weightFiles(repoId, dir)) fetch(repoId, f, dir, true);
        return dir;
    }

    private List<String> weightFiles(String repoId, Path dir) throws IOException {
        for (String index : List.of("model.safetensors.index.json", "pytorch_model.bin.index.json")) {
            if (fetch(repoId, index, dir, false)) {
                JsonNode map = JSON.readTree(dir.resolve(index).toFile()).path("weight_map");
                Set<String> files = new LinkedHashSet<>();
                map.elements().forEachRemaining(n -> files.add(n.asText()));
                if (files.isEmpty()) throw new IOException(index + " of " + repoId + " lists no weight files");
                for (String f : files) {
                    if (f.contains("/") || f.contains("..")) throw new IOException(index + " of " + repoId + " names an unsafe file: " + f);
                }
                return new ArrayList<>(files);
            }
        }
        for (String single : List.of("model.safetensors", "pytorch_model.bin")) {
            if (fetch(repoId, single, dir, false)) return List.of();
        }
        throw new IOException(repoId + " has no safetensors or PyTorch weights on " + hub);
    }

    /** Fetches one file unless present; returns false if the hub says it does not exist and it is optional. */
    private boolean fetch(String repoId, String file, Path dir, boolean required) throws IOException {
        Path target = dir.resolve(file);
        if (Files.exists(target)) return true;
        URI uri = URI.create(hub.toString().replaceAll("/+$", "") + "/" + repoId + "/resolve/main/" + file);
        HttpRequest.Builder req = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(30)).GET();
        token.ifPresent(t -> req.header("Authorization", "Bearer " + t));
        HttpResponse<InputStream> resp;
        try {
            resp = http.send(req.build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Interrupted while downloading " + uri, e);
        }
        try (InputStream body = resp.body()) {
            if (resp.statusCode() == 404 && !required) return false;
            if (resp.statusCode() == 401 || resp.statusCode() == 403) {
                throw new IOException(uri + ": HTTP " + resp.statusCode() + " (a gated or private model needs a token in HF_TOKEN)");
            }
            if (resp.statusCode() != 200) throw new IOException(uri + ": HTTP " + resp.statusCode());
            long size = resp.headers().firstValueAsLong("Content-Length").orElse(-1);
            log.info("Downloading {} ({})", uri, size >= 0 ? String.format("%.1f MB", size / 1e6) : "size unknown");
            Path partial = dir.resolve(file + ".partial");
            long copied = Files.copy(body, partial, StandardCopyOption.REPLACE_EXISTING);
            if (size >= 0 && copied != size) {
                throw new IOException(uri + ": got " + copied + " of " + size + " bytes");
            }
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            return true;
        }
    }
}
