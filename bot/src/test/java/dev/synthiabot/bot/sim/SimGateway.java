package dev.synthiabot.bot.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.java_websocket.WebSocket;
import org.java_websocket.handshake.ClientHandshake;
import org.java_websocket.server.WebSocketServer;

/** The simulator's Gateway: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME → RESUMED, dispatches. */
final class SimGateway extends WebSocketServer {
    private static final ObjectMapper JSON = new ObjectMapper();
    private final AtomicInteger seq = new AtomicInteger();
    private final Supplier<ObjectNode> ready;
    private final Supplier<ObjectNode> guildCreate;
    final List<String> received = new CopyOnWriteArrayList<>();
    private volatile WebSocket client;
    volatile boolean refuseIntents;
    private volatile int heartbeatMs = 41250;
    private final CountDownLatch started = new CountDownLatch(1);
    private volatile Exception startFailure;

    SimGateway(Supplier<ObjectNode> ready, Supplier<ObjectNode> guildCreate) {
        super(new InetSocketAddress("127.0.0.1", 0));
        this.ready = ready;
        this.guildCreate = guildCreate;
        setReuseAddr(true);
    }

    @Override
    public void onOpen(WebSocket conn, ClientHandshake handshake) {
        client = conn;
        ObjectNode hello = JSON.createObjectNode().put("op", 10);
        hello.putObject("d").put("heartbeat_interval", heartbeatMs);
        conn.send(hello.toString());
    }

    @Override
    public void onMessage(WebSocket conn, String message) {
        received.add(message);
        JsonNode m;
        try {
            m = JSON.readTree(message);
        } catch (Exception e) {
            return;
        }
        switch (m.path("op").asInt()) {
            case 1 -> conn.send("{\"op\":11}");
            case 2 -> {
                if (!DiscordSimulator.TOKEN.equals(m.path("d").path("token").asText())) {
                    conn.close(4004, "Authentication failed.");
                    return;
                }
                if (refuseIntents) {
                    conn.close(4014, "Disallowed intent(s).");
                    return;
                }
                send(conn, "READY", ready.get());
                send(conn, "GUILD_CREATE", guildCreate.get());
            }
            case 6 -> send(conn, "RESUMED", JSON.createObjectNode());
            default -> { }
        }
    }

    void dispatch(String type, ObjectNode data) {
        WebSocket c = client;
        if (c == null || !c.isOpen()) throw new IllegalStateException("no gateway client connected");
        send(c, type, data);
    }

    private void send(WebSocket conn, String type, ObjectNode data) {
        ObjectNode env = JSON.createObjectNode().put("op", 0).put("t", type).put("s", seq.incrementAndGet());
        env.set("d", data);
        conn.send(env.toString());
    }

    /** Closes the client's connection with a close code (4000 = unknown error: clients resume). */
    void drop(int code) {
        WebSocket c = client;
        if (c != null) c.close(code, "simulated");
    }

    boolean connected() {
        WebSocket c = client;
        return c != null && c.isOpen();
    }

    @Override
    public void onClose(WebSocket conn, int code, String reason, boolean remote) {}

    @Override
    public void onError(WebSocket conn, Exception ex) {
        if (conn == null) { // the server itself failed (binding), not one connection
            startFailure = ex;
            started.countDown();
        }
    }

    @Override
    public void onStart() {
        started.countDown();
    }

    /**
     * The port the gateway listens on, once it does. {@code getPort()} is 0 before the server thread opens its socket
     * and -1 between opening and binding, so callers wait for {@link #onStart()} instead of polling it.
     */
    int awaitPort(long timeoutMs) throws java.io.IOException {
        try {
            if (!started.await(timeoutMs, TimeUnit.MILLISECONDS)) {
                throw new java.io.IOException("simulated gateway did not start within " + timeoutMs + " ms");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.IOException("interrupted while the simulated gateway started", e);
        }
        if (startFailure != null) throw new java.io.IOException("simulated gateway failed to start", startFailure);
        int port = getPort();
        if (port <= 0) throw new java.io.IOException("simulated gateway started without a port: " + port);
        return port;
    }
}
