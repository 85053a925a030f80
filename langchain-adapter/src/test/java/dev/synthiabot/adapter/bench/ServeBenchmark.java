package dev.synthiabot.adapter.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.synthiabot.adapter.SynthiaChatModel;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * {@code scripts/benchmark-serve}: N clients at once through {@code synthia-bot serve} (HTTP, streamed, as the bot's
 * {@code model.provider: openai} asks) against the same N callers of the in-process {@link SynthiaChatModel} (its
 * LangChain4j streaming API, the call {@code serve} itself makes), on the same random-weight model with the same
 * settings. Prints figures; asserts nothing.
 *
 * <pre>scripts/benchmark-serve [--hidden 1024] [--intermediate 4096] [--layers 16] [--heads 16] [--kv-heads 4] [--vocab 32000]
 *   [--prompt 96] [--generate 64] [--concurrent 1,2,4] [--repeat 5] [--dir models/bench]</pre>
 *
 * <p>Default model: the process tests' slow model, SynthIA's architecture (Mistral: GQA, SwiGLU, its tokenizer) at a
 * small size (1024 hidden, 16 layers, ~0.3 B parameters, Q4). {@code --prompt} is a number of words of the user message
 * (about one token each; the prompt tokens are reported). Each round's callers get prompts no earlier round had (no KV
 * cache reuse), both paths the same ones. A warm-up round of each N per path first. Per N: the round's wall time
 * (first call to last answer), generated tokens of all answers / that time (aggregate tokens/s), and the mean time to
 * first token (from the call to the first piece of text). Both are loaded at once but only one answers at a time, and
 * their runs alternate, so that the machine's changing load (other processes) affects both alike.
 */
public final class ServeBenchmark {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path ROOT = Path.of("").toAbsolutePath();

    record Round(int n, double wallSeconds, long tokens, double meanTtftSeconds, int promptTokens) {
        double tokensPerSecond() {
            return tokens / wallSeconds;
        }
    }

    /** One caller's result: generated tokens, time to first text, prompt tokens. */
    record Call(long tokens, long ttftNanos, int promptTokens) {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = parse(args);
        RandomQ4ModelWriter.Shape shape = new RandomQ4ModelWriter.Shape(i(o, "hidden", 1024), i(o, "intermediate", 4096), i(o, "layers", 16),
            i(o, "heads", 16), i(o, "kv-heads", 4), i(o, "vocab", 32000));
        int promptWords = i(o, "prompt", 96);
        int generate = i(o, "generate", 64);
        int repeat = i(o, "repeat", 5);
        List<Integer> concurrent = java.util.Arrays.stream(o.getOrDefault("concurrent", "1,2,4").split(",")).map(String::trim).map(Integer::valueOf).toList();
        int maxN = concurrent.stream().mapToInt(Integer::intValue).max().orElseThrow();
        Path root = Path.of(o.getOrDefault("dir", "models/bench")).toAbsolutePath();
        Path dir = RandomQ4ModelWriter.benchmarkModel(shape, root);
        System.out.printf("Model: %s, %s (%.2f B parameters, random weights, Q4)%n", dir.getFileName(), shape, shape.parameters() / 1e9);
        System.out.printf("Each answer: ~%d-word user message, %d generated tokens (stop sequences off), sampling 0.75 / top-k 50; %s at once; "
            + "%d run(s) per N after a warm-up; model.max_concurrent %d%n", promptWords, generate, concurrent, repeat, maxN);

        Prompts prompts = new Prompts(promptWords);
        Map<Integer, List<Round>> local = new LinkedHashMap<>();
        Map<Integer, List<Round>> http = new LinkedHashMap<>();

        // The in-process model and serve are both loaded; only one of them answers at a time. The runs alternate
        // (in-process, serve, serve, in-process, ...) so that a change in the machine's load affects both alike.
        SynthiaChatModel.Builder b = SynthiaChatModel.builder().modelPath(dir).quantize(true).cacheDir(root.resolve("cache"))
            .activations(SynthiaChatModel.Activations.Q8).contextWindow(4096).kvCacheBytes(512L << 20).maxConcurrent(maxN)
            .kvCachePrecision(SynthiaChatModel.KvCachePrecision.BF16).temperature(0.75).topK(50).topP(1.0).maxOutputTokens(generate)
            .stopSequences(List.of());
        ExecutorService callers = Executors.newCachedThreadPool();
        Path work = Files.createTempDirectory("benchmark-serve");
        int port = freePort();
        Path config = work.resolve("serve.yaml");
        Files.writeString(config, String.join("\n",
            "model:",
            "  local_path: \"" + dir + "\"",
            "  cache_dir: \"" + root.resolve("cache") + "\"",
            "  max_concurrent: " + maxN,
            "  kv_cache_mb: 512",
            "generation:",
            "  max_new_tokens: " + generate,
            "server:",
            "  queue_capacity: 64",
            ""));
        Process serve = null;
        try (SynthiaChatModel model = b.build()) {
            Caller inProcess = (system, user) -> callModel(model, system, user, generate);
            serve = new ProcessBuilder(ROOT.resolve("scripts/run-bot").toString(), "serve", "--config", config.toString(), "--port",
                Integer.toString(port)).redirectErrorStream(true).start();
            awaitReady(serve, Duration.ofMinutes(5));
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            String modelId = dir.getFileName().toString().toLowerCase(Locale.ROOT);
            URI uri = URI.create("http://127.0.0.1:" + port + "/v1/chat/completions");
            Caller overHttp = (system, user) -> callHttp(client, uri, modelId, system, user, generate);

            // Warm-up: a round of each N on each path (the JIT compiles the batched paths too). Then the same prompts for
            // both paths, never seen before by either.
            for (int n : concurrent) {
                round(inProcess, callers, prompts.next(n), n);
                round(overHttp, callers, prompts.next(n), n);
            }
            for (int r = 0; r < repeat; r++) {
                for (int n : concurrent) {
                    List<String[]> p = prompts.next(n);
                    boolean localFirst = (r + n) % 2 == 0;
                    for (int k = 0; k < 2; k++) {
                        if ((k == 0) == localFirst) {
                            local.computeIfAbsent(n, x -> new ArrayList<>()).add(round(inProcess, callers, p, n));
                        } else {
                            http.computeIfAbsent(n, x -> new ArrayList<>()).add(round(overHttp, callers, p, n));
                        }
                    }
                }
            }
        } finally {
            callers.shutdownNow();
            if (serve != null) {
                serve.toHandle().destroy(); // SIGTERM: serve drains and exits 0
                if (!serve.waitFor(60, TimeUnit.SECONDS)) serve.destroyForcibly();
            }
        }

        System.out.println();
        System.out.println("== N clients at once: in-process SynthiaChatModel vs through serve (HTTP, streamed) ==");
        System.out.println("|  N | in-process t/s | serve t/s | t/s overhead | in-process TTFT s | serve TTFT s | TTFT overhead | prompt tokens |");
        System.out.println("|---:|---:|---:|---:|---:|---:|---:|---:|");
        for (int n : concurrent) {
            double lt = mean(local.get(n), Round::tokensPerSecond), ht = mean(http.get(n), Round::tokensPerSecond);
            double lf = mean(local.get(n), Round::meanTtftSeconds), hf = mean(http.get(n), Round::meanTtftSeconds);
            System.out.printf(Locale.ROOT, "| %2d | %14.1f | %9.1f | %11.1f%% | %17.3f | %12.3f | %12.1f%% | %13d |%n", n, lt, ht, (lt - ht) / lt * 100, lf, hf,
                (hf - lf) / lf * 100, local.get(n).get(0).promptTokens());
        }
        System.out.println("(the prompt: the user message as the model's chat template wraps it, with the system prompt)");
        System.out.println("t/s: generated tokens of all N answers / the round's wall time (mean of the runs); TTFT: mean over the answers of the runs;");
        System.out.println("overhead: how much lower the aggregate tokens/s through serve is, and how much longer its time to first token, in %.");
        System.out.println();
        System.out.println("Every run:");
        for (int n : concurrent) {
            System.out.printf(Locale.ROOT, "  N=%d in-process: %s%n  N=%d serve     : %s%n", n, runs(local.get(n)), n, runs(http.get(n)));
        }
    }

    @FunctionalInterface
    interface Caller {
        Call call(String system, String user) throws Exception;
    }

    /** N callers at once, each with its own prompt; the round's wall time and its answers' figures. */
    static Round round(Caller caller, ExecutorService pool, List<String[]> prompts, int n) throws Exception {
        long t0 = System.nanoTime();
        List<CompletableFuture<Call>> calls = new ArrayList<>();
        for (String[] p : prompts) {
            calls.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return caller.call(p[0], p[1]);
                } catch (Exception e) {
                    throw new java.util.concurrent.CompletionException(e);
                }
            }, pool));
        }
        List<Call> done = new ArrayList<>();
        for (CompletableFuture<Call> c : calls) done.add(c.get(10, TimeUnit.MINUTES));
        double wall = (System.nanoTime() - t0) / 1e9;
        return new Round(n, wall, done.stream().mapToLong(Call::tokens).sum(), done.stream().mapToLong(Call::ttftNanos).average().orElseThrow() / 1e9,
            (int) done.stream().mapToInt(Call::promptTokens).average().orElseThrow());
    }

    /** The in-process path: SynthiaChatModel's streaming chat. */
    static Call callModel(SynthiaChatModel model, String system, String user, int generate) throws Exception {
        long t0 = System.nanoTime();
        long[] first = {0};
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        ChatRequest request = ChatRequest.builder().messages(SystemMessage.from(system), UserMessage.from(user))
            .parameters(ChatRequestParameters.builder().maxOutputTokens(generate).build()).build();
        model.chat(request, new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String text) {
                if (first[0] == 0 && !text.isEmpty()) first[0] = System.nanoTime();
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse r = done.get(10, TimeUnit.MINUTES);
        return new Call(r.tokenUsage().outputTokenCount(), first[0] - t0, r.tokenUsage().inputTokenCount());
    }

    /** The HTTP path: one streamed chat completion, its usage from the last chunk. */
    static Call callHttp(HttpClient client, URI uri, String modelId, String system, String user, int generate) throws Exception {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", modelId);
        body.putArray("messages").add(JSON.createObjectNode().put("role", "system").put("content", system))
            .add(JSON.createObjectNode().put("role", "user").put("content", user));
        body.put("max_tokens", generate);
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        long t0 = System.nanoTime();
        HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(uri).header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) throw new IOException("serve answered " + r.statusCode() + ": " + new String(r.body().readAllBytes(), StandardCharsets.UTF_8));
        long first = 0;
        JsonNode usage = null;
        try (BufferedReader in = new BufferedReader(new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
            for (String line; (line = in.readLine()) != null; ) {
                if (!line.startsWith("data:")) continue;
                String data = line.substring(5).strip();
                if (data.equals("[DONE]")) break;
                JsonNode chunk = JSON.readTree(data);
                if (first == 0 && !chunk.path("choices").path(0).path("delta").path("content").asText("").isEmpty()) first = System.nanoTime();
                if (chunk.hasNonNull("usage")) usage = chunk.get("usage");
            }
        }
        if (usage == null) throw new IOException("no usage chunk");
        return new Call(usage.path("completion_tokens").asLong(), first - t0, usage.path("prompt_tokens").asInt());
    }

    /** Prompts no round has used: a system prompt and a user message of about {@code words} words each. */
    static final class Prompts {
        private final int words;
        private int next;

        Prompts(int words) {
            this.words = words;
        }

        List<String[]> next(int n) {
            List<String[]> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                int k = next++;
                out.add(new String[] {"Conversation " + k + ". You are a helpful assistant.", words(k, words)});
            }
            return out;
        }

        private static String words(int seed, int n) {
            String[] w = {"the", "river", "quantum", "bread", "mountain", "silver", "code", "garden", "echo", "lantern", "cloud", "stone"};
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : " ").append(w[(i * 7 + seed * 5) % w.length]);
            return sb.toString();
        }
    }

    private static void awaitReady(Process serve, Duration timeout) throws Exception {
        CompletableFuture<Void> ready = new CompletableFuture<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(serve.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = in.readLine()) != null; ) {
                    if (line.contains("OpenAI-compatible API ready") || line.contains("Forward pass:") || line.contains("ERROR") || line.contains("error:")) {
                        System.out.println("[serve] " + line);
                    }
                    if (line.contains("OpenAI-compatible API ready")) ready.complete(null);
                }
            } catch (IOException e) {
                // the process ended
            }
            ready.completeExceptionally(new IOException("serve ended before it was ready"));
        }, "serve-output");
        reader.setDaemon(true);
        reader.start();
        ready.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static double mean(List<Round> rounds, java.util.function.ToDoubleFunction<Round> f) {
        return rounds.stream().mapToDouble(f).average().orElse(Double.NaN);
    }

    private static String runs(List<Round> rounds) {
        return String.join("; ", rounds.stream().map(r -> String.format(Locale.ROOT, "%.2f s, %d tokens, %.1f t/s, TTFT %.3f s", r.wallSeconds(), r.tokens(),
            r.tokensPerSecond(), r.meanTtftSeconds())).toList());
    }

    private static Map<String, String> parse(String[] args) {
        Map<String, String> m = new HashMap<>();
        for (int k = 0; k < args.length; k++) {
            if (!args[k].startsWith("--") || k + 1 >= args.length) throw new IllegalArgumentException("Usage: --name value ... (bad: " + args[k] + ")");
            m.put(args[k].substring(2), args[++k]);
        }
        return m;
    }

    private static int i(Map<String, String> o, String key, int def) {
        return o.containsKey(key) ? Integer.parseInt(o.get(key)) : def;
    }
}
