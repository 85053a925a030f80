package dev.synthiabot.adapter.loading;

import com.github.tjake.jlama.safetensors.SafeTensorSupport;
import com.github.tjake.jlama.safetensors.TensorInfo;
import com.github.tjake.jlama.safetensors.WeightLoader;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.Q4ByteBufferTensor;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quantizes a model directory to Jlama's Q4 layout (32-value blocks, 4 bits a value two per byte,
 * plus a {@code <name>.qb} F32 tensor of block scales), streaming straight into the output file.
 * Matrices are quantized; norms and tensors whose rows are not a multiple of 32 stay F32.
 *
 * <p>Unlike Jlama's {@code SafeTensorSupport.quantizeModel}, this needs no README.md in the source,
 * leaves no multi-gigabyte temporary file in {@code java.io.tmpdir}, and publishes the output
 * atomically: a crash half-way leaves no directory that looks complete.
 */
public final class Q4Quantizer {
    private static final Logger log = LoggerFactory.getLogger(Q4Quantizer.class);
    static final int BLOCK = Q4ByteBufferTensor.BLOCK_SIZE;
    static final List<String> COPIED = List.of("config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json");

    private Q4Quantizer() {}

    /** Writes the Q4 model to {@code target} (which must not exist yet) and returns it. */
    public static Path quantize(Path source, Path target) throws IOException {
        Path staging = target.resolveSibling(target.getFileName() + ".partial-" + ProcessHandle.current().pid());
        deleteRecursively(staging);
        Files.createDirectories(staging);
        long t0 = System.nanoTime();
        try (WeightLoader weights = SafeTensorSupport.loadWeights(source.toFile())) {
            Map<String, TensorInfo> infos = new TreeMap<>(weights.tensorInfoMap());
            List<SafetensorsWriter.Spec> specs = new ArrayList<>();
            for (var e : infos.entrySet()) {
                long[] shape = toLong(e.getValue().shape);
                if (quantizable(e.getKey(), shape)) {
                    long n = shape[0] * shape[1];
                    specs.add(new SafetensorsWriter.Spec(e.getKey(), "Q4", shape, n / 2));
                    specs.add(new SafetensorsWriter.Spec(e.getKey() + ".qb", "F32", new long[] {shape[0], shape[1] / BLOCK}, n / BLOCK * 4));
                } else {
                    specs.add(new SafetensorsWriter.Spec(e.getKey(), "F32", shape, product(shape) * 4));
                }
            }
            try (SafetensorsWriter out = new SafetensorsWriter(staging.resolve("model.safetensors"), specs, Map.of("format", "pt", "quantization", "Q4"))) {
                for (var e : infos.entrySet()) {
                    long[] shape = toLong(e.getValue().shape);
                    try (AbstractTensor t = weights.load(e.getKey())) {
                        if (quantizable(e.getKey(), shape)) {
                            Q4ByteBufferTensor q = new Q4ByteBufferTensor(t);
                            out.write(q.getMemorySegment().asByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
                            out.write(q.getBlockF().getMemorySegment().asByteBuffer());
                            q.close();
                        } else {
                            writeF32(out, t, product(shape));
                        }
                    }
                }
            }
        } catch (Exception e) {
            deleteRecursively(staging);
            if (e instanceof IOException io) throw io;
            throw new IOException("Quantizing " + source + " failed: " + e.getMessage(), e);
        }
        for (String f : COPIED) {
            if (Files.exists(source.resolve(f))) Files.copy(source.resolve(f), staging.resolve(f));
        }
        Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
        log.info("Quantized {} to Q4 in {} s: {}", source, (System.nanoTime() - t0) / 1_000_000_000L, target);
        return target;
    }

    static boolean quantizable(String name, long[] shape) {
        return shape.length == 2 && !name.contains("norm") && shape[1] % BLOCK == 0;
    }

    private static void writeF32(SafetensorsWriter out, AbstractTensor t, long n) throws IOException {
        byte[] buf = new byte[4 * 4096];
        java.nio.ByteBuffer bb = java.nio.ByteBuffer.wrap(buf).order(ByteOrder.LITTLE_ENDIAN);
        int[] cursor = new int[t.shape().dims()];
        long written = 0;
        do {
            bb.putFloat(t.get(cursor));
            written++;
            if (!bb.hasRemaining() || written == n) {
                out.write(buf, 0, bb.position());
                bb.clear();
            }
        } while (t.iterate(cursor));
    }

    private static long[] toLong(int[] s) {
        long[] r = new long[s.length];
        for (int i = 0; i < s.length; i++) r[i] = s[i];
        return r;
    }

    private static long product(long[] s) {
        long p = 1;
        for (long d : s) p *= d;
        return p;
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var walk = Files.walk(p)) {
            for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}
