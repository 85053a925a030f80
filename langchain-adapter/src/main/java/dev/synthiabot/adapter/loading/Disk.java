package dev.synthiabot.adapter.loading;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Free disk, checked before a step that writes gigabytes, so it fails at once with the figures instead of half-way. */
final class Disk {
    private Disk() {}

    static void require(Path dir, long needed, String what) throws IOException {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.exists(existing)) existing = existing.getParent();
        if (existing == null) return;
        long free = Files.getFileStore(existing).getUsableSpace();
        if (free < needed) {
            throw new IOException("not enough disk for " + what + " in " + dir + ": it needs " + Progress.mb(needed) + ", " + Progress.mb(free)
                + " are free (free some space or point model.cache_dir elsewhere)");
        }
    }
}
