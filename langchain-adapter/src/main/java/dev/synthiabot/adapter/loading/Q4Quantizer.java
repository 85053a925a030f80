package dev.synthiabot.adapter.loading;

import com.github.tjake.jlama.safetensors.SafeTensorSupport;
import com.github.tjake.jlama.safetensors.TensorInfo;
import com.github.tjake.jlama.safetensors.WeightLoader;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.Q4ByteBufferTensor;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Path;
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

    private Q4Quantizer() {}

    /** Writes the Q4 model to {@code target} (which must not exist yet), atomically, and returns it. */
    public static Path quantize(Path source, Path target) throws IOException {
        long t0 = System.nanoTime();
        Staging.publish(target, staging -> {
            try {
                write(source, staging.resolve("model.safetensors"));
            } catch (IOException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException("Quantizing " + source + " failed: " + e.getMessage(), e);
            }
            Staging.copyMetadata(source, staging);
        });
        log.info("Quantized {} to Q4 in {} s: {}", source, (System.nanoTime() - t0) / 1_000_000_000L, target);
        return target;
    }

    private static void write(Path source, Path out) throws Exception {
        try (WeightLoader weights = SafeTensorSupport.loadWeights(source.toFile())) {
            Map<String, TensorInfo> infos = new TreeMap<>(weights.tensorInfoMap());
            List<SafetensorsWriter.Spec> specs = new ArrayList<>();
            long sourceBytes = 0;
            for (var e : infos.entrySet()) {
                long[] shape = toLong(e.getValue().shape);
                sourceBytes += e.getValue().dataOffsets[1] - e.getValue().dataOffsets[0];
                if (quantizable(e.getKey(), shape)) {
                    long n = shape[0] * shape[1];
                    specs.add(new SafetensorsWriter.Spec(e.getKey(), "Q4", shape, n / 2));
                    specs.add(new SafetensorsWriter.Spec(e.getKey() + ".qb", "F32", new long[] {shape[0], shape[1] / BLOCK}, n / BLOCK * 4));
                } else {
                    specs.add(new SafetensorsWriter.Spec(e.getKey(), "F32", shape, product(shape) * 4));
                }
            }
            Disk.require(out.getParent(), specs.stream().mapToLong(SafetensorsWriter.Spec::bytes).sum(), "the Q4 model");
            try (SafetensorsWriter w = new SafetensorsWriter(out, specs, Map.of("format", "pt", "quantization", "Q4"));
                 Progress progress = Progress.start("Quantizing to Q4", sourceBytes, 0)) {
                for (var e : infos.entrySet()) {
                    long[] shape = toLong(e.getValue().shape);
                    try (AbstractTensor t = weights.load(e.getKey())) {
                        if (quantizable(e.getKey(), shape)) {
                            Q4ByteBufferTensor q = new Q4ByteBufferTensor(t);
                            w.write(q.getMemorySegment().asByteBuffer().order(ByteOrder.LITTLE_ENDIAN));
                            w.write(q.getBlockF().getMemorySegment().asByteBuffer());
                            q.close();
                        } else {
                            writeF32(w, t, product(shape));
                        }
                    }
                    progress.add(e.getValue().dataOffsets[1] - e.getValue().dataOffsets[0]);
                }
            }
        }
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
}
