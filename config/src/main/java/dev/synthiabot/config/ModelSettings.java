package dev.synthiabot.config;

import java.net.URI;
import java.nio.file.Path;
import java.util.Optional;

/** Which model to run and how. */
public record ModelSettings(String huggingfaceId, String huggingfaceRevision, URI huggingfaceUrl, Optional<Path> localPath, Path cacheDir,
                            String quantization, String activations, int threads, int maxConcurrent, int contextWindow, int kvCacheMb,
                            String kvCachePrecision) {
    public ModelSettings {
        Problems p = new Problems();
        p.check(huggingfaceId.matches("[A-Za-z0-9][A-Za-z0-9._-]*/[A-Za-z0-9][A-Za-z0-9._-]*"), "model.huggingface_id", huggingfaceId,
            "is not a Hugging Face model id (owner/name)");
        p.check(huggingfaceRevision.matches("[A-Za-z0-9][A-Za-z0-9._/-]*") && !huggingfaceRevision.contains(".."), "model.huggingface_revision",
            huggingfaceRevision, "is not a branch, tag or commit name");
        p.check(quantization.equals("q4") || quantization.equals("none"), "model.quantization", quantization, "is not one of: q4, none");
        p.check(activations.equals("q8") || activations.equals("f32"), "model.activations", activations, "is not one of: q8, f32");
        p.range("model.threads", threads, 0, 1024);
        p.range("model.max_concurrent", maxConcurrent, 0, 64);
        p.range("model.context_window", contextWindow, 256, 32768);
        p.range("model.kv_cache_mb", kvCacheMb, 0, 1 << 20);
        p.check(kvCachePrecision.equals("bf16") || kvCachePrecision.equals("f32"), "model.kv_cache_precision", kvCachePrecision,
            "is not one of: bf16, f32");
        p.throwIfAny();
    }

    public boolean quantizeToQ4() {
        return quantization.equals("q4");
    }

    /** Whether every token's activations are taken as 8-bit integers by the Q4 kernels (else as floats). */
    public boolean q8Activations() {
        return activations.equals("q8");
    }

    /** Whether keys and values are kept as bfloat16 (else as floats). */
    public boolean bf16KvCache() {
        return kvCachePrecision.equals("bf16");
    }
}
