package dev.synthiabot.adapter.loading;

import com.fasterxml.jackson.databind.JsonNode;
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
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.Unpickler;

/**
 * Converts PyTorch {@code pytorch_model*.bin} checkpoints (torch's zip format: {@code archive/data.pkl}
 * plus one {@code archive/data/<key>} entry per storage) to safetensors, which Jlama reads.
 *
 * <p>Safe by construction: the pickle is read by a Java unpickler that can only build the few objects a
 * state dict is made of (an ordered dict of {@code torch._utils._rebuild_tensor_v2} calls over half,
 * bfloat16 or float storages); no Python code is ever run, and anything else in the pickle (an unknown
 * global, a non-contiguous tensor) stops the conversion with an error naming it.
 */
public final class TorchCheckpointConverter {
    private static final ObjectMapper JSON = new ObjectMapper();

    private TorchCheckpointConverter() {}

    /** A tensor in a checkpoint: {@code storageKey} names the zip entry, offsets and sizes are in elements. */
    record TensorRef(StorageRef storage, long offset, long[] shape, long[] stride) {}

    record StorageRef(String dtype, int elementSize, String key) {}

    /** A storage class ({@code torch.HalfStorage} …) as it appears inside a persistent id. */
    private record StorageType(String dtype, int elementSize) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("storage types are not callable");
        }
    }

    static {
        Unpickler.registerConstructor("torch", "HalfStorage", new StorageType("F16", 2));
        Unpickler.registerConstructor("torch", "BFloat16Storage", new StorageType("BF16", 2));
        Unpickler.registerConstructor("torch", "FloatStorage", new StorageType("F32", 4));
        Unpickler.registerConstructor("torch._utils", "_rebuild_tensor_v2", args -> {
            if (!(args[0] instanceof StorageRef s)) throw new PickleException("_rebuild_tensor_v2 without a storage");
            return new TensorRef(s, ((Number) args[1]).longValue(), longs(args[2]), longs(args[3]));
        });
        Unpickler.registerConstructor("torch._utils", "_rebuild_parameter", args -> args[0]);
        Unpickler.registerConstructor("collections", "OrderedDict", args -> new LinkedHashMap<>());
    }

    private static long[] longs(Object tuple) {
        Object[] t = (Object[]) tuple;
        long[] r = new long[t.length];
        for (int i = 0; i < t.length; i++) r[i] = ((Number) t[i]).longValue();
        return r;
    }

    /** Unpickler that resolves torch's persistent ids to storage references. */
    private static final class StateDictUnpickler extends Unpickler {
        @Override
        protected Object persistentLoad(Object pid) {
            if (pid instanceof Object[] t && t.length >= 3 && "storage".equals(t[0]) && t[1] instanceof StorageType type) {
                return new StorageRef(type.dtype(), type.elementSize(), String.valueOf(t[2]));
            }
            throw new PickleException("unsupported persistent id in checkpoint: " + describe(pid));
        }
    }

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
        ObjectNode weightMap = JSON.createObjectNode();
        long total = 0;
        for (int i = 0; i < bins.size(); i++) {
            String name = String.format("model-%05d-of-%05d.safetensors", i + 1, bins.size());
            for (String tensor : convertShard(bins.get(i), target.resolve(name))) weightMap.put(tensor, name);
            total += Files.size(target.resolve(name));
        }
        ObjectNode index = JSON.createObjectNode();
        index.putObject("metadata").put("total_size", total);
        index.set("weight_map", weightMap);
        JSON.writerWithDefaultPrettyPrinter().writeValue(target.resolve("model.safetensors.index.json").toFile(), index);
        for (String f : Q4Quantizer.COPIED) {
            if (Files.exists(source.resolve(f))) Files.copy(source.resolve(f), target.resolve(f), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Converts one checkpoint file; returns the tensor names written. */
    static List<String> convertShard(Path bin, Path out) throws IOException {
        try (ZipFile zip = new ZipFile(bin.toFile())) {
            ZipEntry pkl = zip.stream().filter(e -> e.getName().endsWith("/data.pkl") || e.getName().equals("data.pkl")).findFirst()
                .orElseThrow(() -> new ModelValidationException(bin, "not a torch zip checkpoint (no data.pkl); legacy torch checkpoints are not supported"));
            String prefix = pkl.getName().substring(0, pkl.getName().length() - "data.pkl".length());
            Map<String, TensorRef> tensors = readStateDict(bin, zip, pkl);
            List<SafetensorsWriter.Spec> specs = new ArrayList<>();
            for (var e : tensors.entrySet()) {
                TensorRef t = e.getValue();
                checkContiguous(bin, e.getKey(), t);
                specs.add(new SafetensorsWriter.Spec(e.getKey(), t.storage().dtype(), t.shape(), elements(t.shape()) * t.storage().elementSize()));
            }
            try (SafetensorsWriter w = new SafetensorsWriter(out, specs, Map.of("format", "pt", "converted_from", bin.getFileName().toString()))) {
                byte[] buf = new byte[1 << 20];
                for (TensorRef t : tensors.values()) {
                    ZipEntry data = zip.getEntry(prefix + "data/" + t.storage().key());
                    if (data == null) throw new ModelValidationException(bin, "storage " + t.storage().key() + " is missing from the archive");
                    try (InputStream in = zip.getInputStream(data)) {
                        in.skipNBytes(t.offset() * t.storage().elementSize());
                        long left = elements(t.shape()) * t.storage().elementSize();
                        while (left > 0) {
                            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                            if (n < 0) throw new ModelValidationException(bin, "storage " + t.storage().key() + " is shorter than its tensors");
                            w.write(buf, 0, n);
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
        } catch (PickleException e) {
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

    private static void checkContiguous(Path bin, String name, TensorRef t) {
        long expected = 1;
        for (int d = t.shape().length - 1; d >= 0; d--) {
            if (t.shape()[d] != 1 && t.stride()[d] != expected) {
                throw new ModelValidationException(bin, "tensor " + name + " is not contiguous (stride " + java.util.Arrays.toString(t.stride()) + ")");
            }
            expected *= t.shape()[d];
        }
    }

    private static long elements(long[] shape) {
        long n = 1;
        for (long d : shape) n *= d;
        return n;
    }

    /** Reads the weight map of a {@code *.index.json} (tensor name to file). */
    static JsonNode weightMap(Path index) throws IOException {
        return JSON.readTree(index.toFile()).path("weight_map");
    }
}
