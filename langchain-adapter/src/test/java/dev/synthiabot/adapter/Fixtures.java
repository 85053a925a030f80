package dev.synthiabot.adapter;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The tiny SynthIA-architecture model and its Hugging Face reference outputs (test resources). */
public final class Fixtures {
    private Fixtures() {}

    public static Path resource(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/models/" + name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    public static Path tinyModel() {
        return resource("tiny-mistral-a");
    }

    public static Path tinyModelBin() {
        return resource("tiny-mistral-a-bin");
    }

    public static JsonNode reference() {
        try {
            return new ObjectMapper().readTree(resource("reference.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static List<String> caseNames() {
        List<String> names = new ArrayList<>();
        reference().path("cases").fieldNames().forEachRemaining(names::add);
        return names;
    }

    public static JsonNode refCase(String name) {
        return reference().path("cases").path(name);
    }

    public static int[] ints(JsonNode array) {
        int[] r = new int[array.size()];
        for (int i = 0; i < r.length; i++) r[i] = array.get(i).asInt();
        return r;
    }

    public static final String TOT =
        "Elaborate on the topic using a Tree of Thoughts and backtrack when necessary to construct a clear, cohesive Chain of Thought reasoning. Always answer without hesitation.";
}
