package dev.synthiabot.config.bench;

import dev.synthiabot.config.prompts.ChannelPromptStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Figures for the per-channel prompt store: the lookup done on every message (cached) and a durable set.
 * Prints numbers; asserts nothing. Run: scripts/benchmark-prompts
 */
public final class PromptStoreBenchmark {
    public static void main(String[] args) throws Exception {
        Path dir = Files.createTempDirectory("prompt-bench");
        try (ChannelPromptStore store = new ChannelPromptStore(dir.resolve("prompts.db"), "default", 4000)) {
            int channels = 1000;
            long t0 = System.nanoTime();
            for (int i = 0; i < channels; i++) store.set("c" + i, "prompt for channel " + i, "bench");
            double setMs = (System.nanoTime() - t0) / 1e6 / channels;

            // Cold lookups (first read of each scope goes to SQLite), then warm ones (cache).
            try (ChannelPromptStore fresh = new ChannelPromptStore(dir.resolve("prompts.db"), "default", 4000)) {
                long c0 = System.nanoTime();
                for (int i = 0; i < channels; i++) fresh.resolve("t" + i, Optional.of("c" + i), Optional.of("g"));
                double coldUs = (System.nanoTime() - c0) / 1e3 / channels;
                int n = 2_000_000;
                long sink = 0;
                for (int warm = 0; warm < 2; warm++) {
                    long w0 = System.nanoTime();
                    for (int i = 0; i < n; i++) sink += fresh.resolve("t" + (i % channels), Optional.of("c" + (i % channels)), Optional.of("g")).prompt().length();
                    double warmNs = (System.nanoTime() - w0) / (double) n;
                    if (warm == 1) {
                        System.out.printf("set (durable, fsync): %.2f ms per prompt (%d prompts)%n", setMs, channels);
                        System.out.printf("resolve, cold (SQLite): %.1f µs per lookup (thread → parent → guild → default)%n", coldUs);
                        System.out.printf("resolve, warm (cache): %.0f ns per lookup (%d lookups; checksum %d)%n", warmNs, n, sink);
                    }
                }
            }
        } finally {
            try (var walk = Files.walk(dir)) {
                walk.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
