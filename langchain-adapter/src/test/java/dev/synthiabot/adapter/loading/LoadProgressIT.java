package dev.synthiabot.adapter.loading;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synthiabot.adapter.SynthiaChatModel;
import dev.synthiabot.adapter.TinyModels;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder's load progress: every step the load starts is told, from its start to its end, with its bytes. */
class LoadProgressIT {
    record Told(String step, long done, long total, Optional<Duration> left) {}

    @TempDir
    Path cache;

    @Test
    void should_tell_the_quantization_then_the_reading_of_the_weights_each_from_start_to_end() {
        List<Told> told = new CopyOnWriteArrayList<>();
        try (SynthiaChatModel model = TinyModels.q4Greedy(cache).loadProgress((step, done, total, left) -> told.add(new Told(step, done, total, left))).build()) {
            assertThat(model.quantized()).isTrue();
        }

        assertThat(told).extracting(Told::step).containsSubsequence("Quantizing to Q4", "Quantizing to Q4", "Reading the weights", "Reading the weights");
        for (String step : List.of("Quantizing to Q4", "Reading the weights")) {
            List<Told> of = told.stream().filter(t -> t.step().equals(step)).toList();
            assertThat(of.get(0).done()).isZero();
            assertThat(of.get(0).left()).as("no rate before any byte").isEmpty();
            Told end = of.get(of.size() - 1);
            assertThat(end.total()).isPositive();
            assertThat(end.done()).as(step + ": every byte counted by the end").isEqualTo(end.total());
            assertThat(end.left()).contains(Duration.ZERO);
        }
    }

    @Test
    void should_tell_nothing_on_another_thread_or_after_the_load() throws Exception {
        List<Told> told = new CopyOnWriteArrayList<>();
        TinyModels.q4Greedy(cache).loadProgress((step, done, total, left) -> told.add(new Told(step, done, total, left))).build().close();
        int afterLoad = told.size();

        try (Progress p = Progress.start("Unrelated", 100, 0)) {
            p.add(100);
        }
        Thread other = Thread.ofPlatform().start(() -> Progress.start("Elsewhere", 100, 0).close());
        other.join();

        assertThat(told).hasSize(afterLoad).extracting(Told::step).doesNotContain("Unrelated", "Elsewhere");
    }
}
