package dev.synthiabot.adapter.loading;

import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.model.ModelSupport;
import com.github.tjake.jlama.safetensors.Config;
import com.github.tjake.jlama.safetensors.DType;
import com.github.tjake.jlama.safetensors.SafeTensorSupport;
import com.github.tjake.jlama.safetensors.tokenizer.Tokenizer;
import com.github.tjake.jlama.util.JsonSupport;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Validates a model directory, quantizes it to Q4 once into a cache directory if asked (reused on
 * the next start), and loads it with Jlama.
 */
public final class ModelLoader {
    private static final Logger log = LoggerFactory.getLogger(ModelLoader.class);

    private ModelLoader() {}

    /**
     * @param dir a model directory (config.json, tokenizer.json, *.safetensors)
     * @param quantizeToQ4 quantize unquantized weights to Q4 (into {@code cacheDir}) before loading
     * @param cacheDir where quantized models are kept between starts
     * @param threads worker threads for Jlama (settable once per JVM), or empty for its default
     */
    public static LoadedModel load(Path dir, boolean quantizeToQ4, Path cacheDir, Optional<Integer> threads) {
        return load(prepare(dir, quantizeToQ4, cacheDir), threads);
    }

    /** A validated model directory, quantized to Q4 first if asked: what to load and whether it is Q4. */
    public record Prepared(Path dir, boolean quantized) {}

    /**
     * Checks the directory and makes (or reuses) its Q4 copy if asked; loads nothing. A directory of PyTorch .bin
     * shards is converted to safetensors first (once, into {@code cacheDir}).
     */
    public static Prepared prepare(Path dir, boolean quantizeToQ4, Path cacheDir) {
        dir = ModelProvisioner.local(dir, cacheDir);
        ModelDirectory md = ModelDirectory.open(dir);
        if (quantizeToQ4 && !md.quantized()) {
            Path q4 = quantizedCopy(md, cacheDir);
            ModelDirectory.open(q4);
            return new Prepared(q4, true);
        }
        return new Prepared(dir, md.quantized());
    }

    /** The tokenizer and configuration of a model, as Jlama reads them, without its weights. */
    public record TokenizerAndConfig(Tokenizer tokenizer, Config config) {}

    /** Reads only config.json and tokenizer.json (for a forward pass that reads the weights itself). */
    public static TokenizerAndConfig tokenizerAndConfig(Path dir) {
        try {
            File configFile = dir.resolve("config.json").toFile();
            ModelSupport.ModelType type = SafeTensorSupport.detectModel(configFile);
            Config config = JsonSupport.om.readValue(configFile, type.configClass);
            Tokenizer tokenizer = type.tokenizerClass.getConstructor(Path.class).newInstance(dir);
            return new TokenizerAndConfig(tokenizer, config);
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot read the configuration in " + dir + ": " + e.getMessage(), e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Cannot create the tokenizer of " + dir + ": " + e, e);
        }
    }

    /** Loads a prepared model with Jlama (weights memory-mapped). */
    public static LoadedModel load(Prepared prepared, Optional<Integer> threads) {
        Path toLoad = prepared.dir();
        long t0 = System.nanoTime();
        Path work;
        try {
            work = Files.createTempDirectory("synthia-jlama-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        AbstractModel model = ModelSupport.loadModel(toLoad.toFile(), work.toFile(), DType.F32, DType.I8, Optional.empty(), threads);
        long nanos = System.nanoTime() - t0;
        log.info("Loaded {} ({}) in {} ms", toLoad, prepared.quantized() ? "Q4" : "unquantized", nanos / 1_000_000);
        return new LoadedModel(model, toLoad, work, prepared.quantized());
    }

    /** The Q4 copy of a model in the cache, made now if it is not there yet. */
    public static Path quantizedCopy(ModelDirectory md, Path cacheDir) {
        Path target = cacheDir.resolve(md.dir().getFileName() + "-Q4-" + fingerprint(md));
        if (Files.isDirectory(target)) {
            log.info("Using the cached Q4 model {}", target);
            return target;
        }
        try {
            Files.createDirectories(cacheDir);
            Staging.removeAbandoned(cacheDir);
            log.info("Quantizing {} to Q4 into {} (once; later starts reuse it)", md.dir(), target);
            return Q4Quantizer.quantize(md.dir(), target);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not quantize " + md.dir() + " into " + cacheDir + ": " + e.getMessage(), e);
        }
    }

    /** Identifies the source weights: path, sizes and modification times, so a changed model is re-quantized. */
    static String fingerprint(ModelDirectory md) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            sha.update(md.dir().toAbsolutePath().normalize().toString().getBytes(StandardCharsets.UTF_8));
            sha.update(Files.readAllBytes(md.dir().resolve("config.json")));
            for (Path w : md.weightFiles()) {
                sha.update((w.getFileName() + ":" + Files.size(w) + ":" + Files.getLastModifiedTime(w).toMillis()).getBytes(StandardCharsets.UTF_8));
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException("Cannot fingerprint " + md.dir(), e);
        }
    }
}
