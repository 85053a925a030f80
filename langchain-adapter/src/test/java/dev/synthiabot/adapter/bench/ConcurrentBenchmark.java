package dev.synthiabot.adapter.bench;

import dev.synthiabot.adapter.Internals;
import dev.synthiabot.adapter.SynthiaChatModel;
import dev.synthiabot.adapter.generation.GenerationListener;
import dev.synthiabot.adapter.generation.GenerationResult;
import dev.synthiabot.adapter.generation.SamplingParams;
import dev.synthiabot.adapter.kernels.ForwardProfile;
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
 *   <li>The engine, as the bot uses it: B callers ask at once (each its own prompt; the prompts join the batch one
 *       chunk at a time): the round's wall time, the tokens per second of all answers together while all of them are
 *       generating (from the times their text pieces arrived, about one per token), and how long the last caller
 *       waited for its first token; then, while B - 1 answers stream, one more request arrives: its time to first
 *       token, and the longest pause its prompt caused the streaming answers.
 * </ol>
 */
final class ConcurrentBenchmark {
    private ConcurrentBenchmark() {}

    static void run(SynthiaChatModel model, List<Integer> batchSizes, int promptTokens, int generate, IntFunction<String> userOfLength, boolean engine)
        throws Exception {
        Transformer transformer = Internals.engine(model).transformer();
        System.out.println();
        System.out.printf("== model: B conversations of %d prompt + %d generated tokens (as llama-batched-bench) ==%n", promptTokens, generate);
        System.out.println("|    B |   T_PP s | S_PP t/s |   T_TG s | S_TG t/s | per answer t/s |");
        ForwardProfile.reset();
        for (int b : batchSizes) {
            List<Transformer.State> states = new ArrayList<>();
            List<int[]> prompts = new ArrayList<>();
            for (int i = 0; i < b; i++) {
                states.add(transformer.newState());
                prompts.add(Internals.engine(model).encoder().encode(Transcript.of("Conversation " + i + ".", userOfLength.apply(promptTokens))));
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

        if (ForwardProfile.enabled()) System.out.print("profile of the model's passes (prompt chunks; B tokens of decode):\n" + ForwardProfile.report());
        if (!engine) return;
        System.out.println();
        System.out.printf("== engine: B callers at once, %d prompt + %d generated tokens each (the bot's path; up to %d together) ==%n",
            promptTokens, generate, Internals.engine(model).maxConcurrent());
        System.out.println("all decoding: tokens/s of all answers while every one of them is past its prompt; first token: the last");
        System.out.println("caller's wait; late request: one more arrives while B - 1 answers stream: its first token, and the");
        System.out.println("longest pause between two tokens of the streaming answers while its prompt is computed");
        System.out.println("|    B | round s | all decoding t/s | last first token s | late request: first token s | pause of the others s |");
        ExecutorService callers = Executors.newCachedThreadPool();
        try {
            int round = 0;
            for (int b : batchSizes) {
                round++;
                List<Caller> all = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int i = 0; i < b; i++) all.add(new Caller(model, callers, "Round " + round + ", caller " + i + ".", userOfLength.apply(promptTokens), generate));
                for (Caller c : all) c.result.get();
                double wall = (System.nanoTime() - t0) / 1e9;
                long from = all.stream().mapToLong(c -> c.times.get(0)).max().orElseThrow();
                long to = all.stream().mapToLong(c -> c.times.get(c.times.size() - 1)).min().orElseThrow();
                long inWindow = all.stream().mapToLong(c -> c.times.stream().filter(t -> t > from && t <= to).count()).sum();
                String steady = to > from ? String.format(java.util.Locale.ROOT, "%.2f", inWindow / ((to - from) / 1e9)) : "-";
                double lastFirst = (from - t0) / 1e9;
                String late = "-", pause = "-";
                if (b > 1) {
                    List<Caller> streaming = new ArrayList<>();
                    for (int i = 0; i < b - 1; i++) {
                        streaming.add(new Caller(model, callers, "Round " + round + ", streaming " + i + ".", userOfLength.apply(promptTokens), 4 * generate));
                    }
                    for (Caller c : streaming) c.first.await(10, java.util.concurrent.TimeUnit.MINUTES); // every one is streaming
                    Thread.sleep(1000);
                    long arrivedAt = System.nanoTime();
                    Caller arrived = new Caller(model, callers, "Round " + round + ", late.", userOfLength.apply(promptTokens), 4);
                    arrived.first.await(10, java.util.concurrent.TimeUnit.MINUTES);
                    long firstToken = arrived.times.get(0);
                    long longest = 0;
                    for (Caller c : streaming) {
                        List<Long> ts = new ArrayList<>(c.times);
                        long prev = arrivedAt;
                        for (long t : ts) {
                            if (t <= arrivedAt) continue;
                            longest = Math.max(longest, Math.min(t, firstToken) - prev);
                            prev = t;
                            if (t >= firstToken) break;
                        }
                    }
                    for (Caller c : streaming) c.result.get();
                    arrived.result.get();
                    late = String.format(java.util.Locale.ROOT, "%.2f", (firstToken - arrivedAt) / 1e9);
                    pause = String.format(java.util.Locale.ROOT, "%.2f", longest / 1e9);
                }
                System.out.printf("| %4d | %7.1f | %16s | %18.1f | %27s | %21s |%n", b, wall, steady, lastFirst, late, pause);
            }
        } finally {
            callers.shutdownNow();
        }
    }

    /** One caller of the engine: the times its text pieces arrived, a latch on the first, and its result. */
    private static final class Caller {
        final List<Long> times = new java.util.concurrent.CopyOnWriteArrayList<>();
        final java.util.concurrent.CountDownLatch first = new java.util.concurrent.CountDownLatch(1);
        final CompletableFuture<GenerationResult> result;

        Caller(SynthiaChatModel model, ExecutorService callers, String system, String user, int tokens) {
            Transcript t = new Transcript(Optional.of(system), List.of(), user);
            // Random weights rarely produce EOS; stop sequences are off so every answer has the full length.
            SamplingParams sampling = new SamplingParams(0.75, 50, 1.0, OptionalLong.of(system.hashCode()), tokens, List.of());
            GenerationListener listener = piece -> {
                times.add(System.nanoTime());
                first.countDown();
            };
            result = CompletableFuture.supplyAsync(() -> Internals.engine(model).generate(t, sampling, listener), callers);
        }
    }
}
