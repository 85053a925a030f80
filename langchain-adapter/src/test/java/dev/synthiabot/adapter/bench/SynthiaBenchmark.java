package dev.synthiabot.adapter.bench;

import dev.synthiabot.adapter.Internals;
import dev.synthiabot.adapter.SynthiaChatModel;
import dev.synthiabot.adapter.generation.GenerationListener;
import dev.synthiabot.adapter.generation.GenerationResult;
import dev.synthiabot.adapter.generation.SamplingParams;
import dev.synthiabot.adapter.kernels.ForwardProfile;
import dev.synthiabot.adapter.prompt.Transcript;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * Speed of the adapter on a random-weight model of any shape (default: SynthIA-7B's exact shape, Q4),
 * loaded through the same code path as a real model. Prints figures; asserts nothing.
 *
 * <pre>scripts/benchmark [--hidden 4096] [--intermediate 14336] [--layers 32] [--heads 32] [--kv-heads 8]
 *   [--vocab 32000] [--prompt 128] [--generate 64] [--threads N] [--dir models/bench] [--kernels synthia|jlama|both]
 *   [--activations q8|f32] [--kv-cache bf16|f32] [--decode-at 0,1024,4000] [--concurrent 1,2,4,8] [--concurrent-only model] [--repeat 3]
 *   [--profile on]</pre>
 *
 * <p>The prompt and decode figures are measured as llama-bench measures them: one warm-up run, then {@code --repeat}
 * runs, each from a cold KV cache; mean ± standard deviation.
 *
 * <p>{@code --decode-at} times single-token forward passes at the given positions on a fresh KV cache: the cost of
 * attending over that many cached positions (the cached values are zeros; attention's cost does not depend on them).
 * {@code --concurrent} runs {@link ConcurrentBenchmark} for those numbers of answers at once. {@code --profile on}
 * prints where the measured runs' forward passes spent their time ({@link ForwardProfile}).
 */
public final class SynthiaBenchmark {

    public static void main(String[] args) throws Exception {
        Map<String, String> o = parse(args);
        RandomQ4ModelWriter.Shape shape = new RandomQ4ModelWriter.Shape(
            i(o, "hidden", 4096), i(o, "intermediate", 14336), i(o, "layers", 32), i(o, "heads", 32), i(o, "kv-heads", 8), i(o, "vocab", 32000));
        int promptTokens = i(o, "prompt", 128);
        int generate = i(o, "generate", 64);
        Path root = Path.of(o.getOrDefault("dir", "models/bench"));
        Path dir = root.resolve("random-" + shape.hidden() + "x" + shape.intermediate() + "x" + shape.layers() + "-h" + shape.heads()
            + "-kv" + shape.kvHeads() + "-v" + shape.vocab() + "-Q4");

        System.out.printf("Model shape: %s (%.2f B parameters)%n", shape, shape.parameters() / 1e9);
        if (!Files.exists(dir.resolve("model.safetensors"))) {
            Files.createDirectories(root);
            long need = shape.q4Bytes();
            long free = Files.getFileStore(root).getUsableSpace();
            System.out.printf("Writing a random Q4 model to %s: needs %.2f GB of disk, %.2f GB free%n", dir, need / 1e9, free / 1e9);
            if (free < need * 1.05) throw new IOException("Not enough disk space in " + root + " for the benchmark model");
            long t0 = System.nanoTime();
            RandomQ4ModelWriter.write(shape, dir, tokenizer(), 42);
            System.out.printf("Written in %.1f s%n", (System.nanoTime() - t0) / 1e9);
        } else {
            System.out.printf("Reusing the benchmark model in %s (%.2f GB)%n", dir, Files.size(dir.resolve("model.safetensors")) / 1e9);
        }

        if ("on".equals(o.get("profile"))) ForwardProfile.enable();
        String which = o.getOrDefault("kernels", "synthia");
        List<SynthiaChatModel.Kernels> runs = switch (which) {
            case "both" -> List.of(SynthiaChatModel.Kernels.SYNTHIA, SynthiaChatModel.Kernels.JLAMA);
            case "jlama" -> List.of(SynthiaChatModel.Kernels.JLAMA);
            default -> List.of(SynthiaChatModel.Kernels.SYNTHIA);
        };
        List<double[]> results = new java.util.ArrayList<>();
        for (SynthiaChatModel.Kernels kernels : runs) {
            results.add(run(dir, root, kernels, o, promptTokens, generate));
        }
        if (results.size() == 2) {
            System.out.println();
            System.out.printf("ours / Jlama: prompt %.1fx (%.2f vs %.2f tokens/s), decode %.1fx (%.2f vs %.2f tokens/s)%n",
                results.get(0)[0] / results.get(1)[0], results.get(0)[0], results.get(1)[0],
                results.get(0)[1] / results.get(1)[1], results.get(0)[1], results.get(1)[1]);
        }
    }

    /** One load + first turn + follow-up with the given kernels; returns {prompt tokens/s, decode tokens/s}. */
    private static double[] run(Path dir, Path root, SynthiaChatModel.Kernels kernels, Map<String, String> o, int promptTokens, int generate)
        throws Exception {
        SynthiaChatModel.Builder b = SynthiaChatModel.builder().modelPath(dir).quantize(true).cacheDir(root.resolve("cache"))
            .maxOutputTokens(generate).seed(1L).stopSequences(List.of()).kernels(kernels);
        if (o.containsKey("threads")) b.threads(Integer.parseInt(o.get("threads")));
        List<Integer> concurrent = o.containsKey("concurrent")
            ? java.util.Arrays.stream(o.get("concurrent").split(",")).map(String::trim).map(Integer::valueOf).toList() : List.of();
        if (!concurrent.isEmpty()) b.maxConcurrent(concurrent.stream().mapToInt(Integer::intValue).max().getAsInt());
        if (o.containsKey("activations")) {
            b.activations(SynthiaChatModel.Activations.valueOf(o.get("activations").toUpperCase(java.util.Locale.ROOT)));
        }
        if (o.containsKey("kv-cache")) {
            b.kvCachePrecision(SynthiaChatModel.KvCachePrecision.valueOf(o.get("kv-cache").toUpperCase(java.util.Locale.ROOT)));
        }
        long t0 = System.nanoTime();
        try (SynthiaChatModel model = b.build()) {
            double loadS = (System.nanoTime() - t0) / 1e9;
            String user = userMessageOf(model, promptTokens);
            Transcript first = Transcript.of("You are a benchmark.", user);
            // Random weights rarely produce EOS; stop sequences are off so the answer has the full length.
            SamplingParams sampling = new SamplingParams(0.75, 50, 1.0, OptionalLong.of(1), generate, List.of());
            // As llama-bench: one warm-up run (the JIT's last compilations at full size), then repetitions, each
            // from a cold KV cache, reported as mean ± standard deviation.
            int repeat = i(o, "repeat", 3);
            GenerationResult r1 = null;
            double[] prompt = new double[repeat], decode = new double[repeat];
            for (int k = -1; k < repeat; k++) {
                if (k == 0) ForwardProfile.reset();
                Internals.engine(model).kvCache().clear();
                r1 = Internals.engine(model).generate(first, sampling, GenerationListener.NONE);
                if (k < 0) continue;
                prompt[k] = r1.processedPromptTokens() / (r1.promptNanos() / 1e9);
                decode[k] = Math.max(1, r1.generatedTokens() - 1) / (r1.decodeNanos() / 1e9);
            }
            String profile = ForwardProfile.enabled() ? ForwardProfile.report() : null;

            Transcript second = new Transcript(Optional.of("You are a benchmark."),
                List.of(new Transcript.Exchange(user, r1.answer())), "Please continue the answer.");
            GenerationResult r2 = Internals.engine(model).generate(second, new SamplingParams(0.75, 50, 1.0, OptionalLong.of(2), 8, List.of()),
                GenerationListener.NONE);

            System.out.println();
            System.out.println("== synthia-bot adapter benchmark ==");
            System.out.printf("forward pass        : %s%n", Internals.engine(model).transformer().describe());
            System.out.printf("load time           : %.2f s%n", loadS);
            System.out.printf("prompt              : %d tokens: %s tokens/s (%s)%n", r1.processedPromptTokens(), meanSd(prompt), list(prompt));
            System.out.printf("time to first token : %.2f s (last run)%n", r1.firstTokenNanos() / 1e9);
            System.out.printf("decode              : %d tokens: %s tokens/s (%s; %s)%n", r1.generatedTokens(), meanSd(decode), list(decode), r1.finish());
            System.out.printf("follow-up turn      : prompt %d tokens, %d reused from the KV cache, %d processed in %.2f s%n",
                r2.promptTokens(), r2.reusedTokens(), r2.processedPromptTokens(), r2.promptNanos() / 1e9);
            System.out.printf("KV cache            : %d conversations, %.1f MB%n", Internals.engine(model).kvCache().conversations(),
                Internals.engine(model).kvCache().usedBytes() / 1e6);
            if (profile != null) System.out.print("profile of the measured runs (prompt and decode):\n" + profile);
            if (o.containsKey("decode-at")) decodeAt(model, o.get("decode-at"));
            if (!concurrent.isEmpty()) {
                Map<Integer, String> users = new HashMap<>();
                ConcurrentBenchmark.run(model, concurrent, promptTokens, generate, n -> users.computeIfAbsent(n, k -> userMessageOf(model, k)),
                    !"model".equals(o.get("concurrent-only")));
            }
            System.out.printf("peak RSS            : %s%n", peakRss());
            return new double[] {mean(prompt), mean(decode)};
        }
    }

    /** Decode speed with {@code p} positions already in the KV cache, for each p of a comma-separated list. */
    private static void decodeAt(SynthiaChatModel model, String positions) {
        var transformer = Internals.engine(model).transformer();
        for (String item : positions.split(",")) {
            int p = Integer.parseInt(item.trim());
            var state = transformer.newState();
            try {
                transformer.forward(new int[] {5}, p, state); // grows the cache to p + 1 positions
                int n = 8;
                long t0 = System.nanoTime();
                for (int i = 1; i <= n; i++) transformer.forward(new int[] {100 + i}, p + i, state);
                double ms = (System.nanoTime() - t0) / 1e6 / n;
                System.out.printf("decode at position %-5d: %.1f ms per token = %.2f tokens/s%n", p, ms, 1000 / ms);
            } finally {
                state.close();
            }
        }
    }

    /**
     * A user message that makes the whole first prompt {@code tokens} tokens long (or one short, where a word
     * is two tokens): a binary search over the number of words, since Jlama's tokenizer takes time quadratic
     * in the text's length (seconds for a few thousand characters).
     */
    private static String userMessageOf(SynthiaChatModel model, int tokens) {
        int lo = 1, hi = Math.max(2, tokens); // each word is at least one token
        while (lo < hi) {
            int mid = (lo + hi + 1) / 2;
            if (promptTokens(model, words(mid)) <= tokens) lo = mid; else hi = mid - 1;
        }
        return words(lo);
    }

    private static int promptTokens(SynthiaChatModel model, String user) {
        return Internals.engine(model).encoder().encode(Transcript.of("You are a benchmark.", user)).length;
    }

    private static String words(int n) {
        String[] words = {"the", "river", "quantum", "bread", "mountain", "silver", "code", "garden", "echo", "lantern"};
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) sb.append(i == 0 ? "" : " ").append(words[i % words.length]);
        return sb.toString();
    }

    private static double mean(double[] v) {
        return java.util.Arrays.stream(v).average().orElse(Double.NaN);
    }

    private static String meanSd(double[] v) {
        double m = mean(v), ss = 0;
        for (double x : v) ss += (x - m) * (x - m);
        return String.format("%.2f ± %.2f", m, v.length > 1 ? Math.sqrt(ss / (v.length - 1)) : 0);
    }

    private static String list(double[] v) {
        return java.util.Arrays.stream(v).mapToObj(x -> String.format("%.2f", x)).collect(java.util.stream.Collectors.joining(", "));
    }

    private static String peakRss() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.exists(status)) return "unknown (no /proc)";
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmHWM:")) {
                long kb = Long.parseLong(line.replaceAll("\\D", ""));
                return String.format("%.2f GB", kb / 1e6);
            }
        }
        return "unknown";
    }

    private static Path tokenizer() throws URISyntaxException {
        return Path.of(SynthiaBenchmark.class.getResource("/models/tiny-mistral-a/tokenizer.json").toURI());
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
