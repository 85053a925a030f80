package dev.synthiabot.adapter.transformer;

import com.github.tjake.jlama.model.AbstractModel;
import com.github.tjake.jlama.safetensors.Config;
import com.github.tjake.jlama.tensor.AbstractTensor;
import com.github.tjake.jlama.tensor.KvBufferCache;
import com.github.tjake.jlama.tensor.operations.TensorOperationsProvider;
import com.github.tjake.jlama.util.MachineSpec;
import dev.synthiabot.adapter.loading.LoadedModel;
import java.util.Optional;

/** Jlama's own forward pass and (in-memory, ephemeral) KV buffers; owns (and closes) the loaded model. */
public final class JlamaTransformer implements Transformer {
    private final LoadedModel loaded;
    private final AbstractModel model;
    private final KvBufferCache buffers;
    private final Config config;

    public JlamaTransformer(LoadedModel loaded) {
        this.loaded = loaded;
        this.model = loaded.model();
        this.buffers = new KvBufferCache(model);
        this.config = model.getConfig();
    }

    private record JlamaState(KvBufferCache.KvBuffer buffer) implements State {
        @Override
        public void close() {
            buffer.close();
        }
    }

    @Override
    public State newState() {
        return new JlamaState(buffers.getEphemeralKvBuffer());
    }

    /** Jlama's forward pass takes one conversation at a time: the segments run one after the other. */
    @Override
    public float[][] forward(java.util.List<Segment> segments) {
        float[][] out = new float[segments.size()][];
        for (int i = 0; i < out.length; i++) {
            Segment s = segments.get(i);
            float[] probs = forwardOne(s.tokens(), s.start(), s.state());
            out[i] = s.wantsNext() ? probs : null;
        }
        return out;
    }

    private float[] forwardOne(int[] tokens, int start, State state) {
        KvBufferCache.KvBuffer kv = ((JlamaState) state).buffer();
        if (tokens.length == 1) {
            try (AbstractTensor out = model.forward(tokens[0], start, kv, Optional.empty())) {
                return model.getLogits(out);
            }
        }
        AbstractTensor out = model.batchForward(tokens, start, kv);
        try {
            return model.getLogits(out.slice(out.shape().first() - 1));
        } finally {
            out.close();
        }
    }

    @Override
    public void copyPrefix(State from, State to, int n) {
        KvBufferCache.KvBuffer src = ((JlamaState) from).buffer();
        KvBufferCache.KvBuffer dst = ((JlamaState) to).buffer();
        int start = config.dctx().kvSegmentStart;
        int len = config.dctx().kvSegmentLength;
        for (int layer = 0; layer < config.dctx().numberOfLayers; layer++) {
            for (int pos = 0; pos < n; pos++) {
                copy(src.getKeyTensorForPosition(layer, pos), dst.getKeyTensorForPosition(layer, pos), start, len);
                copy(src.getValTensorForPosition(layer, pos), dst.getValTensorForPosition(layer, pos), start, len);
            }
        }
    }

    private static void copy(AbstractTensor src, AbstractTensor dst, int start, int len) {
        dst.copyFrom(src, src.getOffset(0, start), dst.getOffset(0, start), len);
    }

    @Override
    public long bytesPerToken() {
        return 2L * config.numberOfLayers * config.kvLength * model.getWorkingDType().size();
    }

    @Override
    public String describe() {
        String width = switch (MachineSpec.VECTOR_TYPE) {
            case AVX_512 -> "AVX-512 (512-bit vectors)";
            case AVX_256 -> "AVX2 (256-bit vectors)";
            case ARM_128 -> "ARM NEON (128-bit vectors)";
            case NONE -> "no usable vector width: scalar fallback (slow)";
        };
        return "Jlama forward pass (" + TensorOperationsProvider.get().name() + ", " + width + ", "
            + Runtime.getRuntime().availableProcessors() + " CPUs)";
    }

    @Override
    public void close() {
        buffers.close();
        loaded.close();
    }
}
