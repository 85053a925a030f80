package dev.synthiabot.adapter.loading;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one way a cache directory is made (a converted or quantized model): written into {@code <target>.partial-<pid>},
 * then moved into place atomically, removed on failure. A crash leaves only a {@code .partial-<pid>} directory, which
 * no start mistakes for a finished one and the next start removes ({@link #removeAbandoned}).
 */
final class Staging {
    private static final Logger log = LoggerFactory.getLogger(Staging.class);
    private static final Pattern PARTIAL = Pattern.compile(".*\\.partial-(\\d+)");
    /** Files of a model directory that every derived copy keeps beside its weights. */
    static final List<String> METADATA = List.of("config.json", "tokenizer.json", "tokenizer_config.json", "generation_config.json");

    private Staging() {}

    interface Writer {
        void write(Path staging) throws IOException;
    }

    /** Makes {@code target} by {@code writer} in a staging directory, then publishes it atomically. */
    static Path publish(Path target, Writer writer) throws IOException {
        Path staging = target.resolveSibling(target.getFileName() + ".partial-" + ProcessHandle.current().pid());
        deleteRecursively(staging);
        Files.createDirectories(staging);
        try {
            writer.write(staging);
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            return target;
        } catch (IOException | RuntimeException e) {
            deleteRecursively(staging);
            throw e;
        }
    }

    /** Copies the config and tokenizer files of {@code source} that exist into {@code target}. */
    static void copyMetadata(Path source, Path target) throws IOException {
        for (String f : METADATA) {
            if (Files.exists(source.resolve(f))) Files.copy(source.resolve(f), target.resolve(f), StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Removes staging directories in {@code dir} left by processes that no longer run (a crash, a kill). */
    static void removeAbandoned(Path dir) {
        if (!Files.isDirectory(dir)) return;
        try (Stream<Path> entries = Files.list(dir)) {
            for (Path p : entries.toList()) {
                Matcher m = PARTIAL.matcher(p.getFileName().toString());
                if (!m.matches() || !Files.isDirectory(p)) continue;
                long pid = Long.parseLong(m.group(1));
                if (pid == ProcessHandle.current().pid() || ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)) continue;
                log.info("Removing {}, left unfinished by a run that stopped (process {})", p, pid);
                deleteRecursively(p);
            }
        } catch (IOException e) {
            log.warn("Could not clean up unfinished directories in {}: {}", dir, e.getMessage());
        }
    }

    static void deleteRecursively(Path p) throws IOException {
        if (!Files.exists(p)) return;
        try (Stream<Path> walk = Files.walk(p)) {
            for (Path x : walk.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(x);
        }
    }
}
