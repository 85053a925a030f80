package dev.synthiabot.adapter.loading;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Quantizes a model directory to Jlama's Q4 layout — blocks of 32 values along a row, 4 bits a value (value j in the
 * low nibble and value j + 16 in the high nibble of byte j), plus a {@code <name>.qb} F32 tensor of block scales —
 * with Jlama's rounding, byte for byte. Matrices are quantized; norms and tensors whose rows are not a multiple of 32
 * stay F32. The safetensors source (F16, BF16 or F32) is read a tensor at a time and its rows are quantized on all
 * cores, so the whole first start holds at most one tensor and its Q4 form in memory.
 *
 * <p>Unlike Jlama's {@code SafeTensorSupport.quantizeModel}, this needs no README.md in the source, leaves no
 * multi-gigabyte temporary file in {@code java.io.tmpdir}, and publishes the output atomically ({@link Staging}).
 */
public final class Q4Quantizer {
    private static final Logger log = LoggerFactory.getLogger(Q4Quantizer.class);
    static final int BLOCK = 32;
    private static final ObjectMapper JSON = new ObjectMapper();

    private Q4Quantizer() {}

    /** A tensor of a source safetensors file: where its bytes are and how to read them. */
    private record Source(String name, Path file, String dtype, long[] shape, long start, long end) {
        long bytes() {
            return end - start;
        }
    }

    /** Writes the Q4 model to {@code target} (which must not exist yet), atomically, and returns it. */
    public static Path quantize(Path source, Path target) throws IOException {
        long t0 = System.nanoTime();
        Staging.publish(target, staging -> {
            write(source, staging.resolve("model.safetensors"));
            Staging.copyMetadata(source, staging);
        });
        log.info("Quantized {} to Q4 in {} s: {}", source, (System.nanoTime() - t0) / 1_000_000_000L, target);
        return target;
    }

    private static void write(Path source, Path out) throws IOException {
        Map<String, Source> tensors = read(source);
        List<SafetensorsWriter.Spec> specs = new ArrayList<>();
        long sourceBytes = 0;
        for (Source t : tensors.values()) {
            sourceBytes += t.bytes();
            if (quantizable(t.name(), t.shape())) {
                long n = t.shape()[0] * t.shape()[1];
                specs.add(new SafetensorsWriter.Spec(t.name(), "Q4", t.shape(), n / 2));
                specs.add(new SafetensorsWriter.Spec(t.name() + ".qb", "F32", new long[] {t.shape()[0], t.shape()[1] / BLOCK}, n / BLOCK * 4));
            } else {
                specs.add(new SafetensorsWriter.Spec(t.name(), "F32", t.shape(), product(t.shape()) * 4));
            }
        }
        Disk.require(out.getParent(), specs.stream().mapToLong(SafetensorsWriter.Spec::bytes).sum(), "the Q4 model");
        // One thread writes tensor k while the cores quantize tensor k + 1 (in order: one write pending at most).
        ExecutorService writer = Executors.newSingleThreadExecutor(r -> new Thread(r, "q4-writer"));
        try (SafetensorsWriter w = new SafetensorsWriter(out, specs, Map.of("format", "pt", "quantization", "Q4"));
             Progress progress = Progress.start("Quantizing to Q4", sourceBytes, 0)) {
            Future<?> pending = CompletableFuture.completedFuture(null);
            for (Source t : tensors.values()) {
                ByteBuffer raw = bytes(t);
                List<ByteBuffer> parts;
                if (quantizable(t.name(), t.shape())) {
                    int rows = (int) t.shape()[0], cols = (int) t.shape()[1];
                    byte[] q = new byte[Math.toIntExact((long) rows * cols / 2)];
                    float[] scales = new float[Math.toIntExact((long) rows * cols / BLOCK)];
                    int chunk = Math.max(1, rows / (8 * Runtime.getRuntime().availableProcessors()));
                    IntStream.range(0, (rows + chunk - 1) / chunk).parallel().forEach(c -> {
                        float[] row = new float[cols];
                        for (int r = c * chunk; r < Math.min(rows, (c + 1) * chunk); r++) {
                            decode(raw, t.dtype(), (long) r * cols, row);
                            quantizeRow(row, 0, cols, q, scales, r);
                        }
                    });
                    parts = List.of(ByteBuffer.wrap(q), littleEndian(scales));
                } else {
                    float[] values = new float[(int) product(t.shape())];
                    decode(raw, t.dtype(), 0, values);
                    parts = List.of(littleEndian(values));
                }
                await(pending);
                pending = writer.submit(() -> {
                    for (ByteBuffer b : parts) w.write(b);
                    progress.add(t.bytes());
                    return null;
                });
            }
            await(pending);
        } finally {
            writer.shutdownNow();
        }
    }

    private static void await(Future<?> write) throws IOException {
        try {
            write.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) throw io;
            throw new IOException("writing the Q4 model failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while writing the Q4 model", e);
        }
    }

    /** Row {@code r} of {@code x}: each block's value of largest magnitude (sign kept) / -8 is its scale; values round as Jlama's do. */
    static void quantizeRow(float[] x, int r, int cols, byte[] q, float[] scales) {
        quantizeRow(x, r * cols, cols, q, scales, r);
    }

    /** The row starting at {@code x[from]} as row {@code r} of the output. */
    private static void quantizeRow(float[] x, int from, int cols, byte[] q, float[] scales, int r) {
        for (int b = 0; b < cols / BLOCK; b++) {
            int base = from + b * BLOCK;
            int at = r * cols + b * BLOCK; // position in the output matrix
            // Jlama keeps the first value of largest magnitude (starting from Float.MIN_VALUE): the same value, found in a
            // reduction the JIT vectorizes and a short scan.
            float amax = Float.MIN_VALUE;
            for (int i = 0; i < BLOCK; i++) amax = Math.max(amax, Math.abs(x[base + i]));
            float max = Float.MIN_VALUE;
            if (amax > Float.MIN_VALUE) {
                for (int i = 0; ; i++) {
                    if (Math.abs(x[base + i]) == amax) {
                        max = x[base + i];
                        break;
                    }
                }
            }
            float scale = max / -8f;
            float iscale = scale != 0.0f ? 1.0f / scale : 0.0f;
            scales[at / BLOCK] = scale;
            int out = at / 2;
            for (int j = 0; j < BLOCK / 2; j++) {
                byte lo = (byte) Math.min(15, (byte) (x[base + j] * iscale + 8.5f));
                byte hi = (byte) Math.min(15, (byte) (x[base + j + BLOCK / 2] * iscale + 8.5f));
                q[out + j] = (byte) (lo | (hi << 4));
            }
        }
    }

    static boolean quantizable(String name, long[] shape) {
        return shape.length == 2 && !name.contains("norm") && shape[1] % BLOCK == 0;
    }

    /** Every tensor of the directory's safetensors files, by name. */
    private static Map<String, Source> read(Path dir) throws IOException {
        Map<String, Source> all = new TreeMap<>();
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        }
        for (Path f : files) {
            try (FileChannel ch = FileChannel.open(f, StandardOpenOption.READ)) {
                ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
                ch.read(len, 0);
                long n = len.flip().getLong();
                if (n <= 0 || n > 100_000_000 || n > ch.size() - 8) throw new ModelValidationException(f, "not a safetensors file (header size " + n + ")");
                ByteBuffer header = ByteBuffer.allocate((int) n);
                ch.read(header, 8);
                JsonNode h = JSON.readTree(header.array());
                for (var it = h.fields(); it.hasNext(); ) {
                    var e = it.next();
                    if (e.getKey().equals("__metadata__")) continue;
                    JsonNode info = e.getValue();
                    long[] shape = new long[info.path("shape").size()];
                    for (int i = 0; i < shape.length; i++) shape[i] = info.path("shape").get(i).asLong();
                    long start = 8 + n + info.path("data_offsets").get(0).asLong();
                    long end = 8 + n + info.path("data_offsets").get(1).asLong();
                    Source t = new Source(e.getKey(), f, info.path("dtype").asText(), shape, start, end);
                    int width = switch (t.dtype()) {
                        case "F16", "BF16" -> 2;
                        case "F32" -> 4;
                        default -> throw new ModelValidationException(f, e.getKey() + " is " + t.dtype() + ": only F16, BF16 and F32 weights can be quantized");
                    };
                    if (end > ch.size() || end - start != product(shape) * width || product(shape) > Integer.MAX_VALUE) {
                        throw new ModelValidationException(f, e.getKey() + ": its offsets do not match its shape and the file's size");
                    }
                    all.put(e.getKey(), t);
                }
            }
        }
        return all;
    }

    /** The tensor's bytes, mapped from the file (read straight from the page cache, nothing copied onto the heap). */
    private static ByteBuffer bytes(Source t) throws IOException {
        try (FileChannel ch = FileChannel.open(t.file(), StandardOpenOption.READ)) {
            return ch.map(FileChannel.MapMode.READ_ONLY, t.start(), t.bytes()).order(ByteOrder.LITTLE_ENDIAN);
        }
    }

    /** {@code out.length} values from element {@code from} of the raw tensor, as floats (exact for every source type). */
    private static void decode(ByteBuffer raw, String dtype, long from, float[] out) {
        int at = Math.toIntExact(from * (dtype.equals("F32") ? 4 : 2));
        if (dtype.equals("F32")) {
            raw.slice(at, out.length * 4).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
            return;
        }
        short[] half = new short[out.length];
        raw.slice(at, out.length * 2).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(half);
        if (dtype.equals("F16")) {
            for (int i = 0; i < out.length; i++) out[i] = Float.float16ToFloat(half[i]); // a loop the JIT vectorizes (vcvtph2ps)
        } else {
            for (int i = 0; i < out.length; i++) out[i] = Float.intBitsToFloat(half[i] << 16);
        }
    }

    private static ByteBuffer littleEndian(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        b.asFloatBuffer().put(values);
        return b;
    }

    private static long product(long[] s) {
        long p = 1;
        for (long d : s) p *= d;
        return p;
    }
}
