package dev.synthiabot.adapter.bench;

import dev.synthiabot.adapter.SynthiaChatModel;
import dev.synthiabot.adapter.generation.GenerationListener;
import dev.synthiabot.adapter.generation.GenerationResult;
import dev.synthiabot.adapter.generation.SamplingParams;
import dev.synthiabot.adapter.prompt.Transcript;
import dev.synthiabot.adapter.transformer.Transformer;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.IntFunction;

/**
 * {@code scripts/benchmark --concurrent 1,2,4,8}: several answers at once. Prints figures; asserts nothing.
 *
 * <ol>
 *   <li>The model, as llama.cpp's {@code llama-batched-bench -npp 128 -ntg 32} measures it: B conversations each
 *       get a prompt of {@code --prompt} tokens, then {@code --generate} steps decode one token of each in one pass;
 *       S_PP and S_TG are the aggregate prompt and decode tokens/s.
 *   <li>The engine, as the bot uses it: B callers ask at once (each its own prompt), each answer's own decode tokens/s
 *       and the round's wall time; then, while B - 1 answers stream, one more request arrives: its time to first token,
 *       and the longest pause its prompt caused the streaming answers.
 * </ol>
 */
final class ConcurrentBenchmark {
    private ConcurrentBenchmark() {}

    static void run(SynthiaChatModel model, List<Integer> batchSizes, int promptTokens, int generate, IntFunction<String> userOfLength) throws Exception {
        Transformer transformer = model.engine().transformer();
        System.out.println();
        System.out.printf("== model: B conversations of %d prompt + %d generated tokens (as llama-batched-bench) ==%n", promptTokens, generate);
        System.out.println("|    B |   T_PP s | S_PP t/s |   T_TG s | S_TG t/s | per answer t/s |");
        for (int b : batchSizes) {
            List<Transformer.State> states = new ArrayList<>();
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < b; i++) {
                states.add(transformer.newState());
                prompts.add(model.engine().encoder().encode(Transcript.of("Conversation " + i + ".", userOfLength.apply(promptTokens))));
            }
            try {
                long t0 = System.nanoTime();
                int[] next = new int[b];
                for (int i = 0; i < b; i++) { // each prompt in the engine's chunks of 32
                    int[] p = prompts.get(i);
                    for (int from = 0; from < p.length; from += 32) {
                        int[] chunk = java.util.Arrays.copyOfRange(p, from, Math.min(p.length, from + 32));
                        transformer.forward(chunk, from, states.get(i));
                    }
                    next[i] = 100 + i;
                }
                double pp = (System.nanoTime() - t0) / 1e9;
                int prompted = prompts.stream().mapToInt(p -> p.length).sum();
                long t1 = System.nanoTime();
                for (int step = 0; step < generate; step++) {
                    List<Transformer.Segment> segments = new ArrayList<>();
                    for (int i = 0; i < b; i++) {
                        segments.add(new Transformer.Segment(new int[] {next[i]}, prompts.get(i).length + step, states.get(i), true));
                    }
                    transformer.forward(segments);
                    for (int i = 0; i < b; i++) next[i] = 200 + (next[i] + 7 * step) % 1000;
                }
                double tg = (System.nanoTime() - t1) / 1e9;
                System.out.printf("| %4d | %8.2f | %8.2f | %8.2f | %8.2f | %14.2f |%n", b, pp, prompted / pp, tg, b * generate / tg, generate / tg);
            } finally {
                states.forEach(Transformer.State::close);
            }
        }

        System.out.println();
        System.out.printf("== engine: B callers at once, %d prompt + %d generated tokens each (the bot's path; up to %d together) ==%n",
            promptTokens, generate, model.engine().maxConcurrent());
        System.out.println("|    B | round s | aggregate t/s | per answer decode t/s (min-max) | late request: first token s | longest pause of the others s |");
        ExecutorService callers = Executors.newCachedThreadPool();
        try {
            int round = 0;
            for (int b : batchSizes) {
                round++;
                List<CompletableFuture<GenerationResult>> answers = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int i = 0; i < b; i++) answers.add(ask(model, callers, "Round " + round + ", caller " + i + ".", userOfLength.apply(promptTokens), generate));
                List<GenerationResult> results = new ArrayList<>();
                for (var f : answers) results.add(f.get());
                double wall = (System.nanoTime() - t0) / 1e9;
                int tokens = results.stream().mapToInt(GenerationResult::generatedTokens).sum();
                double min = Double.MAX_VALUE, max = 0;
                for (GenerationResult r : results) {
                    double rate = (r.generatedTokens() - 1) / (r.decodeNanos() / 1e9);
                    min = Math.min(min, rate);
                    max = Math.max(max, rate);
                }
                String late = "-", pause = "-";
                if (b > 1) {
                    // b - 1 long answers stream; then one more request arrives
                    List<CompletableFuture<GenerationResult>> streaming = new ArrayList<>();
                    for (int i = 0; i < b - 1; i++) {
                        streaming.add(ask(model, callers, "Round " + round + ", streaming " + i + ".", userOfLength.apply(promptTokens), 4 * generate));
                    }
                    while (model.engine().running() < b - 1) Thread.sleep(20);
                    Thread.sleep(3000); // all of them past their prompts
                    GenerationResult arrived = ask(model, callers, "Round " + round + ", late.", userOfLength.apply(promptTokens), 4).get();
                    long longest = 0;
                    for (var f : streaming) longest = Math.max(longest, f.get().longestGapNanos());
                    late = String.format(java.util.Locale.ROOT, "%.2f", arrived.firstTokenNanos() / 1e9);
                    pause = String.format(java.util.Locale.ROOT, "%.2f", longest / 1e9);
                }
                System.out.printf("| %4d | %7.1f | %13.2f | %14.2f - %-14.2f | %27s | %30s |%n", b, wall, tokens / wall, min, max, late, pause);
            }
        } finally {
            callers.shutdownNow();
        }
    }

    private static CompletableFuture<GenerationResult> ask(SynthiaChatModel model, ExecutorService callers, String system, String user, int tokens) {
        Transcript t = new Transcript(Optional.of(system), List.of(), user);
        // Random weights rarely produce EOS; stop sequences are off so every answer has the full length.
        SamplingParams sampling = new SamplingParams(0.75, 50, 1.0, OptionalLong.of(system.hashCode()), tokens, List.of());
        return CompletableFuture.supplyAsync(() -> model.engine().generate(t, sampling, GenerationListener.NONE), callers);
    }
}
