package dev.synthiabot.bot.servers;

import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.HttpException;
import dev.langchain4j.exception.InternalServerException;
import dev.langchain4j.exception.TimeoutException;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.synthiabot.config.GenerationSettings;
import dev.synthiabot.config.ProviderSettings;
import dev.synthiabot.config.Secret;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bot's model when it runs on OpenAI-compatible servers ({@code model.provider: openai}): one LangChain4j
 * {@link OpenAiStreamingChatModel} per server, behind the same {@link StreamingChatModel} the bot uses for its own model.
 *
 * <ul>
 *   <li><b>Affinity</b>: a conversation (its system prompt and first question, which every later turn of a reply chain
 *       repeats) goes back to the server that answered its last turn while that server is up and has a free place,
 *       so the server's KV or prefix cache serves the follow-up. The key also goes out as {@value #CONVERSATION_HEADER},
 *       so a balancer in front of many servers can keep the same affinity with one URL.
 *   <li><b>Otherwise</b> the server with the most free places takes it.
 *   <li><b>Failures</b>: a server that refuses the connection, times out or answers 5xx is taken out for a backoff and
 *       probed before it gets work again ({@link ModelServer}). An answer that failed before its first token is tried
 *       once more on another server; one cut mid-stream ends with what it had (the bot adds a note). With every server
 *       down the request fails at once: the user gets the same "the model failed" message as with the bot's own model.
 * </ul>
 */
public final class ModelServers implements StreamingChatModel, AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(ModelServers.class);
    public static final String CONVERSATION_HEADER = "X-Conversation-Id";
    /** An answer may take long; a server that sends nothing for this long is counted as failed. */
    static final Duration READ_TIMEOUT = Duration.ofMinutes(5);

    private final List<ModelServer> servers;
    /** The server of each recent conversation's last turn (the most recent {@value #REMEMBERED} conversations). */
    private final Map<String, ModelServer> lastServed = Collections.synchronizedMap(new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, ModelServer> eldest) {
            return size() > REMEMBERED;
        }
    });
    static final int REMEMBERED = 10_000;
    /** The conversation key of the request being sent on this thread: read by the clients' header supplier. */
    private static final ThreadLocal<String> SENDING = new ThreadLocal<>();

    ModelServers(List<ModelServer> servers) {
        this.servers = List.copyOf(servers);
    }

    /** One client per configured server, sampling as the settings say (top_k goes as llama.cpp and vLLM take it). */
    public static ModelServers connect(ProviderSettings provider, GenerationSettings generation) {
        return connect(provider, generation, Clock.systemUTC());
    }

    static ModelServers connect(ProviderSettings provider, GenerationSettings generation, Clock clock) {
        HttpClient probes = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();
        List<ModelServer> servers = provider.endpoints().stream().map(e -> {
            Optional<String> key = e.apiKey().map(Secret::reveal);
            StreamingChatModel client = OpenAiStreamingChatModel.builder()
                .baseUrl(e.url().toString())
                .apiKey(key.orElse("none"))
                .modelName(e.model())
                .temperature(generation.temperature())
                .topP(generation.topP())
                .maxTokens(generation.maxNewTokens())
                .stop(generation.stopSequences().isEmpty() ? null : generation.stopSequences())
                .customParameters(Map.of("top_k", generation.topK()))
                .customHeaders(() -> SENDING.get() == null ? Map.of() : Map.of(CONVERSATION_HEADER, SENDING.get()))
                .timeout(READ_TIMEOUT)
                .build();
            return new ModelServer(e.url(), client, e.maxConcurrent(), key, clock, probes);
        }).toList();
        log.info("Answering with {} model server(s): {}", servers.size(),
            servers.stream().map(s -> s.name() + " (" + s.places() + " at once)").collect(Collectors.joining(", ")));
        return new ModelServers(servers);
    }

    /** Answers all servers run at once: the queue's places. */
    public int places() {
        return servers.stream().mapToInt(ModelServer::places).sum();
    }

    public List<ServerStatus> status() {
        return servers.stream().map(ModelServer::status).toList();
    }

    @Override
    public void chat(ChatRequest request, StreamingChatResponseHandler handler) {
        String key = conversationKey(request.messages());
        send(request, handler, key, new HashSet<>());
    }

    private void send(ChatRequest request, StreamingChatResponseHandler handler, String key, Set<ModelServer> tried) {
        Optional<ModelServer> chosen = choose(key, tried);
        if (chosen.isEmpty()) {
            handler.onError(new NoModelServerException(tried.isEmpty() ? "no model server is reachable"
                : "no other model server is reachable after " + tried.stream().map(ModelServer::name).collect(Collectors.joining(", ")) + " failed"));
            return;
        }
        ModelServer server = chosen.get();
        tried.add(server);
        server.started();
        SENDING.set(key);
        try {
            server.client().chat(request, new Relay(request, handler, key, tried, server));
        } catch (RuntimeException e) { // refused before it was sent (e.g. by the client's own checks): not the server's fault
            server.ended(false, false, describe(e));
            handler.onError(e);
        } finally {
            SENDING.remove();
        }
    }

    /**
     * The server of the conversation's last turn if it may take one more, else the one with the most free places (the
     * least used of those, up before down).
     */
    private Optional<ModelServer> choose(String key, Set<ModelServer> tried) {
        ModelServer last = lastServed.get(key);
        if (last != null && !tried.contains(last) && last.running() < last.places() && last.available()) return Optional.of(last);
        return servers.stream().filter(s -> !tried.contains(s))
            .sorted(Comparator.comparingInt((ModelServer s) -> s.running() - s.places()).thenComparing(s -> !s.up())
                .thenComparingLong(ModelServer::assigned))
            .filter(ModelServer::available).findFirst();
    }

    /** Passes one server's answer on, counts it, and tries another server when this one failed before writing. */
    private final class Relay implements StreamingChatResponseHandler {
        private final ChatRequest request;
        private final StreamingChatResponseHandler handler;
        private final String key;
        private final Set<ModelServer> tried;
        private final ModelServer server;
        private volatile long firstToken;

        Relay(ChatRequest request, StreamingChatResponseHandler handler, String key, Set<ModelServer> tried, ModelServer server) {
            this.request = request;
            this.handler = handler;
            this.key = key;
            this.tried = tried;
            this.server = server;
        }

        @Override
        public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
            if (firstToken == 0) firstToken = System.nanoTime();
            handler.onPartialResponse(partial, context);
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            if (response.finishReason() == null) {
                // Every OpenAI-compatible server ends an answer with a finish reason; a stream that just stops was cut
                // (the server died or the connection broke): the words so far stay, the user is told it broke off.
                onError(new ModelServerCutException("the answer from " + server.name() + " stopped without finishing"));
                return;
            }
            server.ended(true, false, null);
            if (firstToken != 0 && response.tokenUsage() != null && response.tokenUsage().outputTokenCount() != null) {
                server.decoded(response.tokenUsage().outputTokenCount() - 1, System.nanoTime() - firstToken);
            }
            lastServed.put(key, server);
            handler.onCompleteResponse(response);
        }

        @Override
        public void onError(Throwable error) {
            boolean serverFailed = serverFailure(error);
            server.ended(false, serverFailed, describe(error));
            lastServed.remove(key, server);
            if (serverFailed && firstToken == 0) {
                log.info("Model server {} failed before answering ({}): trying another", server.name(), describe(error));
                send(request, handler, key, tried);
            } else {
                handler.onError(error);
            }
        }
    }

    /** The server is down or broken (not the request): connection refused or reset, timeout, 5xx. */
    static boolean serverFailure(Throwable e) {
        for (Throwable c = e; c != null; c = c.getCause()) {
            if (c instanceof InternalServerException || c instanceof TimeoutException || c instanceof ConnectException
                || c instanceof IOException || c instanceof UncheckedIOException) return true;
            if (c instanceof HttpException h) return h.statusCode() >= 500;
        }
        return false;
    }

    private static String describe(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getMessage() == null) root = root.getCause();
        return root.getMessage() != null ? root.getClass().getSimpleName() + ": " + root.getMessage() : root.getClass().getSimpleName();
    }

    /**
     * The conversation a request belongs to: its system prompt and first question, which every later turn of the
     * same reply chain repeats. 16 hex digits of their SHA-256.
     */
    static String conversationKey(List<ChatMessage> messages) {
        String system = messages.stream().filter(SystemMessage.class::isInstance).map(m -> ((SystemMessage) m).text()).findFirst().orElse("");
        String first = messages.stream().filter(UserMessage.class::isInstance).map(m -> ((UserMessage) m).singleText()).findFirst().orElse("");
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest((system + "\u0000" + first).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        lastServed.clear();
    }

    /** A server's answer stopped mid-stream (the server died or the connection broke): a server failure, as an I/O error is. */
    public static final class ModelServerCutException extends UncheckedIOException {
        ModelServerCutException(String message) {
            super(message, new IOException(message));
        }
    }

    /** Every model server is down: nothing can answer now. */
    public static final class NoModelServerException extends RuntimeException {
        NoModelServerException(String message) {
            super(message);
        }
    }
}
