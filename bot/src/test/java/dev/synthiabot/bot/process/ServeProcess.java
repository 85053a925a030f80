package dev.synthiabot.bot.process;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * {@code synthia-bot serve} as shipped: {@code scripts/run-bot serve --config <file> --port <port>} as a separate
 * process ({@link BotProcess}), on a port of its own, started again on the same port after a kill. Reads its
 * {@code /metrics} for the tests.
 */
final class ServeProcess implements AutoCloseable {
    static final Duration START = Duration.ofSeconds(180);
    static final HttpClient HTTP = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    final int port;
    final Path work;
    final String modelId;
    private final Path config;
    private final Map<String, String> env;
    private BotProcess process;

    private ServeProcess(int port, Path work, Path config, Map<String, String> env, String modelId) {
        this.port = port;
        this.work = work;
        this.config = config;
        this.env = env;
        this.modelId = modelId;
    }

    /**
     * Writes the settings into {@code work}, starts {@code serve} on a free port and waits (bounded) until the model
     * is ready. {@code model} is the model directory of the settings (its lower-cased name is the id served).
     */
    static ServeProcess start(ProcessSettings settings, Path model, Path work, Map<String, String> env) throws IOException {
        Files.createDirectories(work);
        ServeProcess s = new ServeProcess(freePort(), work, settings.write(work), env, model.getFileName().toString().toLowerCase(java.util.Locale.ROOT));
        s.startProcess();
        return s;
    }

    /** Starts the process again on the same port (after a kill or a stop) and waits until it is ready. */
    void restart() throws IOException, InterruptedException {
        if (process != null) process.close();
        startProcess();
    }

    private void startProcess() throws IOException {
        process = BotProcess.start(work, env, "serve", "--config", config.toString(), "--port", Integer.toString(port));
        process.awaitLine("OpenAI-compatible API listening on http://127\\.0\\.0\\.1:" + port + "/v1", START);
        process.awaitLine("OpenAI-compatible API ready: model " + java.util.regex.Pattern.quote(modelId), START);
    }

    BotProcess process() {
        return process;
    }

    /** The base URL clients are given: {@code http://127.0.0.1:PORT/v1}. */
    String baseUrl() {
        return "http://127.0.0.1:" + port + "/v1";
    }

    URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port + path);
    }

    /** The Prometheus exposition of {@code /metrics}. */
    String metrics() {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(uri("/metrics")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new AssertionError("GET /metrics: " + r.statusCode());
            return r.body();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** {@code synthia_openai_answers_running} now. */
    int running() {
        return (int) sum(metrics(), "synthia_openai_answers_running");
    }

    int waiting() {
        return (int) sum(metrics(), "synthia_openai_answers_waiting");
    }

    /** Waits (bounded) until no answer runs or waits; returns the metrics then. */
    String awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        String m;
        while (true) {
            m = metrics();
            if (sum(m, "synthia_openai_answers_running") == 0 && sum(m, "synthia_openai_answers_waiting") == 0) return m;
            if (System.nanoTime() > deadline) throw new AssertionError("serve on " + port + " not idle within " + timeout + ":\n" + m);
            BotProcess.sleep(100);
        }
    }

    /**
     * The sum of the samples of metric {@code name} (exact name, any labels) that carry every one of {@code labels}
     * ({@code key="value"} each); 0 when there is none.
     */
    static double sum(String exposition, String name, String... labels) {
        double total = 0;
        for (String line : exposition.lines().toList()) {
            if (line.startsWith("#")) continue;
            int brace = line.indexOf('{');
            int space = line.lastIndexOf(' ');
            if (space < 0) continue;
            String metric = brace >= 0 && brace < space ? line.substring(0, brace) : line.substring(0, space);
            if (!metric.equals(name)) continue;
            String labelPart = brace >= 0 && brace < space ? line.substring(brace, line.lastIndexOf('}') + 1) : "";
            if (List.of(labels).stream().allMatch(labelPart::contains)) total += Double.parseDouble(line.substring(space + 1).trim());
        }
        return total;
    }

    /** Chat completion requests counted so far with these labels (e.g. {@code outcome="answered"}). */
    static double chatRequests(String exposition, String... labels) {
        String[] all = new String[labels.length + 1];
        all[0] = "endpoint=\"chat_completions\"";
        System.arraycopy(labels, 0, all, 1, labels.length);
        return sum(exposition, "synthia_openai_requests_total", all);
    }

    static double tokens(String exposition, String type) {
        return sum(exposition, "synthia_openai_tokens_total", "type=\"" + type + "\"");
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** SIGKILL, and waits for the process to be gone. */
    void kill() throws InterruptedException {
        process.kill();
        process.awaitExit(Duration.ofSeconds(30));
    }

    @Override
    public void close() throws InterruptedException {
        if (process != null) process.close();
    }
}
