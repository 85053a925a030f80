package dev.synthiabot.adapter.loading;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * Writes pickle opcodes and torch zip checkpoints by hand, for tests: real state dicts of one tensor (as
 * {@code torch.save} lays them out) and hostile ones that no honest checkpoint contains.
 */
public final class TorchCheckpointBytes {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    static TorchCheckpointBytes protocol(int p) {
        TorchCheckpointBytes b = new TorchCheckpointBytes();
        b.out.write(0x80);
        b.out.write(p);
        return b;
    }

    TorchCheckpointBytes global(String module, String name) {
        return raw("c" + module + "\n" + name + "\n");
    }

    /** Protocol 4's STACK_GLOBAL: module and name as strings on the stack. */
    TorchCheckpointBytes stackGlobal(String module, String name) {
        return str(module).str(name).op(0x93);
    }

    TorchCheckpointBytes str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        int n = b.length;
        out.writeBytes(new byte[] {(byte) n, (byte) (n >> 8), (byte) (n >> 16), (byte) (n >> 24)});
        out.writeBytes(b);
        return this;
    }

    /** An integer of any size (LONG1, little-endian two's complement). */
    TorchCheckpointBytes integer(long v) {
        byte[] le = new byte[8];
        for (int i = 0; i < 8; i++) le[i] = (byte) (v >>> (8 * i));
        op(0x8a);
        out.write(8);
        out.writeBytes(le);
        return this;
    }

    TorchCheckpointBytes tuple(long... values) {
        mark();
        for (long v : values) integer(v);
        return op('t');
    }

    TorchCheckpointBytes mark() {
        return op('(');
    }

    TorchCheckpointBytes op(int opcode) {
        out.write(opcode);
        return this;
    }

    private TorchCheckpointBytes raw(String ascii) {
        out.writeBytes(ascii.getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** {@code OrderedDict({name: _rebuild_tensor_v2(storage(F16, "0", numel), offset, size, stride, False, OrderedDict())})}. */
    static byte[] stateDict(String name, String storageClass, long numel, long offset, long[] size, long[] stride) {
        TorchCheckpointBytes p = protocol(2).global("collections", "OrderedDict").op(')').op('R').mark();
        p.tensor(name, storageClass, "0", numel, offset, size, stride);
        return p.op('u').op('.').bytes();
    }

    /** A contiguous half-float tensor per entry, each in its own storage named by its index, as {@code torch.save} writes a state dict. */
    public static byte[] halfStateDict(java.util.List<String> names, java.util.List<long[]> shapes) {
        TorchCheckpointBytes p = protocol(2).global("collections", "OrderedDict").op(')').op('R').mark();
        for (int i = 0; i < names.size(); i++) {
            long[] shape = shapes.get(i);
            long[] stride = new long[shape.length];
            long numel = 1;
            for (int d = shape.length - 1; d >= 0; d--) {
                stride[d] = numel;
                numel *= shape[d];
            }
            p.tensor(names.get(i), "HalfStorage", Integer.toString(i), numel, 0, shape, stride);
        }
        return p.op('u').op('.').bytes();
    }

    private void tensor(String name, String storageClass, String key, long numel, long offset, long[] size, long[] stride) {
        str(name).global("torch._utils", "_rebuild_tensor_v2").mark()
            .mark().str("storage").global("torch", storageClass).str(key).str("cpu").integer(numel).op('t').op('Q')
            .integer(offset).tuple(size).tuple(stride).op(0x89)
            .global("collections", "OrderedDict").op(')').op('R')
            .op('t').op('R');
    }

    /** A torch zip checkpoint: {@code archive/data.pkl} and the given {@code archive/data/<key>} entries. */
    static Path zip(Path file, byte[] pickle, Map<String, byte[]> storages) throws IOException {
        Files.createDirectories(file.getParent());
        try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(file))) {
            zip.putNextEntry(new ZipEntry("archive/data.pkl"));
            zip.write(pickle);
            zip.closeEntry();
            for (var e : storages.entrySet()) {
                zip.putNextEntry(new ZipEntry("archive/data/" + e.getKey()));
                zip.write(e.getValue());
                zip.closeEntry();
            }
        }
        return file;
    }
}
