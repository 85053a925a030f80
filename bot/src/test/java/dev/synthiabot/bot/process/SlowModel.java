package dev.synthiabot.bot.process;

import dev.synthiabot.adapter.bench.RandomQ4ModelWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A random-weight Q4 model large enough that an answer takes seconds (tens of tokens per second on two cores), so
 * a test can act while one is being written: signals mid-answer, requests waiting behind it. Written once per build
 * into target/ with the benchmark's writer and the tiny model's real Mistral tokenizer; the bot loads it through
 * {@code model.local_path} like any model.
 */
final class SlowModel {
    static final RandomQ4ModelWriter.Shape SHAPE = new RandomQ4ModelWriter.Shape(1024, 4096, 16, 16, 4, 32000);
    private static final Path DIR = Path.of("target", "process-test-models", "slow-random-q4").toAbsolutePath();

    private SlowModel() {}

    static synchronized Path dir() {
        try {
            if (!Files.exists(DIR.resolve("config.json"))) {
                Path tmp = DIR.resolveSibling(DIR.getFileName() + ".partial");
                RandomQ4ModelWriter.write(SHAPE, tmp, ShippedBotIT.TINY_MODEL.resolve("tokenizer.json"), 7);
                Files.copy(ShippedBotIT.TINY_MODEL.resolve("tokenizer_config.json"), tmp.resolve("tokenizer_config.json"));
                Files.move(tmp, DIR);
            }
            return DIR;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
