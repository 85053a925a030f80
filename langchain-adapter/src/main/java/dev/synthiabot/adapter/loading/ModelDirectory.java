package dev.synthiabot.adapter.loading;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A local model directory, checked before Jlama sees it: Jlama's own errors for a bad directory are
 * generic, and one problem (a config without top-level {@code rope_theta}) makes it silently compute
 * wrong logits instead of failing.
 *
 * @param dir the directory
 * @param config config.json, parsed
 * @param weightFiles the safetensors files
 * @param quantized whether the weights are already Jlama Q4
 */
public record ModelDirectory(Path dir, JsonNode config, List<Path> weightFiles, boolean quantized) {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> ARCHITECTURES = Set.of("MistralForCausalLM", "LlamaForCausalLM");
    private static final Set<String> MODEL_TYPES = Set.of("mistral", "llama");

    /** Checks the directory; throws {@link ModelValidationException} naming the first problem found. */
    public static ModelDirectory open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new ModelValidationException(dir, "model directory does not exist (expected config.json, tokenizer.json and *.safetensors in it)");
        }
        JsonNode config = readJson(dir.resolve("config.json"), "the model's configuration");
        checkConfig(dir.resolve("config.json"), config);
        JsonNode tokenizer = readJson(dir.resolve("tokenizer.json"), "the tokenizer");
        List<Path> weights = weightFiles(dir);
        checkVocabulary(dir, config, tokenizer, weights);
        return new ModelDirectory(dir, config, weights, isQuantized(weights));
    }

    private static JsonNode readJson(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new ModelValidationException(file, "missing (" + what + ")");
        }
        try {
            return JSON.readTree(file.toFile());
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ModelValidationException(file, "is not valid JSON: " + e.getOriginalMessage());
        } catch (IOException e) {
            throw new ModelValidationException(file, "cannot be read: " + e.getMessage());
        }
    }

    private static void checkConfig(Path file, JsonNode c) {
        List<String> archs = new ArrayList<>();
        c.path("architectures").forEach(a -> archs.add(a.asText()));
        String type = c.path("model_type").asText("");
        boolean supported = archs.stream().anyMatch(ARCHITECTURES::contains) || (archs.isEmpty() && MODEL_TYPES.contains(type));
        if (!supported) {
            throw new ModelValidationException(file, "architecture " + (archs.isEmpty() ? "model_type '" + type + "'" : archs)
                + " is not supported; expected MistralForCausalLM or LlamaForCausalLM (SynthIA-7B is Mistral)");
        }
        if (!c.hasNonNull("rope_theta")) {
            String why = c.has("rope_parameters")
                ? "has 'rope_parameters' (transformers 5 style) but no top-level 'rope_theta'; Jlama would silently use another RoPE theta and compute wrong logits. Add \"rope_theta\": "
                    + c.path("rope_parameters").path("rope_theta").asText("<value>") + " at the top level"
                : "has no top-level 'rope_theta'; add it (Mistral-7B uses 10000.0)";
            throw new ModelValidationException(file, why);
        }
        for (String key : List.of("hidden_size", "intermediate_size", "num_hidden_layers", "num_attention_heads", "vocab_size")) {
            if (!c.path(key).canConvertToInt() || c.path(key).asInt() <= 0) {
                throw new ModelValidationException(file, "'" + key + "' is missing or not a positive integer");
            }
        }
    }

    private static List<Path> weightFiles(Path dir) {
        List<Path> safetensors;
        try (Stream<Path> files = Files.list(dir)) {
            safetensors = files.filter(p -> p.getFileName().toString().endsWith(".safetensors")).sorted().toList();
        } catch (IOException e) {
            throw new ModelValidationException(dir, "cannot list the directory: " + e.getMessage());
        }
        if (safetensors.isEmpty()) {
            boolean bin = Files.exists(dir.resolve("pytorch_model.bin")) || Files.exists(dir.resolve("pytorch_model.bin.index.json"));
            throw new ModelValidationException(dir, bin
                ? "has only PyTorch .bin weights; convert them to safetensors first (ModelProvisioner does, and the bot uses it)"
                : "no *.safetensors weight files");
        }
        if (safetensors.size() > 1 && !Files.exists(dir.resolve("model.safetensors.index.json"))) {
            throw new ModelValidationException(dir, safetensors.size() + " safetensors files but no model.safetensors.index.json to say which tensor is where");
        }
        return safetensors;
    }

    private static void checkVocabulary(Path dir, JsonNode config, JsonNode tokenizer, List<Path> weights) {
        int configVocab = config.path("vocab_size").asInt();
        int tokenizerVocab = tokenizer.path("model").path("vocab").size();
        Iterator<JsonNode> added = tokenizer.path("added_tokens").elements();
        while (added.hasNext()) {
            int id = added.next().path("id").asInt(-1);
            tokenizerVocab = Math.max(tokenizerVocab, id + 1);
        }
        if (tokenizerVocab == 0) {
            throw new ModelValidationException(dir.resolve("tokenizer.json"), "has no model.vocab");
        }
        if (tokenizerVocab > configVocab) {
            throw new ModelValidationException(dir.resolve("tokenizer.json"),
                "vocabulary mismatch: the tokenizer has " + tokenizerVocab + " tokens but config.json vocab_size is " + configVocab);
        }
        for (Path w : weights) {
            JsonNode header = safetensorsHeader(w);
            JsonNode embed = header.path("model.embed_tokens.weight");
            if (!embed.isMissingNode()) {
                int rows = embed.path("shape").path(0).asInt();
                if (rows != configVocab) {
                    throw new ModelValidationException(w, "vocabulary mismatch: model.embed_tokens.weight has " + rows
                        + " rows but config.json vocab_size is " + configVocab);
                }
            }
        }
    }

    private static boolean isQuantized(List<Path> weights) {
        for (Path w : weights) {
            for (JsonNode t : safetensorsHeader(w)) {
                if ("Q4".equals(t.path("dtype").asText())) return true;
            }
        }
        return false;
    }

    /** The JSON header of a safetensors file. */
    public static JsonNode safetensorsHeader(Path file) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (ch.read(len, 0) != 8) throw new ModelValidationException(file, "is not a safetensors file (too short)");
            long n = len.flip().getLong();
            if (n <= 0 || n > 100_000_000 || n > ch.size() - 8) {
                throw new ModelValidationException(file, "is not a safetensors file (bad header length " + n + ")");
            }
            ByteBuffer header = ByteBuffer.allocate((int) n);
            ch.read(header, 8);
            return JSON.readTree(header.array());
        } catch (IOException e) {
            throw new ModelValidationException(file, "cannot read the safetensors header: " + e.getMessage());
        }
    }

    public int vocabSize() {
        return config.path("vocab_size").asInt();
    }
}
