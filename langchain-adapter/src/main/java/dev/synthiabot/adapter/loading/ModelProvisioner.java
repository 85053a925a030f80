package dev.synthiabot.adapter.loading;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns "a Hugging Face model id at a revision" or "a local directory" into a directory Jlama can load: downloads
 * the repository into the cache on first use (verified, resumable; offline ever after, see
 * {@link HuggingFaceDownloader}) and converts PyTorch .bin weights to safetensors (once; the converted copy is kept).
 * Q4 quantization then happens in {@link ModelLoader}. Unfinished directories of crashed runs are removed first.
 */
public final class ModelProvisioner {
    private static final Logger log = LoggerFactory.getLogger(ModelProvisioner.class);

    private ModelProvisioner() {}

    /** A local directory, converted to safetensors into {@code cacheDir} if it only has .bin weights. */
    public static Path local(Path dir, Path cacheDir) {
        Staging.removeAbandoned(cacheDir);
        if (!Files.isDirectory(dir) || hasSafetensors(dir) || !hasPytorchWeights(dir)) return dir; // ModelDirectory says what is wrong

        Path converted = cacheDir.resolve(dir.getFileName() + "-safetensors");
        return convertOnce(dir, converted);
    }

    /**
     * Downloads {@code repoId} at {@code revision} from {@code hub} into {@code cacheDir} unless it is complete there
     * (then the network is not touched), and prepares it.
     */
    public static Path fromHub(String repoId, String revision, URI hub, Path cacheDir, Optional<String> hfToken) {
        Path dir = cacheDir.resolve(repoId.replace("/", "--"));
        Optional<HuggingFaceDownloader.Snapshot> cached = HuggingFaceDownloader.complete(dir, repoId, revision);
        if (cached.isPresent()) {
            log.info("Model {} {} (commit {}) is in {}: starting without the network", repoId, revision, cached.get().commit(), dir);
        } else {
            try {
                new HuggingFaceDownloader(hub, hfToken).download(repoId, revision, dir);
            } catch (IOException e) {
                if (HuggingFaceDownloader.unreachable(e)) {
                    throw new UncheckedIOException("Cannot reach the Hugging Face hub at " + hub + " (" + HuggingFaceDownloader.reason(e) + "), and " + repoId
                        + " is not downloaded yet. Start once with the network, or put its files — config.json, tokenizer.json, "
                        + "tokenizer_config.json and the weights (pytorch_model-*.bin or *.safetensors, with their index .json) from " + hub + "/"
                        + repoId + "/tree/" + revision + " — into a directory and set model.local_path to it", e);
                }
                throw new UncheckedIOException("Could not download " + repoId + " (" + revision + ") from " + hub + ": " + HuggingFaceDownloader.reason(e), e);
            }
        }
        return local(dir, cacheDir);
    }

    private static Path convertOnce(Path source, Path target) {
        if (Files.isDirectory(target)) return target;
        try {
            log.info("Converting the PyTorch weights of {} to safetensors (once) into {}", source, target);
            return Staging.publish(target, staging -> TorchCheckpointConverter.convert(source, staging));
        } catch (IOException e) {
            throw new UncheckedIOException("Could not convert " + source + ": " + e.getMessage(), e);
        }
    }

    private static boolean hasSafetensors(Path dir) {
        return anyFile(dir, "[^/]*\\.safetensors");
    }

    private static boolean hasPytorchWeights(Path dir) {
        return anyFile(dir, "pytorch_model.*\\.bin");
    }

    private static boolean anyFile(Path dir, String regex) {
        try (Stream<Path> files = Files.list(dir)) {
            return files.anyMatch(p -> p.getFileName().toString().matches(regex));
        } catch (IOException e) {
            throw new ModelValidationException(dir, "cannot list the directory: " + e.getMessage());
        }
    }
}
