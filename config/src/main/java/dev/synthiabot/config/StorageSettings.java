package dev.synthiabot.config;

import java.nio.file.Path;
import java.util.Objects;

/** Where the bot keeps its state. */
public record StorageSettings(Path databasePath) {
    public StorageSettings {
        Objects.requireNonNull(databasePath, "databasePath");
        Problems p = new Problems();
        p.check(!Objects.toString(databasePath.getFileName(), "").isBlank(), "storage.database_path", databasePath.toString(), "is not a file path");
        p.throwIfAny();
    }
}
