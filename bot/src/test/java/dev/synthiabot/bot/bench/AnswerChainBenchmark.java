package dev.synthiabot.bot.bench;

import dev.synthiabot.adapter.SynthiaChatModel;
import dev.synthiabot.adapter.bench.RandomQ4ModelWriter;
import dev.synthiabot.bot.answer.AnswerChain;
import dev.synthiabot.bot.answer.ChatRequests;
import dev.synthiabot.config.SettingKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What the answer-then-translate chain costs against a direct answer, on the same model in one JVM: a question
 * answered directly (one chat request) and answered then translated (two: the answer, then its translation with the
 * translation prompt), alternating, each answer and translation {@code --generate} tokens (stop sequences off).
 * Default model: SynthIA-7B's exact shape in Q4 with random weights. Prints wall times and the ratio; asserts nothing.
 * Run with {@code scripts/benchmark-chain}.
 */
public final class AnswerChainBenchmark {
    private AnswerChainBenchmark() {}

    public static void main(String[] args) throws Exception {
        int generate = intArg(args, "--generate", 64);
        int repeat = intArg(args, "--repeat", 3);
        int layers = intArg(args, "--layers", 32);
        RandomQ4ModelWriter.Shape s7b = RandomQ4ModelWriter.Shape.SYNTHIA_7B;
        RandomQ4ModelWriter.Shape shape = new RandomQ4ModelWriter.Shape(s7b.hidden(), s7b.intermediate(), layers, s7b.heads(), s7b.kvHeads(), s7b.vocab());
        Path root = Path.of("models/bench").toAbsolutePath();
        Path dir = RandomQ4ModelWriter.benchmarkModel(shape, root);
        System.out.printf("Model: %s (%.2f B parameters, random weights, Q4); %d tokens per answer and per translation; %d runs each after a "
            + "warm-up, alternating%n", dir.getFileName(), shape.parameters() / 1e9, generate, repeat);

        SynthiaChatModel model = SynthiaChatModel.builder().modelPath(dir).quantize(true).cacheDir(root.resolve("cache")).maxOutputTokens(generate)
            .stopSequences(List.of()).maxConcurrent(1).build();
        try (model) {
            System.out.println("Forward pass: " + model.status().forwardPass());
            AnswerChain chain = new AnswerChain(model);
            List<Double> direct = new ArrayList<>();
            List<Double> chained = new ArrayList<>();
            List<double[]> steps = new ArrayList<>();
            for (int i = 0; i <= repeat; i++) {
                // A new question each time: neither the answer's nor the translation's prompt comes from the KV cache.
                String question = "京都はどこにありますか？ 質問 " + i;
                double d = run(chain, question + " (direct)", Optional.empty(), null);
                double[] split = new double[4];
                double c = run(chain, question + " (chained)", Optional.of(SettingKey.TRANSLATE_JA), split);
                if (i == 0) continue; // warm-up
                direct.add(d);
                chained.add(c);
                steps.add(split);
                System.out.printf("run %d: direct %.1f s, answered then translated %.1f s (answer: prompt %.1f + decode %.1f s; translation: prompt %.1f + decode %.1f s)%n",
                    i, d, c, split[0], split[1], split[2], split[3]);
            }
            double dm = mean(direct);
            double cm = mean(chained);
            System.out.printf("direct %.1f ± %.1f s, answered then translated %.1f ± %.1f s: %.2fx%n", dm, sd(direct), cm, sd(chained), cm / dm);
        }
    }

    /** One answer through the chain; its wall time in seconds, and (if {@code split}) each step's prompt and decode seconds. */
    private static double run(AnswerChain chain, String question, Optional<String> translation, double[] split) throws Exception {
        long t0 = System.nanoTime();
        AnswerChain.Result r = chain.run(ChatRequests.of(SettingKey.TREE_OF_THOUGHTS, question), translation,
            new AnswerChain.Listener(piece -> {}, piece -> {}), () -> false, Duration.ofMinutes(30));
        double wall = (System.nanoTime() - t0) / 1e9;
        if (split != null) {
            split[0] = r.answer().promptNanos() / 1e9;
            split[1] = r.answer().decodeNanos() / 1e9;
            split[2] = r.translation().map(AnswerChain.Step::promptNanos).orElse(0L) / 1e9;
            split[3] = r.translation().map(AnswerChain.Step::decodeNanos).orElse(0L) / 1e9;
        }
        return wall;
    }

    private static int intArg(String[] args, String name, int def) {
        for (int i = 0; i + 1 < args.length; i++) if (args[i].equals(name)) return Integer.parseInt(args[i + 1]);
        return def;
    }

    private static double mean(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).average().orElse(0);
    }

    private static double sd(List<Double> xs) {
        double m = mean(xs);
        return Math.sqrt(xs.stream().mapToDouble(x -> (x - m) * (x - m)).sum() / Math.max(1, xs.size() - 1));
    }
}
