package dev.synthiabot.adapter.loading;

import dev.synthiabot.adapter.loading.StateDictUnpickler.StorageRef;
import dev.synthiabot.adapter.loading.StateDictUnpickler.TensorRef;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import net.razorvine.pickle.PickleException;

/**
 * Converts PyTorch {@code pytorch_model*.bin} checkpoints (torch's zip format: {@code archive/data.pkl}
 * plus one {@code archive/data/<key>} entry per storage) to safetensors, which Jlama reads.
 *
 * <p>Safe by construction: the pickle is read by {@link StateDictUnpickler}, which refuses every global but the
 * few a state dict is made of; no Python code is ever run. Every tensor is then checked against the archive before
 * anything is written: its storage entry exists and holds the declared elements, offset + size fit in it, sizes do
 * not overflow, strides are contiguous. Anything else stops the conversion with an error naming the tensor.
 */
public final class TorchCheckpointConverter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TorchCheckpointConverter() {}

    private static String describe(Object o) {
        if (o instanceof Object[] a) return java.util.Arrays.deepToString(a);
        return o == null ? "null" : o.getClass().getName();
    }

    /**
     * Converts every {@code pytorch_model*.bin} in {@code source} into {@code target} (safetensors
     * shards plus {@code model.safetensors.index.json}) and copies config and tokenizer files.
     */
    public static void convert(Path source, Path target) throws IOException {
        List<Path> bins;
        try (var files = Files.list(source)) {
            bins = files.filter(p -> p.getFileName().toString().matches("pytorch_model.*\\.bin")).sorted().toList();
        }
        if (bins.isEmpty()) throw new ModelValidationException(source, "no pytorch_model*.bin files to convert");
        Files.createDirectories(target);
        long sourceBytes = 0;
        for (Path b : bins) sourceBytes += Files.size(b);
        Disk.require(target, sourceBytes, "the safetensors copy of " + source);
        ObjectNode weightMap = JSON.createObjectNode();
        long total = 0;
        try (Progress progress = Progress.start("Converting to safetensors", sourceBytes, 0)) {
            for (int i = 0; i < bins.size(); i++) {
                String name = String.format("model-%05d-of-%05d.safetensors", i + 1, bins.size());
                for (String tensor : convertShard(bins.get(i), target.resolve(name), progress)) weightMap.put(tensor, name);
                total += Files.size(target.resolve(name));
            }
        }
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        index.set("weight_map", weightMap);
        JSON.writerWithDefaultPrettyPrinter().writeValue(target.resolve("model.safetensors.index.json").toFile(), index);
        Staging.copyMetadata(source, target);
    }

    /** Converts one checkpoint file; returns the tensor names written. */
    static List<String> convertShard(Path bin, Path out) throws IOException {
        return convertShard(bin, out, null);
    }

    private static List<String> convertShard(Path bin, Path out, Progress progress) throws IOException {
        ZipFile opened;
        try {
            opened = new ZipFile(bin.toFile());
        } catch (java.util.zip.ZipException e) {
            throw new ModelValidationException(bin, "not a readable zip archive (" + e.getMessage() + "): truncated or not a torch checkpoint; delete it to download it again");
        }
        try (ZipFile zip = opened) {
            ZipEntry pkl = zip.stream().filter(e -> e.getName().endsWith("/data.pkl") || e.getName().equals("data.pkl")).findFirst()
                .orElseThrow(() -> new ModelValidationException(bin, "not a torch zip checkpoint (no data.pkl); legacy torch checkpoints are not supported"));
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            Map<String, TensorRef> tensors = readStateDict(bin, zip, pkl);
            List<SafetensorsWriter.Spec> specs = new ArrayList<>();
            for (var e : tensors.entrySet()) {
                TensorRef t = e.getValue();
                long bytes = checkFits(bin, zip, prefix, e.getKey(), t);
                specs.add(new SafetensorsWriter.Spec(e.getKey(), t.storage().dtype(), t.shape(), bytes));
            }
            try (SafetensorsWriter w = new SafetensorsWriter(out, specs, Map.of("format", "pt", "converted_from", bin.getFileName().toString()))) {
                byte[] buf = new byte[1 << 20];
                int i = 0;
                for (TensorRef t : tensors.values()) {
                    ZipEntry data = zip.getEntry(prefix + "data/" + t.storage().key());
                    try (InputStream in = zip.getInputStream(data)) {
                        in.skipNBytes(t.offset() * t.storage().elementSize()); // storage offsets are honoured
                        long left = specs.get(i++).bytes();
                        while (left > 0) {
                            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                            if (n < 0) throw new ModelValidationException(bin, "storage " + t.storage().key() + " is shorter than its tensors");
                            w.write(buf, 0, n);
                            if (progress != null) progress.add(n);
                            left -= n;
                        }
                    }
                }
            }
            return new ArrayList<>(tensors.keySet());
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, TensorRef> readStateDict(Path bin, ZipFile zip, ZipEntry pkl) throws IOException {
        Object root;
        try (InputStream in = zip.getInputStream(pkl)) {
            StateDictUnpickler u = new StateDictUnpickler();
            root = u.load(in);
            u.close();
        } catch (PickleException | ClassCastException | IllegalArgumentException | IndexOutOfBoundsException e) {
            // razorvine's opcode handlers cast what they pop: a malformed pickle surfaces as one of these
            throw new ModelValidationException(bin, "cannot read the checkpoint's pickle: " + e.getMessage());
        }
        if (!(root instanceof Map<?, ?> map)) {
            throw new ModelValidationException(bin, "the checkpoint is not a state dict but " + describe(root));
        }
        Map<String, TensorRef> tensors = new LinkedHashMap<>();
        for (var e : map.entrySet()) {
            if (!(e.getKey() instanceof String name) || !(e.getValue() instanceof TensorRef t)) {
                throw new ModelValidationException(bin, "unexpected entry in the state dict: " + e.getKey() + " = " + describe(e.getValue()));
            }
            tensors.put(name, t);
        }
        return tensors;
    }

    /** Checks a tensor against its storage entry before anything is written or allocated; returns its size in bytes. */
    private static long checkFits(Path bin, ZipFile zip, String prefix, String name, TensorRef t) {
        StorageRef s = t.storage();
        ZipEntry data = zip.getEntry(prefix + "data/" + s.key());
        if (data == null) throw new ModelValidationException(bin, "tensor " + name + ": its storage " + s.key() + " is missing from the archive");
        if (t.shape().length != t.stride().length) throw new ModelValidationException(bin, "tensor " + name + ": size and stride differ in rank");
        long elements = 1;
        try {
            for (long d : t.shape()) {
                if (d < 0) throw new ModelValidationException(bin, "tensor " + name + " has a negative size " + java.util.Arrays.toString(t.shape()));
                elements = Math.multiplyExact(elements, d);
            }
            long storageBytes = Math.multiplyExact(s.elements(), s.elementSize());
            if (data.getSize() >= 0 && data.getSize() != storageBytes) {
                throw new ModelValidationException(bin, "storage " + s.key() + " declares " + s.elements() + " elements (" + storageBytes
                    + " bytes) but the archive holds " + data.getSize() + " bytes");
            }
            if (t.offset() < 0 || Math.addExact(t.offset(), elements) > s.elements()) {
                throw new ModelValidationException(bin, "tensor " + name + " (offset " + t.offset() + ", size " + java.util.Arrays.toString(t.shape())
                    + ") does not fit in its storage of " + s.elements() + " elements");
            }
            long expected = 1;
            for (int d = t.shape().length - 1; d >= 0; d--) {
                if (t.shape()[d] != 1 && t.stride()[d] != expected) {
                    throw new ModelValidationException(bin, "tensor " + name + " is not contiguous (stride " + java.util.Arrays.toString(t.stride())
                        + "); save it with .contiguous() first");
                }
                expected *= t.shape()[d];
            }
            return Math.multiplyExact(elements, s.elementSize());
        } catch (ArithmeticException e) {
            throw new ModelValidationException(bin, "tensor " + name + " declares a size that overflows " + java.util.Arrays.toString(t.shape()));
        }
    }
}
