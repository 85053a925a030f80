package dev.synthiabot.adapter.loading;

import com.github.tjake.jlama.safetensors.SafeTensorSupport;
import com.github.tjake.jlama.safetensors.TensorInfo;
import com.github.tjake.jlama.safetensors.WeightLoader;
import com.github.tjake.jlama.tensor.AbstractTensor;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Test helper: writes an F32 copy of a Q4 model, every weight dequantized (value = (nibble - 8) * scale). */
final class Dequantizer {
    private Dequantizer() {}

    static Path dequantize(Path q4Dir, Path out) throws Exception {
        Files.createDirectories(out);
        try (WeightLoader w = SafeTensorSupport.loadWeights(q4Dir.toFile())) {
            Map<String, TensorInfo> infos = new TreeMap<>(w.tensorInfoMap());
            infos.keySet().removeIf(n -> n.endsWith(".qb"));
            List<SafetensorsWriter.Spec> specs = new ArrayList<>();
            for (var e : infos.entrySet()) {
                int[] s = e.getValue().shape;
                long n = 1;
                long[] shape = new long[s.length];
                for (int i = 0; i < s.length; i++) {
                    shape[i] = s[i];
                    n *= s[i];
                }
                specs.add(new SafetensorsWriter.Spec(e.getKey(), "F32", shape, n * 4));
            }
            try (SafetensorsWriter writer = new SafetensorsWriter(out.resolve("model.safetensors"), specs, Map.of())) {
                for (String name : infos.keySet()) {
                    try (AbstractTensor t = w.load(name)) {
                        int[] cursor = new int[t.shape().dims()];
                        ByteBuffer bb = ByteBuffer.allocate(4 * 1024).order(ByteOrder.LITTLE_ENDIAN);
                        do {
                            bb.putFloat(t.get(cursor));
                            if (!bb.hasRemaining()) {
                                writer.write(bb.array(), 0, bb.position());
                                bb.clear();
                            }
                        } while (t.iterate(cursor));
                        writer.write(bb.array(), 0, bb.position());
                    }
                }
            }
        }
        for (String f : List.of("config.json", "tokenizer.json", "tokenizer_config.json")) {
            Files.copy(q4Dir.resolve(f), out.resolve(f));
        }
        return out;
    }
}
