package dev.synthiabot.adapter.loading;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a safetensors file in one pass: all tensors are declared first (name, dtype, shape, size),
 * then their bytes are streamed in the declared order, so a multi-gigabyte model never has to be
 * held in memory or in a temporary file.
 */
public final class SafetensorsWriter implements AutoCloseable {

    /** A tensor to write: {@code dtype} as safetensors (or Jlama) names it. */
    public record Spec(String name, String dtype, long[] shape, long bytes) {}

    private final OutputStream out;
    private final Map<String, Spec> specs;
    private final String[] order;
    private int next;
    private long remainingInCurrent;

    public SafetensorsWriter(Path file, Iterable<Spec> tensors, Map<String, String> metadata) throws IOException {
        ObjectMapper json = new ObjectMapper();
        ObjectNode header = json.createObjectNode();
        if (!metadata.isEmpty()) {
            ObjectNode meta = header.putObject("__metadata__");
            metadata.forEach(meta::put);
        }
        specs = new LinkedHashMap<>();
        long offset = 0;
        for (Spec s : tensors) {
            ObjectNode t = header.putObject(s.name());
            t.put("dtype", s.dtype());
            var shape = t.putArray("shape");
            Arrays.stream(s.shape()).forEach(shape::add);
            t.putArray("data_offsets").add(offset).add(offset + s.bytes());
            offset += s.bytes();
            specs.put(s.name(), s);
        }
        order = specs.keySet().toArray(String[]::new);
        byte[] headerBytes = json.writeValueAsString(header).getBytes(StandardCharsets.UTF_8);
        int padded = (headerBytes.length + 7) / 8 * 8;
        byte[] h = Arrays.copyOf(headerBytes, padded);
        Arrays.fill(h, headerBytes.length, padded, (byte) ' ');
        out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 20);
        out.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded).array());
        out.write(h);
        startNext();
    }

    private void startNext() {
        remainingInCurrent = next < order.length ? specs.get(order[next]).bytes() : 0;
    }

    /** Appends bytes of the current tensor (tensors are filled in declaration order). */
    public void write(byte[] bytes, int off, int len) throws IOException {
        while (len > 0) {
            if (next >= order.length) throw new IllegalStateException("more bytes than declared");
            int n = (int) Math.min(len, remainingInCurrent);
            out.write(bytes, off, n);
            off += n;
            len -= n;
            remainingInCurrent -= n;
            if (remainingInCurrent == 0) {
                next++;
                startNext();
            }
        }
    }

    public void write(ByteBuffer buffer) throws IOException {
        byte[] chunk = new byte[Math.min(buffer.remaining(), 1 << 20)];
        while (buffer.hasRemaining()) {
            int n = Math.min(chunk.length, buffer.remaining());
            buffer.get(chunk, 0, n);
            write(chunk, 0, n);
        }
    }

    @Override
    public void close() throws IOException {
        // A declared tensor may have no bytes (size 0): skip over those.
        while (next < order.length && remainingInCurrent == 0) {
            next++;
            startNext();
        }
        out.close();
        if (next < order.length) {
            throw new IllegalStateException("tensor " + order[next] + " was not fully written");
        }
    }
}
