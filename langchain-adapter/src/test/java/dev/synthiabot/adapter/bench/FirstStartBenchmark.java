package dev.synthiabot.adapter.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.synthiabot.adapter.loading.ModelDirectory;
import dev.synthiabot.adapter.loading.ModelLoader;
import dev.synthiabot.adapter.loading.ModelProvisioner;
import dev.synthiabot.adapter.loading.TorchCheckpointBytes;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * What a first start costs after the download: writes a PyTorch checkpoint with SynthIA-7B-v1.3's exact tensor
 * names, shapes, fp16 dtype and two-shard layout (fewer layers by default: {@code --layers 32} is the real 14.5 GB),
 * as {@code torch.save} lays it out (stored zip entries), then times the conversion to safetensors and the Q4
 * quantization through the bot's own path, and prints MB/s and the peak anonymous (non-file) memory of the process.
 * A benchmark, not a test: {@code scripts/benchmark-first-start [--layers N] [--dir DIR]}.
 */
public final class FirstStartBenchmark {
    static final int HIDDEN = 4096, INTERMEDIATE = 14336, KV = 1024, VOCAB = 32000;
    private static final int POOL = 1 << 26;

    public static void main(String[] args) throws Exception {
        int layers = 4;
        Path root = Path.of("models/bench-first-start");
        for (int i = 0; i < args.length; i += 2) {
            if (args[i].equals("--layers")) layers = Integer.parseInt(args[i + 1]);
            if (args[i].equals("--dir")) root = Path.of(args[i + 1]);
        }
        Path source = root.resolve("synthia-layout-" + layers + "-layers");
        Path cache = root.resolve("cache");
        PeakAnon peak = new PeakAnon();
        if (!Files.exists(source.resolve("pytorch_model.bin.index.json"))) {
            long t0 = System.nanoTime();
            long bytes = write(source, layers);
            System.out.printf("Wrote a %d-layer SynthIA-layout checkpoint: %.2f GB in %.1f s%n", layers, bytes / 1e9, (System.nanoTime() - t0) / 1e9);
        }
        long binBytes = 0;
        try (var files = Files.list(source)) {
            for (Path p : files.filter(p -> p.toString().endsWith(".bin")).toList()) binBytes += Files.size(p);
        }
        deleteTree(cache);
        peak.reset();

        long t0 = System.nanoTime();
        Path converted = ModelProvisioner.local(source, cache);
        double conversion = (System.nanoTime() - t0) / 1e9;
        long anonAfterConversion = peak.peakKb();

        long t1 = System.nanoTime();
        ModelLoader.quantizedCopy(ModelDirectory.open(converted), cache);
        double quantization = (System.nanoTime() - t1) / 1e9;

        System.out.printf("Source: %.2f GB of fp16 in %s%n", binBytes / 1e9, source);
        System.out.printf("Conversion to safetensors: %.1f s, %.0f MB/s of source; peak anonymous memory so far %.2f GB%n", conversion,
            binBytes / 1e6 / conversion, anonAfterConversion / 1e6);
        System.out.printf("Q4 quantization: %.1f s, %.0f MB/s of source%n", quantization, binBytes / 1e6 / quantization);
        System.out.printf("Peak anonymous memory (RssAnon, sampled every 50 ms): %.2f GB; VmHWM (with file-backed pages) %.2f GB; heap max %.1f GB%n",
            peak.peakKb() / 1e6, PeakAnon.status("VmHWM") / 1e6, Runtime.getRuntime().maxMemory() / 1e9);
        peak.stop();
    }

    /** The checkpoint: shard 1 holds the embeddings and the first half of the layers, shard 2 the rest and the head. */
    static long write(Path dir, int layers) throws IOException {
        Files.createDirectories(dir);
        List<List<String>> names = List.of(new ArrayList<>(), new ArrayList<>());
        List<List<long[]>> shapes = List.of(new ArrayList<>(), new ArrayList<>());
        add(names.get(0), shapes.get(0), "model.embed_tokens.weight", VOCAB, HIDDEN);
        for (int l = 0; l < layers; l++) {
            int s = l < (layers + 1) / 2 ? 0 : 1;
            String p = "model.layers." + l + ".";
            add(names.get(s), shapes.get(s), p + "self_attn.q_proj.weight", HIDDEN, HIDDEN);
            add(names.get(s), shapes.get(s), p + "self_attn.k_proj.weight", KV, HIDDEN);
            add(names.get(s), shapes.get(s), p + "self_attn.v_proj.weight", KV, HIDDEN);
            add(names.get(s), shapes.get(s), p + "self_attn.o_proj.weight", HIDDEN, HIDDEN);
            add(names.get(s), shapes.get(s), p + "mlp.gate_proj.weight", INTERMEDIATE, HIDDEN);
            add(names.get(s), shapes.get(s), p + "mlp.up_proj.weight", INTERMEDIATE, HIDDEN);
            add(names.get(s), shapes.get(s), p + "mlp.down_proj.weight", HIDDEN, INTERMEDIATE);
            add(names.get(s), shapes.get(s), p + "input_layernorm.weight", HIDDEN);
            add(names.get(s), shapes.get(s), p + "post_attention_layernorm.weight", HIDDEN);
        }
        add(names.get(1), shapes.get(1), "model.norm.weight", HIDDEN);
        add(names.get(1), shapes.get(1), "lm_head.weight", VOCAB, HIDDEN);

        byte[] pool = halfPool();
        ObjectMapper json = new ObjectMapper();
        ObjectNode index = json.createObjectNode();
        ObjectNode map = index.putObject("weight_map");
        long total = 0;
        for (int s = 0; s < 2; s++) {
            String file = String.format("pytorch_model-%05d-of-00002.bin", s + 1);
            try (ZipOutputStream zip = new ZipOutputStream(Files.newOutputStream(dir.resolve(file)))) {
                stored(zip, "archive/data.pkl", TorchCheckpointBytes.halfStateDict(names.get(s), shapes.get(s)));
                for (int i = 0; i < names.get(s).size(); i++) {
                    long bytes = 2;
                    for (long d : shapes.get(s).get(i)) bytes *= d;
                    storedFromPool(zip, "archive/data/" + i, pool, bytes, i * 7919L);
                    total += bytes;
                    map.put(names.get(s).get(i), file);
                }
            }
        }
        index.putObject("metadata").put("total_size", total);
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("pytorch_model.bin.index.json").toFile(), index);
        ObjectNode c = json.createObjectNode();
        c.putArray("architectures").add("MistralForCausalLM");
        c.put("model_type", "mistral").put("bos_token_id", 1).put("eos_token_id", 2).put("hidden_act", "silu").put("hidden_size", HIDDEN)
            .put("intermediate_size", INTERMEDIATE).put("max_position_embeddings", 32768).put("num_attention_heads", 32)
            .put("num_hidden_layers", layers).put("num_key_value_heads", 8).put("rms_norm_eps", 1e-5).put("rope_theta", 10000.0)
            .put("sliding_window", 4096).put("tie_word_embeddings", false).put("torch_dtype", "float16").put("vocab_size", VOCAB);
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("config.json").toFile(), c);
        for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
            Files.copy(Path.of(FirstStartBenchmark.class.getResource("/models/tiny-mistral-a/" + f).getPath()), dir.resolve(f),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        return total;
    }

    private static void add(List<String> names, List<long[]> shapes, String name, long... shape) {
        names.add(name);
        shapes.add(shape);
    }

    /** Random half floats of weight-like magnitude (|x| < ~0.06), cycled through for every tensor. */
    private static byte[] halfPool() {
        ByteBuffer b = ByteBuffer.allocate(POOL).order(ByteOrder.LITTLE_ENDIAN);
        SplittableRandom r = new SplittableRandom(3);
        while (b.hasRemaining()) b.putShort(Float.floatToFloat16((float) (r.nextGaussian() * 0.02)));
        return b.array();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        CRC32 crc = new CRC32();
        crc.update(data);
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(data.length);
        e.setCompressedSize(data.length);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        zip.write(data);
        zip.closeEntry();
    }

    /** A stored entry of {@code bytes} bytes taken from the pool at a start that differs per tensor (the CRC is computed first). */
    private static void storedFromPool(ZipOutputStream zip, String name, byte[] pool, long bytes, long seed) throws IOException {
        CRC32 crc = new CRC32();
        forEachChunk(pool, bytes, seed, (off, n) -> crc.update(pool, off, n));
        ZipEntry e = new ZipEntry(name);
        e.setMethod(ZipEntry.STORED);
        e.setSize(bytes);
        e.setCompressedSize(bytes);
        e.setCrc(crc.getValue());
        zip.putNextEntry(e);
        OutputStream out = zip;
        forEachChunk(pool, bytes, seed, (off, n) -> {
            try {
                out.write(pool, off, n);
            } catch (IOException x) {
                throw new java.io.UncheckedIOException(x);
            }
        });
        zip.closeEntry();
    }

    private interface Chunk {
        void accept(int offset, int length);
    }

    private static void forEachChunk(byte[] pool, long bytes, long seed, Chunk c) {
        int off = (int) ((seed * 4099) % (pool.length / 2)) & ~1;
        for (long left = bytes; left > 0; ) {
            int n = (int) Math.min(left, pool.length - off);
            c.accept(off, n);
            left -= n;
            off = 0;
        }
    }

    private static void deleteTree(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (var walk = Files.walk(p)) {
            for (Path x : walk.sorted(java.util.Comparator.reverseOrder()).toList()) Files.delete(x);
        }
    }

    /** Samples this process's RssAnon (anonymous resident memory: heap, direct buffers, not file-backed pages). */
    static final class PeakAnon {
        private volatile long peak;
        private volatile boolean running = true;
        private final Thread sampler = new Thread(() -> {
            while (running) {
                peak = Math.max(peak, status("RssAnon"));
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "rss-sampler");

        PeakAnon() {
            sampler.setDaemon(true);
            sampler.start();
        }

        void reset() {
            peak = status("RssAnon");
        }

        long peakKb() {
            return Math.max(peak, status("RssAnon")) * 1000 / 1000;
        }

        void stop() {
            running = false;
        }

        /** A field of /proc/self/status, in kB. */
        static long status(String field) {
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith(field + ":")) return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024 / 1000;
                }
            } catch (IOException | NumberFormatException e) {
                return 0;
            }
            return 0;
        }
    }
}
