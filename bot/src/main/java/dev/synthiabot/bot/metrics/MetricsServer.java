package dev.synthiabot.bot.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /metrics} (Prometheus text format) and {@code GET /health} (200 when the model is loaded and Discord is
 * connected, else 503; a JSON body says which) on {@code metrics.bind}:{@code metrics.port} — 127.0.0.1 unless the
 * settings say otherwise: the numbers are for the operator, not the internet.
 */
public final class MetricsServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(MetricsServer.class);
    private final HttpServer server;

    public MetricsServer(String bind, int port, BotMetrics metrics, BooleanSupplier modelLoaded, BooleanSupplier discordConnected) throws IOException {
        server = HttpServer.create(new InetSocketAddress(bind, port), 0);
        server.setExecutor(Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "metrics-http");
            t.setDaemon(true);
            return t;
        }));
        server.createContext("/metrics", ex -> send(ex, 200, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape()));
        server.createContext("/health", ex -> {
            boolean model = modelLoaded.getAsBoolean();
            boolean discord = discordConnected.getAsBoolean();
            send(ex, model && discord ? 200 : 503, "application/json",
                "{\"status\":\"" + (model && discord ? "up" : "down") + "\",\"model\":\"" + (model ? "loaded" : "loading") + "\",\"discord\":\""
                    + (discord ? "connected" : "disconnected") + "\"}\n");
        });
        server.start();
        log.info("Metrics on http://{}:{}/metrics, health on /health", bind, server.getAddress().getPort());
    }

    private static void send(HttpExchange ex, int status, String type, String body) throws IOException {
        try (ex) {
            if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
                ex.sendResponseHeaders(405, -1);
                return;
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", type);
            ex.sendResponseHeaders(status, bytes.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
