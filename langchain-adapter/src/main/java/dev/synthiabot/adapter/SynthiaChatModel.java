package dev.synthiabot.adapter;

import com.github.tjake.jlama.safetensors.Config;
import com.github.tjake.jlama.safetensors.tokenizer.Tokenizer;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.listener.ChatModelListener;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.ChatResponseMetadata;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import dev.synthiabot.adapter.generation.GenerationEngine;
import dev.synthiabot.adapter.generation.GenerationListener;
import dev.synthiabot.adapter.generation.GenerationResult;
import dev.synthiabot.adapter.generation.SamplingParams;
import dev.synthiabot.adapter.generation.TokenBytes;
import dev.synthiabot.adapter.kernels.Cores;
import dev.synthiabot.adapter.kernels.KvCache;
import dev.synthiabot.adapter.kernels.Q4Kernels;
import dev.synthiabot.adapter.kv.KvCacheManager;
import dev.synthiabot.adapter.transformer.JlamaTransformer;
import dev.synthiabot.adapter.transformer.Q4Transformer;
import dev.synthiabot.adapter.transformer.Transformer;
import dev.synthiabot.adapter.loading.LoadedModel;
import dev.synthiabot.adapter.loading.ModelLoader;
import dev.synthiabot.adapter.loading.ModelProvisioner;
import dev.synthiabot.adapter.loading.Progress;
import dev.synthiabot.adapter.prompt.PromptEncoder;
import dev.synthiabot.adapter.prompt.SynthiaTemplate;
import dev.synthiabot.adapter.prompt.Transcript;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * SynthIA-7B (or any Mistral/Llama model in SynthIA's prompt format) as a LangChain4j
 * {@link ChatModel} and {@link StreamingChatModel}, running locally: on our Q4 kernels for quantized weights, on
 * Jlama's forward pass otherwise ({@link Kernels}).
 *
 * <p>Streaming runs in the calling thread and never throws: errors go to
 * {@link StreamingChatResponseHandler#onError}. A streaming answer is cancelled through the
 * {@link StreamingHandle} of {@link PartialResponseContext} or by interrupting the calling thread;
 * either stops it before the next token. Concurrent calls are generated together, up to
 * {@link Builder#maxConcurrent} at once (each step runs one token of each through the model in one pass over the
 * weights), each streaming its own answer on its own thread; more wait for a place.
 */
public final class SynthiaChatModel implements ChatModel, StreamingChatModel, AutoCloseable {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SynthiaChatModel.class);

    /** Which forward pass runs the model. */
    public enum Kernels {
        /** Our Q4 kernels for quantized weights, Jlama's forward pass otherwise (the default). */
        AUTO,
        /** Our Vector API kernels (Q4 weights only). */
        SYNTHIA,
        /** Jlama's own forward pass and kernels. */
        JLAMA
    }

    // The builder's defaults; temperature, top_k and top_p are SynthIA's model card's.
    public static final double DEFAULT_TEMPERATURE = 0.75;
    public static final int DEFAULT_TOP_K = 50;
    public static final double DEFAULT_TOP_P = 1.0;
    public static final int DEFAULT_MAX_OUTPUT_TOKENS = 512;
    public static final int DEFAULT_CONTEXT_WINDOW = 4096;
    public static final long DEFAULT_KV_CACHE_BYTES = 2L << 30;

    /** How our Q4 kernels take every token's activations. */
    public enum Activations {
        /** 8-bit integers per block of 32, as llama.cpp does (the default). */
        Q8,
        /** Exact floats through the float GEMM: several times slower answers, for checking. */
        F32
    }

    /** How our Q4 forward pass keeps keys and values. */
    public enum KvCachePrecision {
        /** bfloat16: half the memory and faster attention over long conversations (the default). */
        BF16,
        /** Exact floats. */
        F32
    }

    private final boolean quantized;
    private final Tokenizer tokenizer;
    private final GenerationEngine engine;
    private final ChatRequestParameters defaults;
    private final OptionalLong seed;
    private final List<ChatModelListener> listeners;
    private final String modelName;
    private final String forwardPass;
    private final long kvCacheBudget;

    /** A loaded model ready to answer ({@link Builder#build()} does the loading). */
    private SynthiaChatModel(Builder b, GenerationEngine engine, Tokenizer tokenizer, boolean quantized, String modelName) {
        this.engine = engine;
        this.tokenizer = tokenizer;
        this.quantized = quantized;
        this.modelName = modelName;
        this.forwardPass = engine.transformer().describe();
        this.kvCacheBudget = b.kvCacheBytes;
        this.defaults = DefaultChatRequestParameters.builder()
            .modelName(modelName)
            .temperature(b.temperature)
            .topK(b.topK)
            .topP(b.topP)
            .maxOutputTokens(b.maxOutputTokens)
            .stopSequences(b.stopSequences)
            .build();
        this.seed = b.seed == null ? OptionalLong.empty() : OptionalLong.of(b.seed);
        this.listeners = List.copyOf(b.listeners);
    }

    private static Path defaultCacheDir(Path modelPath) {
        return modelPath.toAbsolutePath().getParent().resolve(".synthia-cache");
    }

    private static int[] toInts(long[] ids) {
        int[] r = new int[ids.length];
        for (int i = 0; i < ids.length; i++) r[i] = Math.toIntExact(ids[i]);
        return r;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The module of the Java Vector API, which our kernels (and Jlama's) are written on. */
    private static final String VECTOR_MODULE = "jdk.incubator.vector";

    /**
     * What is wrong when this JVM cannot run the model: empty when it can; else a one-line message for the person
     * starting it, naming the flag that fixes it (the Vector API is an incubator module, left out unless asked for).
     * {@link Builder#prepare()} and {@link Builder#build()} throw an {@link IllegalStateException} with this message.
     */
    public static Optional<String> vectorApiProblem() {
        if (ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent()) return Optional.empty();
        return Optional.of("the JVM lacks the Vector API (module " + VECTOR_MODULE + ") that the model's kernels run on: "
            + "start it with --add-modules " + VECTOR_MODULE);
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        GenerationResult r = engine.generate(MessageMapper.toTranscript(request.messages()), sampling(request.parameters()),
            interruptible(GenerationListener.NONE));
        return toResponse(r);
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        CancelFlag cancelled = new CancelFlag();
        PartialResponseContext context = new PartialResponseContext(cancelled);
        GenerationResult r;
        try {
            r = engine.generate(MessageMapper.toTranscript(request.messages()), sampling(request.parameters()),
                interruptible(new GenerationListener() {
                    @Override
                    public void onText(String piece) {
                        handler.onPartialResponse(new PartialResponse(piece), context);
                    }

                    @Override
                    public boolean isCancelled() {
                        return cancelled.isCancelled();
                    }
                }));
        } catch (Throwable t) {
            handler.onError(t);
            return;
        }
        try {
            handler.onCompleteResponse(toResponse(r));
        } catch (Throwable t) {
            handler.onError(t);
        }
    }

    private static GenerationListener interruptible(GenerationListener l) {
        return new GenerationListener() {
            @Override
            public void onText(String piece) {
                l.onText(piece);
            }

            @Override
            public boolean isCancelled() {
                return l.isCancelled() || Thread.currentThread().isInterrupted();
            }
        };
    }

    /**
     * The request's sampling, its stop sequences after SynthIA's own turn markers. LangChain4j's {@code chat} has
     * already laid the request's parameters over {@link #defaultRequestParameters()} (the builder's values, all set),
     * so each one is there.
     */
    private SamplingParams sampling(ChatRequestParameters p) {
        Set<String> stops = new LinkedHashSet<>(SynthiaTemplate.DEFAULT_STOPS);
        stops.addAll(p.stopSequences());
        return new SamplingParams(p.temperature(), p.topK(), p.topP(), seed, p.maxOutputTokens(), new ArrayList<>(stops));
    }

    private ChatResponse toResponse(GenerationResult r) {
        FinishReason reason = switch (r.finish()) {
            case STOP -> FinishReason.STOP;
            case LENGTH -> FinishReason.LENGTH;
            case CANCELLED -> FinishReason.OTHER;
        };
        return ChatResponse.builder()
            .aiMessage(AiMessage.from(r.answer()))
            .metadata(ChatResponseMetadata.builder()
                .modelName(modelName)
                .finishReason(reason)
                .tokenUsage(new SynthiaTokenUsage(r.promptTokens(), r.reusedTokens(), r.generatedTokens()))
                .build())
            .build();
    }

    /** Answers generated at once at most (more calls wait for a place). */
    public int maxConcurrent() {
        return engine.maxConcurrent();
    }

    /** The generation engine behind the model: for the adapter's own tests and benchmarks. */
    GenerationEngine engine() {
        return engine;
    }

    /** How the model runs now: its forward pass and kernels, and its KV cache's conversations and memory. */
    public SynthiaModelStatus status() {
        return new SynthiaModelStatus(forwardPass, engine.kvCache().conversations(), engine.kvCache().usedBytes(), kvCacheBudget);
    }

    /** Whether the model runs on Q4 weights. */
    public boolean quantized() {
        return quantized;
    }

    /** The model's tokenizer (Jlama's): for the adapter's own tests. */
    Tokenizer tokenizer() {
        return tokenizer;
    }

    @Override
    public ChatRequestParameters defaultRequestParameters() {
        return defaults;
    }

    @Override
    public List<ChatModelListener> listeners() {
        return listeners;
    }

    @Override
    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    @Override
    public Set<Capability> supportedCapabilities() {
        return Set.of();
    }

    @Override
    public void close() {
        engine.close();
    }

    /** Builder with SynthIA's model-card defaults (temperature 0.75, top_k 50, top_p 1.0). */
    public static final class Builder {
        private Path modelPath;
        private HubSource hub;
        private boolean quantize = true;
        private Path cacheDir;
        private Integer threads;
        private Kernels kernels = Kernels.AUTO;
        private Activations activations = Activations.Q8;
        private KvCachePrecision kvPrecision = KvCachePrecision.BF16;
        private int contextWindow = DEFAULT_CONTEXT_WINDOW;
        private long kvCacheBytes = DEFAULT_KV_CACHE_BYTES;
        private Integer maxConcurrent;
        private double temperature = DEFAULT_TEMPERATURE;
        private int topK = DEFAULT_TOP_K;
        private double topP = DEFAULT_TOP_P;
        private int maxOutputTokens = DEFAULT_MAX_OUTPUT_TOKENS;
        private List<String> stopSequences = SynthiaTemplate.DEFAULT_STOPS;
        private Long seed;
        private String modelName;
        private LoadProgressListener loadProgress;
        private final List<ChatModelListener> listeners = new ArrayList<>();

        private Builder() {}

        /** Local model directory: config.json, tokenizer.json and *.safetensors (or PyTorch .bin shards). */
        public Builder modelPath(Path modelPath) {
            this.modelPath = modelPath;
            this.hub = null;
            return this;
        }

        /**
         * The model from a Hugging Face hub instead of a local directory: {@code revision} (a branch, tag or commit) is
         * resolved to its commit and downloaded into {@link #cacheDir} once, verified; later starts use those files
         * without the network. {@code token}: for gated or private repositories (null: none).
         */
        public Builder huggingFace(String repoId, String revision, java.net.URI hubUrl, String token) {
            this.hub = new HubSource(repoId, revision, hubUrl, Optional.ofNullable(token));
            this.modelPath = null;
            return this;
        }

        private record HubSource(String repoId, String revision, java.net.URI url, Optional<String> token) {}

        /** Quantize unquantized weights to Q4 once, into {@link #cacheDir} (default true). */
        public Builder quantize(boolean quantize) {
            this.quantize = quantize;
            return this;
        }

        /** Where the Q4 copy is kept between starts (default: {@code .synthia-cache} beside the model). */
        public Builder cacheDir(Path cacheDir) {
            this.cacheDir = cacheDir;
            return this;
        }

        /** Inference threads (Jlama allows setting this once per JVM); default: physical cores. */
        public Builder threads(Integer threads) {
            this.threads = threads;
            return this;
        }

        /** Which forward pass runs the model (default {@link Kernels#AUTO}: ours for Q4 weights). */
        public Builder kernels(Kernels kernels) {
            this.kernels = kernels;
            return this;
        }

        /**
         * How our Q4 kernels take every token's activations (default {@link Activations#Q8}, as llama.cpp does;
         * {@code F32}: exact float products, several times slower answers, for reference).
         */
        public Builder activations(Activations activations) {
            this.activations = java.util.Objects.requireNonNull(activations, "activations");
            return this;
        }

        /**
         * How our Q4 forward pass stores keys and values (default {@link KvCachePrecision#BF16}: bfloat16, half the
         * memory of {@code F32} and faster attention over long conversations; {@code F32} is exact). Jlama's own
         * forward pass (unquantized models) keeps its float cache.
         */
        public Builder kvCachePrecision(KvCachePrecision kvPrecision) {
            this.kvPrecision = java.util.Objects.requireNonNull(kvPrecision, "kvPrecision");
            return this;
        }

        /** Tokens of context (prompt + answer); older turns are dropped to fit. Default 4096. */
        public Builder contextWindow(int contextWindow) {
            this.contextWindow = contextWindow;
            return this;
        }

        /** Memory for the KV caches of recent conversations, in bytes (default 2 GiB). */
        public Builder kvCacheBytes(long kvCacheBytes) {
            this.kvCacheBytes = kvCacheBytes;
            return this;
        }

        /**
         * Answers generated at once: each step runs one token of every running answer through the model in one pass
         * over the weights, which costs little more than one token alone while decoding is bound by memory bandwidth;
         * more calls wait for a place. 1: one answer at a time. Default (null): {@link #automaticConcurrency} of the
         * inference threads.
         */
        public Builder maxConcurrent(Integer maxConcurrent) {
            this.maxConcurrent = maxConcurrent;
            return this;
        }

        public Builder temperature(double temperature) {
            this.temperature = temperature;
            return this;
        }

        public Builder topK(int topK) {
            this.topK = topK;
            return this;
        }

        public Builder topP(double topP) {
            this.topP = topP;
            return this;
        }

        public Builder maxOutputTokens(int maxOutputTokens) {
            this.maxOutputTokens = maxOutputTokens;
            return this;
        }

        /** Extra stop sequences; the model starting a new USER/SYSTEM/ASSISTANT turn always stops it. */
        public Builder stopSequences(List<String> stopSequences) {
            this.stopSequences = List.copyOf(stopSequences);
            return this;
        }

        /** Fixed sampling seed for reproducible answers. */
        public Builder seed(Long seed) {
            this.seed = seed;
            return this;
        }

        public Builder modelName(String modelName) {
            this.modelName = modelName;
            return this;
        }

        /** Told how far {@link #prepare()} and {@link #build()} have come, step by step (download, conversion, quantization, reading). */
        public Builder loadProgress(LoadProgressListener loadProgress) {
            this.loadProgress = loadProgress;
            return this;
        }

        public Builder listeners(List<ChatModelListener> listeners) {
            this.listeners.clear();
            this.listeners.addAll(listeners);
            return this;
        }

        /**
         * Prepares the model without loading it: downloads it (a hub source), converts .bin shards, quantizes to Q4 if
         * asked, into the cache directory (what a first start spends minutes on; {@code prepare-model} runs only this).
         * Returns the directory that {@link #build()} will load.
         */
        public Path prepare() {
            return Progress.reportingTo(loadProgress, () -> prepared().dir());
        }

        private ModelLoader.Prepared prepared() {
            vectorApiProblem().ifPresent(problem -> {
                throw new IllegalStateException(problem);
            });
            Path source = source();
            return ModelLoader.prepare(source, quantize, cacheDir != null ? cacheDir : defaultCacheDir(source));
        }

        private Path source() {
            if (hub != null) {
                if (cacheDir == null) throw new IllegalArgumentException("cacheDir: required with huggingFace(...) (where the download is kept)");
                return ModelProvisioner.fromHub(hub.repoId(), hub.revision(), hub.url(), cacheDir, hub.token());
            }
            if (modelPath == null) throw new IllegalArgumentException("modelPath: required (a local model directory), or huggingFace(...)");
            return modelPath;
        }

        /**
         * Answers generated together when not set: twice the inference threads, 2 to 8. On two cores (Zen 2,
         * SynthIA-7B's shape) two answers at once already give the most tokens per second in all (the matrix products
         * become bound by the cores' arithmetic), and four keep that total while letting four people see their answers
         * being written; more cores leave room for more before that point.
         */
        static int automaticConcurrency(int threads) {
            return Math.min(8, Math.max(2, 2 * threads));
        }

        /** Prepares the model ({@link #prepare()}), loads it and starts its generation engine. */
        public SynthiaChatModel build() {
            return Progress.reportingTo(loadProgress, this::load);
        }

        private SynthiaChatModel load() {
            if (contextWindow < 16) throw new IllegalArgumentException("contextWindow: " + contextWindow + " must be >= 16");
            if (kvCacheBytes < 0) throw new IllegalArgumentException("kvCacheBytes: " + kvCacheBytes + " must be >= 0");
            if (threads != null && threads < 1) throw new IllegalArgumentException("threads: " + threads + " must be >= 1");
            if (maxConcurrent != null && maxConcurrent < 1) throw new IllegalArgumentException("maxConcurrent: " + maxConcurrent + " must be >= 1");
            // Validate sampling values now rather than on the first request.
            new SamplingParams(temperature, topK, topP, OptionalLong.empty(), maxOutputTokens, stopSequences);
            ModelLoader.Prepared prepared = prepared();
            boolean ours = kernels == Kernels.SYNTHIA || (kernels == Kernels.AUTO && prepared.quantized());
            // Our forward pass reads the weights itself: Jlama then only provides the tokenizer and the configuration.
            LoadedModel jlama = ours ? null : ModelLoader.load(prepared, Optional.ofNullable(threads));
            ModelLoader.TokenizerAndConfig tc = ours ? ModelLoader.tokenizerAndConfig(prepared.dir())
                : new ModelLoader.TokenizerAndConfig(jlama.model().getTokenizer(), jlama.model().getConfig());
            Tokenizer tokenizer = tc.tokenizer();
            Config config = tc.config();
            PromptEncoder encoder = new PromptEncoder(text -> toInts(tokenizer.encode(text)), config.bosToken, 4096);
            TokenBytes bytes = new TokenBytes(tokenizer.getModel().vocabLookup.inverse(), config.vocabularySize,
                id -> tokenizer.getModel().isSpecialToken(id));
            int window = Math.min(contextWindow, config.contextLength);
            int threadCount = threads != null ? threads : Cores.physical();
            Transformer transformer = ours
                ? Q4Transformer.load(prepared.dir(), window, threadCount, Q4Kernels.Activations.valueOf(activations.name()),
                    KvCache.Precision.valueOf(kvPrecision.name()))
                : new JlamaTransformer(jlama);
            log.info("Forward pass: {}", transformer.describe());
            GenerationEngine engine = new GenerationEngine(transformer, encoder, bytes, new KvCacheManager(transformer, kvCacheBytes),
                config.eosTokens, window, maxConcurrent != null ? maxConcurrent : automaticConcurrency(threadCount));
            String name = modelName != null ? modelName : hub != null ? hub.repoId() : modelPath.getFileName().toString();
            return new SynthiaChatModel(this, engine, tokenizer, prepared.quantized(), name);
        }
    }
}
