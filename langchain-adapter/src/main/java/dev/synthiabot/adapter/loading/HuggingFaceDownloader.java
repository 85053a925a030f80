package dev.synthiabot.adapter.loading;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Downloads a model repository from the Hugging Face hub (or a mirror) at one revision, verified, resumable, and
 * only once: config, tokenizer and the weights (safetensors if the repository has them, else PyTorch .bin shards).
 *
 * <ul>
 *   <li>The revision (branch, tag or commit) is resolved to its commit by the first request ({@code X-Repo-Commit});
 *       every file is then fetched at that commit, so the files are one consistent snapshot.
 *   <li>Each file's size and, for LFS files, sha256 come from a HEAD of {@code /resolve/<commit>/<file>}
 *       ({@code X-Linked-Size}, {@code X-Linked-Etag}); both are verified while the bytes stream to disk. A mismatch
 *       deletes the file and says which.
 *   <li>A transfer writes {@code <file>.partial}; an interrupted one resumes from where it stopped (HTTP Range).
 *       Failures (connection lost, 5xx) are retried with backoff, {@link #ATTEMPTS} times per file.
 *   <li>Once every file is verified, {@value #MARKER} records the repository, revision, commit, sizes and checksums:
 *       from then on {@link #download} returns at once without touching the network.
 * </ul>
 */
public final class HuggingFaceDownloader {
    private static final Logger log = LoggerFactory.getLogger(HuggingFaceDownloader.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    static final String MARKER = ".synthia-download.json";
    private static final List<String> METADATA = List.of("config.json", "tokenizer.json", "tokenizer_config.json");
    private static final List<String> OPTIONAL = List.of("generation_config.json");
    static final int ATTEMPTS = 5;
    private static final long[] BACKOFF_MS = {1000, 2000, 4000, 8000};

    /** A model on disk as downloaded: the commit its files come from and what each file must be. */
    public record Snapshot(Path dir, String repoId, String revision, String commit, Map<String, FileFacts> files) {}

    /** A file's size and (LFS files) sha256, as the hub published them. */
    public record FileFacts(long size, String sha256) {}

    private final URI hub;
    private final Optional<String> token;
    private final HttpClient http;
    private final HttpClient noRedirects;
    private final long backoffScale;

    /**
     * @param hub the hub's base URL, e.g. {@code https://huggingface.co}
     * @param token a Hugging Face access token for gated models (sent as a bearer token), if any
     */
    public HuggingFaceDownloader(URI hub, Optional<String> token) {
        this(hub, token, 1);
    }

    /** {@code backoffScale} 0 retries at once (tests). */
    HuggingFaceDownloader(URI hub, Optional<String> token, long backoffScale) {
        this.hub = URI.create(hub.toString().replaceAll("/+$", ""));
        this.token = token.filter(t -> !t.isBlank());
        this.http = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NORMAL).connectTimeout(Duration.ofSeconds(30)).build();
        this.noRedirects = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(30)).build();
        this.backoffScale = backoffScale;
    }

    /** The snapshot recorded in {@code dir} for this repository and revision, if every file of it is there. */
    public static Optional<Snapshot> complete(Path dir, String repoId, String revision) {
        Path marker = dir.resolve(MARKER);
        if (!Files.isRegularFile(marker)) return Optional.empty();
        try {
            JsonNode m = JSON.readTree(marker.toFile());
            if (!repoId.equals(m.path("repo").asText()) || !(revision.equals(m.path("revision").asText()) || revision.equals(m.path("commit").asText()))) {
                return Optional.empty();
            }
            Map<String, FileFacts> files = new LinkedHashMap<>();
            for (var it = m.path("files").fields(); it.hasNext(); ) {
                var e = it.next();
                FileFacts f = new FileFacts(e.getValue().path("size").asLong(), e.getValue().path("sha256").isNull() ? null : e.getValue().path("sha256").asText());
                Path p = dir.resolve(e.getKey());
                if (!Files.isRegularFile(p) || Files.size(p) != f.size()) return Optional.empty();
                files.put(e.getKey(), f);
            }
            return Optional.of(new Snapshot(dir, repoId, m.path("revision").asText(), m.path("commit").asText(), files));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Downloads {@code repoId} at {@code revision} into {@code dir} (or finds it complete there, offline). */
    public Snapshot download(String repoId, String revision, Path dir) throws IOException {
        Optional<Snapshot> done = complete(dir, repoId, revision);
        if (done.isPresent()) return done.get();
        Files.createDirectories(dir);
        Resolver r = new Resolver(repoId, revision);
        Map<String, FileFacts> files = new LinkedHashMap<>();
        for (String f : METADATA) files.put(f, r.facts(f, true));
        for (String f : OPTIONAL) {
            FileFacts facts = r.facts(f, false);
            if (facts != null) files.put(f, facts);
        }
        for (String f : weightFiles(r, dir, files)) files.put(f, r.facts(f, true));
        long missing = 0;
        for (var e : files.entrySet()) {
            Path p = dir.resolve(e.getKey());
            if (!Files.exists(p)) missing += e.getValue().size() - (Files.exists(partial(p)) ? Files.size(partial(p)) : 0);
        }
        Disk.require(dir, missing, "the download of " + repoId);
        for (var e : files.entrySet()) fetch(r, e.getKey(), e.getValue(), dir);
        writeMarker(dir, repoId, revision, r.commit, files);
        log.info("Downloaded {} at commit {} ({}): verified; later starts use these files without the network", repoId, r.commit, revision);
        return new Snapshot(dir, repoId, revision, r.commit, files);
    }

    private List<String> weightFiles(Resolver r, Path dir, Map<String, FileFacts> files) throws IOException {
        for (String index : List.of("model.safetensors.index.json", "pytorch_model.bin.index.json")) {
            FileFacts facts = r.facts(index, false);
            if (facts == null) continue;
            files.put(index, facts);
            fetch(r, index, facts, dir);
            JsonNode map = JSON.readTree(dir.resolve(index).toFile()).path("weight_map");
            Set<String> shards = new LinkedHashSet<>();
            map.elements().forEachRemaining(n -> shards.add(n.asText()));
            if (shards.isEmpty()) throw new IOException(index + " of " + r.repoId + " lists no weight files");
            for (String f : shards) {
                if (f.contains("/") || f.contains("..") || f.startsWith(".")) throw new IOException(index + " of " + r.repoId + " names an unsafe file: " + f);
            }
            return new ArrayList<>(shards);
        }
        for (String single : List.of("model.safetensors", "pytorch_model.bin")) {
            if (r.facts(single, false) != null) return List.of(single);
        }
        throw new IOException(r.repoId + " has no safetensors or PyTorch weights at " + r.revision + " on " + hub);
    }

    /** Resolves files at one commit; the first answer pins the revision to its commit. */
    private final class Resolver {
        final String repoId;
        final String revision;
        String commit;

        Resolver(String repoId, String revision) {
            this.repoId = repoId;
            this.revision = revision;
        }

        URI uri(String file) {
            return URI.create(hub + "/" + repoId + "/resolve/" + (commit != null ? commit : revision) + "/" + file);
        }

        /** The file's size and sha256 from a HEAD, or null if an optional file does not exist. */
        FileFacts facts(String file, boolean required) throws IOException {
            URI uri = uri(file);
            HttpResponse<Void> resp = withRetries(file, () -> send(noRedirects, request(uri).method("HEAD", HttpRequest.BodyPublishers.noBody()),
                HttpResponse.BodyHandlers.discarding()));
            int status = resp.statusCode();
            if (status == 404) {
                if (required) throw new IOException(repoId + " has no " + file + " at " + revision + " (" + uri + ")");
                return null;
            }
            checkAuth(status, uri);
            if (status >= 400) throw new IOException(uri + ": HTTP " + status);
            resp.headers().firstValue("X-Repo-Commit").ifPresent(c -> {
                if (commit == null) {
                    commit = c;
                    log.info("{} {} is commit {}", repoId, revision, c);
                }
            });
            long size = resp.headers().firstValueAsLong("X-Linked-Size")
                .orElse(status == 200 ? resp.headers().firstValueAsLong("Content-Length").orElse(-1) : -1);
            String sha = resp.headers().firstValue("X-Linked-Etag").map(e -> e.replace("\"", "").replace("W/", "")).filter(e -> e.matches("[0-9a-f]{64}"))
                .orElse(null);
            if (size < 0) throw new IOException(uri + ": the hub did not say how large " + file + " is");
            return new FileFacts(size, sha);
        }
    }

    /** Fetches one file unless it is there with the right size; resumes a partial one; verifies size and sha256. */
    private void fetch(Resolver r, String file, FileFacts facts, Path dir) throws IOException {
        Path target = dir.resolve(file);
        if (Files.exists(target) && Files.size(target) == facts.size()) {
            if (facts.sha256() == null || facts.sha256().equals(sha256(target))) return;
            log.warn("{} is there but its sha256 differs from the hub's: downloading it again", target);
            Files.delete(target);
        }
        Path partial = partial(target);
        String sha = withRetries(file, () -> transfer(r, file, facts, partial));
        if (Files.size(partial) != facts.size() || facts.sha256() != null && !facts.sha256().equals(sha)) {
            long got = Files.size(partial);
            Files.delete(partial);
            throw new IOException(file + " of " + r.repoId + " is corrupt: got " + got + " bytes with sha256 " + sha + ", the hub says " + facts.size()
                + " bytes" + (facts.sha256() != null ? " with sha256 " + facts.sha256() : "") + "; the file was deleted, start again to download it anew");
        }
        Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Streams the file into {@code partial} (resuming it if it has bytes), hashing as it writes; returns the sha256. */
    private String transfer(Resolver r, String file, FileFacts facts, Path partial) throws IOException {
        long have = Files.exists(partial) ? Files.size(partial) : 0;
        if (have > facts.size()) {
            Files.delete(partial);
            have = 0;
        }
        if (have == facts.size()) return sha256(partial);
        HttpRequest.Builder req = request(r.uri(file)).GET();
        if (have > 0) req.header("Range", "bytes=" + have + "-");
        HttpResponse<InputStream> resp = send(http, req, HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream body = resp.body()) {
            checkAuth(resp.statusCode(), r.uri(file));
            boolean append = resp.statusCode() == 206;
            if (resp.statusCode() != 200 && !append) throw new ServerError(r.uri(file) + ": HTTP " + resp.statusCode(), resp.statusCode());
            if (!append) have = 0;
            MessageDigest digest = append ? digestOf(partial) : newDigest();
            try (OutputStream out = Files.newOutputStream(partial, StandardOpenOption.CREATE, append ? StandardOpenOption.APPEND : StandardOpenOption.TRUNCATE_EXISTING);
                 Progress progress = Progress.start("Downloading " + file, facts.size(), have)) {
                byte[] buf = new byte[1 << 20];
                long left = facts.size() - have;
                for (int n; left > 0 && (n = body.read(buf, 0, (int) Math.min(buf.length, left))) > 0; left -= n) {
                    out.write(buf, 0, n);
                    digest.update(buf, 0, n);
                    progress.add(n);
                }
                if (left > 0) throw new IOException("the connection ended " + left + " bytes before the end of " + file);
            }
            return HexFormat.of().formatHex(digest.digest());
        }
    }

    private interface Call<T> {
        T run() throws IOException;
    }

    /** Retries connection failures, timeouts and 5xx answers; 4xx and hub-unreachable-at-all go up at once. */
    private <T> T withRetries(String file, Call<T> call) throws IOException {
        for (int attempt = 1; ; attempt++) {
            try {
                return call.run();
            } catch (IOException e) {
                boolean retryable = !unreachable(e) && !(e instanceof ClientError) && (!(e instanceof ServerError s) || s.status >= 500);
                if (!retryable || attempt >= ATTEMPTS) throw e;
                long wait = BACKOFF_MS[attempt - 1] * backoffScale;
                log.warn("{}: {} (try {} of {}); trying again in {} ms", file, reason(e), attempt, ATTEMPTS, wait);
                try {
                    Thread.sleep(wait);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted while downloading " + file, ie);
                }
            }
        }
    }

    private HttpRequest.Builder request(URI uri) {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5));
        token.ifPresent(t -> b.header("Authorization", "Bearer " + t));
        return b;
    }

    private static <T> HttpResponse<T> send(HttpClient client, HttpRequest.Builder req, HttpResponse.BodyHandler<T> body) throws IOException {
        try {
            return client.send(req.build(), body);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private void checkAuth(int status, URI uri) throws IOException {
        if (status == 401 || status == 403) {
            throw new ClientError(uri + ": HTTP " + status + (token.isPresent()
                ? " — the token in HF_TOKEN has no access to this model (accept its terms on the model's page?)"
                : " — a gated or private model needs an access token: set HF_TOKEN (https://huggingface.co/settings/tokens)"));
        }
    }

    /** An answer that retrying cannot change (401, 403). */
    private static final class ClientError extends IOException {
        ClientError(String message) {
            super(message);
        }
    }

    private static final class ServerError extends IOException {
        final int status;

        ServerError(String message, int status) {
            super(message);
            this.status = status;
        }
    }

    static Path partial(Path target) {
        return target.resolveSibling(target.getFileName() + ".partial");
    }

    private static void writeMarker(Path dir, String repoId, String revision, String commit, Map<String, FileFacts> files) throws IOException {
        ObjectNode m = JSON.createObjectNode().put("repo", repoId).put("revision", revision).put("commit", commit);
        ObjectNode f = m.putObject("files");
        files.forEach((name, facts) -> f.putObject(name).put("size", facts.size()).put("sha256", facts.sha256()));
        Path tmp = dir.resolve(MARKER + ".tmp");
        JSON.writerWithDefaultPrettyPrinter().writeValue(tmp.toFile(), m);
        Files.move(tmp, dir.resolve(MARKER), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static String sha256(Path file) throws IOException {
        return HexFormat.of().formatHex(digestOf(file).digest());
    }

    private static MessageDigest digestOf(Path file) throws IOException {
        MessageDigest d = newDigest();
        byte[] buf = new byte[1 << 20];
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buf)) > 0; ) d.update(buf, 0, n);
        }
        return d;
    }

    private static MessageDigest newDigest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Why a request failed, for a person: the first message along the exception's causes, else the exceptions' classes
     * (the HTTP client's connection errors often carry no message, e.g. a refused connection).
     */
    static String reason(IOException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c.getMessage() != null && !c.getMessage().isBlank()) return c.getMessage();
        }
        String reason = e.getClass().getSimpleName();
        Throwable root = e;
        while (root.getCause() != null) root = root.getCause();
        return root.getClass() == e.getClass() ? reason : reason + " (caused by " + root.getClass().getSimpleName() + ")";
    }

    /** Whether this failure means the hub cannot be reached at all (DNS, refused, no route, connect timeout). */
    static boolean unreachable(IOException e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof ConnectException || c instanceof UnknownHostException || c instanceof HttpConnectTimeoutException
                || c instanceof java.net.NoRouteToHostException) return true;
        }
        return false;
    }
}
