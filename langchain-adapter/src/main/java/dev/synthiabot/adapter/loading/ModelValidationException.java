package dev.synthiabot.adapter.loading;

import java.nio.file.Path;

/** A model directory that cannot be loaded; the message names the file and the problem. */
public final class ModelValidationException extends IllegalArgumentException {
    private final Path file;

    public ModelValidationException(Path file, String problem) {
        super(file + ": " + problem);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
