package dev.synthiabot.adapter.transformer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synthiabot.adapter.Fixtures;
import dev.synthiabot.adapter.bench.RandomQ4ModelWriter;
import dev.synthiabot.adapter.kernels.KvCache;
import dev.synthiabot.adapter.kernels.Q4Kernels;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The forward pass gives the same bits on any number of threads: the matrix products, the activations' preparation,
 * attention and the per-token steps are split over the threads in chunks that depend on the threads' speed, and no
 * split may change a result (batched answers equal solo answers only if this holds).
 */
class Q4TransformerThreadsTest {

    @ParameterizedTest(name = "{0} activations")
    @EnumSource(Q4Kernels.Activations.class)
    void should_give_the_same_probabilities_on_one_thread_and_on_several(Q4Kernels.Activations activations, @TempDir Path dir)
        throws IOException {
        RandomQ4ModelWriter.write(new RandomQ4ModelWriter.Shape(512, 1024, 2, 8, 2, 512), dir, Fixtures.tinyModel().resolve("tokenizer.json"), 3);
        try (Q4Transformer one = Q4Transformer.load(dir, 256, 1, activations, KvCache.Precision.BF16);
             Q4Transformer several = Q4Transformer.load(dir, 256, 4, activations, KvCache.Precision.BF16)) {
            // Only the last round is compared: until the JIT has compiled the vector code, the Vector API computes
            // exponentials and float sums across lanes in Java, whose last bits differ from the compiled code's (the
            // same happened before the work was split in chunks; with C1 alone, -XX:TieredStopAtLevel=1, every
            // round agrees).
            List<float[]> a = List.of(), b = List.of();
            for (int round = 0; round < 4; round++) {
                a = run(one);
                b = run(several);
            }
            assertThat(b).hasSameSizeAs(a);
            for (int i = 0; i < a.size(); i++) assertThat(b.get(i)).as("output %d", i).containsExactly(a.get(i));
        }
    }

    /** A 70-token prompt, then three conversations decoding together for a few steps: every output. */
    private static List<float[]> run(Q4Transformer t) {
        Random r = new Random(9);
        List<float[]> outputs = new ArrayList<>();
        List<Transformer.State> states = List.of(t.newState(), t.newState(), t.newState());
        int[] prompt = new int[70];
        for (int i = 0; i < prompt.length; i++) prompt[i] = r.nextInt(512);
        for (Transformer.State s : states) outputs.add(t.forward(prompt, 0, s));
        for (int step = 0; step < 4; step++) {
            List<Transformer.Segment> segments = new ArrayList<>();
            for (Transformer.State s : states) segments.add(new Transformer.Segment(new int[] {r.nextInt(512)}, prompt.length + step, s, true));
            outputs.addAll(List.of(t.forward(segments)));
        }
        states.forEach(Transformer.State::close);
        return outputs;
    }
}
