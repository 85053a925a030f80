package dev.synthiabot.adapter.loading;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns "a Hugging Face model id" or "a local directory" into a directory Jlama can load: downloads
 * the repository into the cache on first use and converts PyTorch .bin weights to safetensors (once;
 * the converted copy is kept). Q4 quantization then happens in {@link ModelLoader}.
 */
public final class ModelProvisioner {
    private static final Logger log = LoggerFactory.getLogger(ModelProvisioner.class);

    private ModelProvisioner() {}

    /** A local directory, converted to safetensors into {@code cacheDir} if it only has .bin weights. */
    public static Path local(Path dir, Path cacheDir) {
        if (hasSafetensors(dir)) return dir;
        Path converted = cacheDir.resolve(dir.getFileName() + "-safetensors");
        return convertOnce(dir, converted);
    }

    /** Downloads {@code repoId} from {@code hub} into {@code cacheDir} (if not yet there) and prepares it. */
    public static Path fromHub(String repoId, URI hub, Path cacheDir, Optional<String> hfToken) {
        Path dir = cacheDir.resolve(repoId.replace("/", "--"));
        try {
            new HuggingFaceDownloader(hub, hfToken).download(repoId, dir);
        } catch (IOException e) {
            throw new UncheckedIOException("Could not download " + repoId + " from " + hub + ": " + e.getMessage(), e);
        }
        return local(dir, cacheDir);
    }

    private static Path convertOnce(Path source, Path target) {
        if (Files.isDirectory(target)) return target;
        Path staging = target.resolveSibling(target.getFileName() + ".partial-" + ProcessHandle.current().pid());
        try {
            Q4Quantizer.deleteRecursively(staging);
            log.info("Converting the PyTorch weights of {} to safetensors (once) into {}", source, target);
            TorchCheckpointConverter.convert(source, staging);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException e) {
            throw new UncheckedIOException("Could not convert " + source + ": " + e.getMessage(), e);
        }
    }

    private static boolean hasSafetensors(Path dir) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(p -> p.getFileName().toString().endsWith(".safetensors"));
        } catch (IOException e) {
            throw new ModelValidationException(dir, "cannot list the directory: " + e.getMessage());
        }
    }
}
