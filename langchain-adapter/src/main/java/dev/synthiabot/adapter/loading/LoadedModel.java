package dev.synthiabot.adapter.loading;

import com.github.tjake.jlama.model.AbstractModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** A Jlama model and the scratch directory Jlama was given; closing it removes the scratch directory. */
public record LoadedModel(AbstractModel model, Path loadedFrom, Path workingDirectory, boolean quantized)
    implements AutoCloseable {

    @Override
    public void close() {
        model.close();
        try {
            Staging.deleteRecursively(workingDirectory);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
