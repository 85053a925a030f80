package dev.synthiabot.adapter.transformer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.synthiabot.adapter.kernels.Q4Matrix;
import dev.synthiabot.adapter.loading.ModelValidationException;
import dev.synthiabot.adapter.loading.Progress;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Reads tensors of a model directory's safetensors files onto the heap: Q4 matrices and float vectors, with the
 * bytes read as a {@link Progress} step (a 7B model's 4 GB take from seconds to a minute, the whole of a restart).
 */
final class SafetensorsReader implements AutoCloseable {
    private record Entry(FileChannel channel, long dataStart, JsonNode info, Path file) {}

    private final Map<String, Entry> tensors = new HashMap<>();
    private final List<FileChannel> channels = new ArrayList<>();
    private final Progress progress;

    SafetensorsReader(Path dir) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.list(dir)) {
            files = s.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        }
        ObjectMapper json = new ObjectMapper();
        for (Path f : files) {
            FileChannel ch = FileChannel.open(f, StandardOpenOption.READ);
            channels.add(ch);
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            ch.read(len, 0);
            long n = len.flip().getLong();
            ByteBuffer header = ByteBuffer.allocate((int) n);
            ch.read(header, 8);
            JsonNode h = json.readTree(header.array());
            h.fields().forEachRemaining(e -> {
                if (!e.getKey().equals("__metadata__")) tensors.put(e.getKey(), new Entry(ch, 8 + n, e.getValue(), f));
            });
        }
        long total = 0;
        for (Entry e : tensors.values()) total += e.info().path("data_offsets").path(1).asLong() - e.info().path("data_offsets").path(0).asLong();
        progress = Progress.start("Reading the weights", total, 0);
    }

    boolean has(String name) {
        return tensors.containsKey(name);
    }

    private Entry entry(String name) {
        Entry e = tensors.get(name);
        if (e == null) throw new ModelValidationException(Path.of(name), "tensor missing from the model's safetensors files");
        return e;
    }

    private byte[] bytes(Entry e) throws IOException {
        long start = e.info().path("data_offsets").get(0).asLong();
        long end = e.info().path("data_offsets").get(1).asLong();
        byte[] out = new byte[Math.toIntExact(end - start)];
        ByteBuffer buf = ByteBuffer.wrap(out);
        long pos = e.dataStart() + start;
        while (buf.hasRemaining()) {
            int n = e.channel().read(buf, pos + buf.position());
            if (n < 0) throw new IOException(e.file() + ": truncated tensor data");
        }
        progress.add(out.length);
        return out;
    }

    /** A Q4 matrix ({@code name} with dtype Q4 plus {@code name.qb} scales). */
    Q4Matrix q4(String name) throws IOException {
        Entry e = entry(name);
        if (!"Q4".equals(e.info().path("dtype").asText())) {
            throw new ModelValidationException(e.file(), name + " is " + e.info().path("dtype").asText() + ", not Q4");
        }
        int rows = e.info().path("shape").get(0).asInt();
        int cols = e.info().path("shape").get(1).asInt();
        return Q4Matrix.ofRowMajor(rows, cols, bytes(e), vector(name + ".qb"));
    }

    /** A tensor as floats (F32, F16 or BF16 on disk). */
    float[] vector(String name) throws IOException {
        Entry e = entry(name);
        byte[] raw = bytes(e);
        ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
        String dtype = e.info().path("dtype").asText();
        switch (dtype) {
            case "F32" -> {
                float[] out = new float[raw.length / 4];
                b.asFloatBuffer().get(out);
                return out;
            }
            case "F16" -> {
                float[] out = new float[raw.length / 2];
                for (int i = 0; i < out.length; i++) out[i] = Float.float16ToFloat(b.getShort(i * 2));
                return out;
            }
            case "BF16" -> {
                float[] out = new float[raw.length / 2];
                for (int i = 0; i < out.length; i++) out[i] = Float.intBitsToFloat((b.getShort(i * 2) & 0xFFFF) << 16);
                return out;
            }
            default -> throw new ModelValidationException(e.file(), name + " has unsupported dtype " + dtype);
        }
    }

    @Override
    public void close() throws IOException {
        progress.close();
        for (FileChannel c : channels) c.close();
    }
}
