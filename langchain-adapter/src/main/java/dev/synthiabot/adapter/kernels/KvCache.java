package dev.synthiabot.adapter.kernels;

import static dev.synthiabot.adapter.kernels.VectorWidth.F;
import static dev.synthiabot.adapter.kernels.VectorWidth.PATH;

import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * One conversation's keys and values, per layer and KV head, and the two halves of attention over them: the
 * scores of up to four query heads that share a KV head, and the weighted sum of the values.
 *
 * <p>Layout, chosen for how attention reads it. Measured with JMH ({@code KvAttentionJmh}, 7B shape, one generated
 * token over 32 layers): 4000 positions take 44.6 ms on one thread in bfloat16, against 286 ms on two threads with one
 * position-major array per layer; 1024 positions 12 ms against 53 ms.
 * <ul>
 * <li>one array per (layer, KV head), so a head's keys and values are each one contiguous stream. Position-major
 *     rows of all heads put a head's 512 bytes in a different 4 KiB page for every position, which the hardware
 *     prefetchers do not follow: attention over such rows reads 4-7 GB/s.</li>
 * <li>keys in blocks of {@value #BLOCK} positions, transposed ({@code [block][dim][16 positions]}): a vector holds one
 *     dimension of 16 positions, so the scores of 16 positions are FMAs with the query's broadcast values, with no
 *     horizontal sums, and each key vector serves the four query heads of its group.</li>
 * <li>values position-major ({@code [position][dim]}): the weighted sum broadcasts each position's weight.</li>
 * <li>pages of {@link #PAGE} positions ({@value #PAGE}; 32 MiB for SynthIA-7B in bfloat16): a conversation grows by
 *     whole pages, nothing is copied and at most one page is unused (a doubling array copies everything it holds and
 *     leaves up to half of itself unused: 0.3-1 s for the copy from 1024 to 2048 positions).</li>
 * <li>{@link Precision#BF16} by default: bfloat16 (a float's upper 16 bits, rounded to nearest even), half the
 *     memory and half the bytes read per token; widening is a shift. {@link Precision#F32} keeps exact floats.</li>
 * </ul>
 * Positions of a key block past the last one written hold zeros or stale values; their scores are computed and
 * ignored (callers use only the first {@code positions} scores). Not thread-safe for writes; attention calls for
 * different heads may run on different threads.
 */
public abstract sealed class KvCache permits Bf16KvCache, F32KvCache {
    /** Positions per key block. */
    public static final int BLOCK = 16;
    /** Positions per page. */
    public static final int PAGE = 256;
    /**
     * Positions per block of the weighted sum over the values: its value rows (4 KiB in bfloat16) are read by both
     * pairs of heads while in L1. Measured (7B shape, 4000 positions, one thread): 16 → 18.5 ms, 32 → 20-30,
     * 64 → 26-28, 128 → 25-26; a dimension-outer loop over all positions took 45.
     */
    static final int VALUE_BLOCK = 16;

    /** How keys and values are stored. */
    public enum Precision {
        /** bfloat16: 2 bytes a value (SynthIA-7B: 128 KiB per position). */
        BF16(2),
        /** float: 4 bytes a value (256 KiB per position), exact. */
        F32(4);

        final int bytes;

        Precision(int bytes) {
            this.bytes = bytes;
        }
    }

    final int layers, kvHeads, headDim, maxPositions, page;
    /**
     * [layer · kvHeads + head][page]: arrays of page · headDim stored values (short[] or float[], by the subclass),
     * keys in transposed 16-position blocks, values position-major.
     */
    final Object[][] keyPages, valuePages;
    int capacity;

    KvCache(int layers, int kvHeads, int headDim, int maxContext, int pagePositions) {
        if (pagePositions <= 0 || pagePositions % BLOCK != 0) throw new IllegalArgumentException("page of " + pagePositions + " positions");
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headDim = headDim;
        this.maxPositions = maxContext;
        this.page = pagePositions;
        this.keyPages = new Object[layers * kvHeads][0];
        this.valuePages = new Object[layers * kvHeads][0];
    }

    public static KvCache create(Precision precision, int layers, int kvHeads, int headDim, int maxContext) {
        return create(precision, layers, kvHeads, headDim, maxContext, PAGE);
    }

    /** With pages of {@code pagePositions} positions (a multiple of {@value #BLOCK}; tests use small ones). */
    static KvCache create(Precision precision, int layers, int kvHeads, int headDim, int maxContext, int pagePositions) {
        return precision == Precision.BF16 ? new Bf16KvCache(layers, kvHeads, headDim, maxContext, pagePositions)
            : new F32KvCache(layers, kvHeads, headDim, maxContext, pagePositions);
    }

    /** Bytes one position takes in every layer. */
    public static long bytesPerPosition(Precision precision, int layers, int kvHeads, int headDim) {
        return 2L * layers * kvHeads * headDim * precision.bytes;
    }

    /** Scores arrays passed to {@link #scores} must hold this many floats for {@code positions} positions. */
    public static int scoresLength(int positions) {
        return roundUp(positions);
    }

    static int roundUp(int positions) {
        return (positions + BLOCK - 1) / BLOCK * BLOCK;
    }

    public abstract Precision precision();

    /** Makes room for positions {@code [0, positions)}: adds pages, keeping what is stored. */
    public final void ensure(int positions) {
        if (positions <= capacity) return;
        if (positions > maxPositions) throw new IllegalArgumentException("position " + positions + " beyond " + maxPositions);
        int pages = (positions + page - 1) / page;
        addPages(pages);
        capacity = pages * page;
    }

    public final long allocatedBytes() {
        return capacity * bytesPerPosition(precision(), layers, kvHeads, headDim);
    }

    /** Stores the key k[ko, ko + headDim) and value v[vo, vo + headDim) of {@code head} at {@code pos}. */
    public abstract void put(int layer, int head, int pos, float[] k, int ko, float[] v, int vo);

    /** Copies positions {@code [0, n)} of every layer and head into {@code to} (same shape and precision). */
    public final void copyPrefixTo(KvCache to, int n) {
        if (to.getClass() != getClass() || to.keyPages.length != keyPages.length || to.headDim != headDim || to.page != page) {
            throw new IllegalArgumentException("KV caches of different shapes or precisions");
        }
        to.ensure(n);
        for (int i = 0; i < keyPages.length; i++) {
            for (int pg = 0; pg * page < n; pg++) {
                int local = Math.min(page, n - pg * page);
                System.arraycopy(keyPages[i][pg], 0, to.keyPages[i][pg], 0, roundUp(local) * headDim);
                System.arraycopy(valuePages[i][pg], 0, to.valuePages[i][pg], 0, local * headDim);
            }
        }
    }

    /** Releases the pages. */
    public final void clear() {
        Arrays.fill(keyPages, new Object[0]);
        Arrays.fill(valuePages, new Object[0]);
        capacity = 0;
    }

    /** The value stored for key dimension d of a position (tests). */
    public abstract float key(int layer, int head, int pos, int d);

    /** The value stored for value dimension d of a position (tests). */
    public abstract float value(int layer, int head, int pos, int d);

    /** Grows every (layer, head) to {@code pages} pages. */
    private void addPages(int pages) {
        for (int i = 0; i < keyPages.length; i++) {
            int have = keyPages[i].length;
            keyPages[i] = Arrays.copyOf(keyPages[i], pages);
            valuePages[i] = Arrays.copyOf(valuePages[i], pages);
            for (int pg = have; pg < pages; pg++) {
                keyPages[i][pg] = newPage(page * headDim);
                valuePages[i][pg] = newPage(page * headDim);
            }
        }
    }

    /** A zeroed array of {@code length} stored values. */
    abstract Object newPage(int length);

    /**
     * The keys of block b of (layer · kvHeads + head) as floats, at {@link #keyBlockOffset}: the page itself where it
     * holds floats, else widened into {@code scratch} (16 · headDim floats).
     */
    abstract float[] keyBlock(int index, int b, float[] scratch);

    abstract int keyBlockOffset(int b);

    /** The value rows of positions [p0, p0 + rows) (within one page) as floats, at {@link #valueBlockOffset}. */
    abstract float[] valueBlock(int index, int p0, int rows, float[] scratch);

    abstract int valueBlockOffset(int p0);

    /**
     * s_i[p] = scale · Σ_d q[q_i + d]·key_p[d] for positions p &lt; {@code positions} of one KV head, for four query
     * heads (pass the same offset and array twice for fewer: they are written with the same values). The score arrays
     * need {@link #scoresLength} floats; entries from {@code positions} to there are scratch.
     */
    public final void scores(int layer, int head, int positions, float[] q, int q0, int q1, int q2, int q3, float scale,
                             float[] s0, float[] s1, float[] s2, float[] s3) {
        int index = layer * kvHeads + head;
        if (VECTOR) {
            for (int b = 0; b * BLOCK < positions; b++) scoreBlock(index, b, q, q0, q1, q2, q3, scale, s0, s1, s2, s3);
            return;
        }
        float[] scratch = SCRATCH.get(BLOCK * headDim);
        for (int b = 0; b * BLOCK < positions; b++) {
            float[] K = keyBlock(index, b, scratch);
            int kb = keyBlockOffset(b), at = b * BLOCK;
            for (int j = 0; j < BLOCK; j++) {
                float a0 = 0, a1 = 0, a2 = 0, a3 = 0;
                for (int d = 0; d < headDim; d++) {
                    float k = K[kb + d * BLOCK + j];
                    a0 += q[q0 + d] * k;
                    a1 += q[q1 + d] * k;
                    a2 += q[q2 + d] * k;
                    a3 += q[q3 + d] * k;
                }
                s0[at + j] = a0 * scale;
                s1[at + j] = a1 * scale;
                s2[at + j] = a2 * scale;
                s3[at + j] = a3 * scale;
            }
        }
    }

    /** Vector scores of the 16 positions of key block b into s_i[16b, 16b + 16), read from the stored type. */
    abstract void scoreBlock(int index, int b, float[] q, int q0, int q1, int q2, int q3, float scale,
                             float[] s0, float[] s1, float[] s2, float[] s3);

    /**
     * Dimensions [0, dims) of two heads' weighted sums over positions [p0, p1) (within one page), read from the stored
     * type: a row segment of four vectors at a time, positions outermost, so a value row is read as one run (eight
     * accumulators: fits AVX2's sixteen registers). Partial sums wait in this pair's own slots of {@code partial}
     * (from {@code po}: dims for x, then dims for y) between blocks; the last block writes them, scaled, to out.
     */
    abstract void pair(int index, int p0, int p1, boolean first, boolean last, float[] x, float[] y, float rx, float ry,
                       float[] partial, int po, float[] out, int ox, int oy, int dims);

    /**
     * out[o_i + d] = r_i · Σ_p w_i[p]·value_p[d] for positions p &lt; {@code positions}: the attention output of four
     * query heads (any of them may repeat another: each has its own partial sums, repeated ones write equal values).
     * Blocks of {@link #VALUE_BLOCK} positions, both pairs of heads over each block while it is in L1.
     */
    public final void weightedSum(int layer, int head, int positions, float[] w0, float[] w1, float[] w2, float[] w3,
                                  float r0, float r1, float r2, float r3, float[] out, int o0, int o1, int o2, int o3) {
        int index = layer * kvHeads + head;
        int segmentDims = VECTOR ? headDim - headDim % (4 * F.length()) : 0;
        float[] scratch = segmentDims < headDim ? SCRATCH.get(BLOCK * headDim) : null;
        // the pairs' vector sums (4 × segmentDims), then the rest of each head's dimensions (4 × headDim)
        float[] partial = PARTIAL.get(4 * segmentDims + 4 * headDim);
        int scalarBase = 4 * segmentDims;
        for (int p0 = 0; p0 < positions; p0 += VALUE_BLOCK) {
            int p1 = Math.min(positions, p0 + VALUE_BLOCK);
            boolean first = p0 == 0, last = p1 == positions;
            if (segmentDims > 0) {
                pair(index, p0, p1, first, last, w0, w1, r0, r1, partial, 0, out, o0, o1, segmentDims);
                pair(index, p0, p1, first, last, w2, w3, r2, r3, partial, 2 * segmentDims, out, o2, o3, segmentDims);
            }
            if (segmentDims < headDim) { // dimensions past the last segment of four vectors (small heads), scalar
                float[] V = valueBlock(index, p0, p1 - p0, scratch);
                int vb = valueBlockOffset(p0);
                if (first) Arrays.fill(partial, scalarBase, scalarBase + 4 * headDim, 0f);
                for (int p = p0; p < p1; p++) {
                    int row = vb + (p - p0) * headDim;
                    for (int c = segmentDims; c < headDim; c++) {
                        float v = V[row + c];
                        partial[scalarBase + c] += w0[p] * v;
                        partial[scalarBase + headDim + c] += w1[p] * v;
                        partial[scalarBase + 2 * headDim + c] += w2[p] * v;
                        partial[scalarBase + 3 * headDim + c] += w3[p] * v;
                    }
                }
                if (last) {
                    for (int c = segmentDims; c < headDim; c++) {
                        out[o0 + c] = partial[scalarBase + c] * r0;
                        out[o1 + c] = partial[scalarBase + headDim + c] * r1;
                        out[o2 + c] = partial[scalarBase + 2 * headDim + c] * r2;
                        out[o3 + c] = partial[scalarBase + 3 * headDim + c] * r3;
                    }
                }
            }
        }
    }

    /** Index of key dimension d of the position {@code local} places into its page. */
    final int keyIndex(int local, int d) {
        return ((local / BLOCK) * headDim + d) * BLOCK + local % BLOCK;
    }

    /** Per thread: a weighted sum's partial sums between value blocks; a block widened to floats. */
    private static final ThreadBuffer PARTIAL = new ThreadBuffer(), SCRATCH = new ThreadBuffer();

    /** bfloat16 bits of f, rounded to nearest even (NaN stays NaN). */
    public static short toBf16(float f) {
        int bits = Float.floatToRawIntBits(f);
        if ((bits & 0x7FFFFFFF) > 0x7F800000) return (short) 0x7FC0;
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    public static float fromBf16(short h) {
        return Float.intBitsToFloat(h << 16);
    }

    /** The short and int species with as many lanes as {@link VectorWidth#F}: bfloat16 bits widen to float lanes. */
    static final VectorSpecies<Short> S = switch (PATH) {
        case AVX512 -> ShortVector.SPECIES_256;
        case AVX2 -> ShortVector.SPECIES_128;
        default -> ShortVector.SPECIES_64;
    };
    static final VectorSpecies<Integer> I = switch (PATH) {
        case AVX512 -> IntVector.SPECIES_512;
        case AVX2 -> IntVector.SPECIES_256;
        default -> IntVector.SPECIES_128;
    };
    /** Vector kernels need whole vectors inside a key block (4, 8 or 16 lanes); the 64-bit path is scalar. */
    static final boolean VECTOR = PATH != VectorWidth.Path.SCALAR;
}
