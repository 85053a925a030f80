package dev.synthiabot.adapter.loading;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A local Hugging Face hub (127.0.0.1) serving one repository from a directory the way huggingface.co does:
 * {@code /<repo>/resolve/<revision>/<file>} answers HEAD and GET with {@code X-Repo-Commit}; LFS files (weights)
 * redirect to a CDN path and carry {@code X-Linked-Size} / {@code X-Linked-Etag} (their sha256); the CDN honours
 * {@code Range}. Faults: cut a transfer after N bytes, serve a corrupted file, require a token.
 */
public final class FakeHub implements AutoCloseable {
    public static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";
    public record Request(String method, String path, String range, String authorization) {}

    public final List<Request> requests = new CopyOnWriteArrayList<>();
    private final HttpServer server;
    private final String repo;
    private final Path files;
    private final Map<String, Long> cutAfter = new ConcurrentHashMap<>();
    private final Map<String, Boolean> corrupt = new ConcurrentHashMap<>();
    private volatile String requiredToken;
    private volatile long bytesPerSecond;

    public FakeHub(String repo, Path files) throws IOException {
        this.repo = repo;
        this.files = files;
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.start();
    }

    public URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    /** The next GET of {@code file} from the CDN sends only {@code bytes} bytes, then drops the connection. */
    void cutAfter(String file, long bytes) {
        cutAfter.put(file, bytes);
    }

    /** {@code file} is served with one byte changed (its published size and sha256 stay right). */
    void corrupt(String file) {
        corrupt.put(file, true);
    }

    /** The CDN sends weight files at about this rate (a slow link: a download that takes a while). */
    public void throttle(long bytesPerSecond) {
        this.bytesPerSecond = bytesPerSecond;
    }

    void requireToken(String token) {
        requiredToken = token;
    }

    private static boolean lfs(String file) {
        return file.endsWith(".bin") || file.endsWith(".safetensors");
    }

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            requests.add(new Request(ex.getRequestMethod(), path, ex.getRequestHeaders().getFirst("Range"), auth));
            if (requiredToken != null && !("Bearer " + requiredToken).equals(auth)) {
                ex.sendResponseHeaders(401, -1);
                return;
            }
            String resolve = "/" + repo + "/resolve/";
            if (path.startsWith(resolve)) {
                String rest = path.substring(resolve.length());
                String revision = rest.substring(0, rest.indexOf('/'));
                String file = rest.substring(rest.indexOf('/') + 1);
                Path f = files.resolve(file);
                if (!(revision.equals("main") || revision.equals(COMMIT)) || file.contains("/") || !Files.isRegularFile(f)) {
                    ex.getResponseHeaders().add("X-Error-Code", "EntryNotFound");
                    ex.sendResponseHeaders(404, -1);
                    return;
                }
                ex.getResponseHeaders().add("X-Repo-Commit", COMMIT);
                if (lfs(file)) {
                    ex.getResponseHeaders().add("X-Linked-Size", Long.toString(Files.size(f)));
                    ex.getResponseHeaders().add("X-Linked-Etag", "\"" + HuggingFaceDownloader.sha256(f) + "\"");
                    ex.getResponseHeaders().add("Location", "/cdn/" + file);
                    ex.sendResponseHeaders(302, -1);
                    return;
                }
                byte[] body = Files.readAllBytes(f);
                if (ex.getRequestMethod().equals("HEAD")) {
                    ex.getResponseHeaders().add("Content-Length", Integer.toString(body.length));
                    ex.sendResponseHeaders(200, -1);
                } else {
                    ex.sendResponseHeaders(200, body.length);
                    try (OutputStream out = ex.getResponseBody()) {
                        out.write(body);
                    }
                }
            } else if (path.startsWith("/cdn/") && Files.isRegularFile(files.resolve(path.substring(5)))) {
                cdn(ex, path.substring(5));
            } else {
                ex.sendResponseHeaders(404, -1);
            }
        }
    }

    private void cdn(HttpExchange ex, String file) throws IOException {
        byte[] body = Files.readAllBytes(files.resolve(file));
        if (corrupt.containsKey(file)) body[body.length / 2] ^= 0x5a;
        int from = 0;
        String range = ex.getRequestHeaders().getFirst("Range");
        if (range != null && range.matches("bytes=\\d+-")) from = Integer.parseInt(range.substring(6, range.length() - 1));
        if (from > 0) ex.getResponseHeaders().add("Content-Range", "bytes " + from + "-" + (body.length - 1) + "/" + body.length);
        ex.sendResponseHeaders(from > 0 ? 206 : 200, body.length - from);
        Long cut = cutAfter.remove(file);
        OutputStream out = ex.getResponseBody();
        if (cut != null) {
            out.write(body, from, (int) Math.min(cut, body.length - from));
            out.flush();
            throw new IOException("cut after " + cut + " bytes (simulated)"); // the server drops the connection: the client sees it end early
        }
        long rate = bytesPerSecond;
        int chunk = rate > 0 ? (int) Math.max(1, rate / 10) : body.length - from;
        for (int at = from; at < body.length; at += chunk) {
            out.write(body, at, Math.min(chunk, body.length - at));
            if (rate > 0) {
                out.flush();
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    throw new IOException("interrupted", e);
                }
            }
        }
        out.close();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
