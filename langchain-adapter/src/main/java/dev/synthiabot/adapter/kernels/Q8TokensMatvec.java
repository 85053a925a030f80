package dev.synthiabot.adapter.kernels;

import static dev.synthiabot.adapter.kernels.Q4Matrix.P;
import static dev.synthiabot.adapter.kernels.Q4Matrix.PB;
import static dev.synthiabot.adapter.kernels.Q4Matrix.SCALES;
import static dev.synthiabot.adapter.kernels.VectorWidth.B256;
import static dev.synthiabot.adapter.kernels.VectorWidth.F512;
import static dev.synthiabot.adapter.kernels.VectorWidth.I512;
import static dev.synthiabot.adapter.kernels.VectorWidth.PATH;

import dev.synthiabot.adapter.kernels.VectorWidth.Path;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * A few tokens (3 to 23: several answers decoding together, with a prompt chunk or not) in one pass over the weights,
 * for AVX-512: each weight block of a panel is loaded and unpacked once into registers and every token of a group of
 * four is multiplied against it, so four or eight tokens do not re-read and re-unpack the weights as {@link Q8Matvec}'s
 * pairs do (four tokens on AVX-512 used to be two such passes).
 *
 * <p>Tile: one panel (16 rows) × four tokens, one block of 32 columns at a time, the four tokens' float sums in
 * registers. A block's 512 nibbles become 16 vectors of 32 16-bit lanes: lane 2r holds row r's nibble of column c, lane
 * 2r + 1 its nibble of column c + 1 (bytes j and j + 1 of the sixteen rows, 32 bytes zero-extended to 16-bit lanes in
 * one instruction and interleaved by one permutation, then masked or shifted for the low and high nibbles). A token's
 * activations are prepared in the same pairs ({@link #pack}: two 8-bit values in one int), so one 32-bit broadcast
 * from memory gives the activation vector for a pair of columns, and each token costs one 16-bit multiply and add per
 * 32 products. The panel (36 KB for 4096 columns) stays in the cache for the next group of four; a batch is padded
 * with zero tokens to a multiple of four.
 *
 * <p>Exact, and bit-identical per token to {@link Q8Matvec#matvec}: every 16-bit lane sums 16 products of a nibble
 * (0..15) and an activation (−127..127), at most 16·15·127 = 30480 in magnitude; per block the two lanes of a row are
 * added as 32-bit integers (the even lane sign-extended from the low half of the int, the odd one its arithmetic
 * upper half): the block's exact integer sum. Then the same float steps per row and token as every other kernel:
 * {@code acc = fma((sum − 8·Σq)·d, s, acc)}, blocks in order.
 *
 * <p>Where the time goes (Zen 5, two threads, 14336 x 4096): ~0.3-0.4 ms per token once the panel is in the cache,
 * against ~1 ms to stream the matrix: the multiplies and adds (16 + 16 of 512 bits per token and block, the floor
 * with 16-bit lanes: the Vector API has no {@code vpmaddwd} or VNNI dot product) and the per-block conversion (8 per
 * token) are most of it, the shared unpacking ~5 per token.
 */
final class Q8TokensMatvec {
    private Q8TokensMatvec() {}

    static final VectorSpecies<Short> S512 = ShortVector.SPECIES_512;

    /** Whether this machine runs it: the 512-bit vectors it is written for. */
    static boolean available() {
        return PATH == Path.AVX512;
    }

    /** Tokens per tile: {@link #panel4} computes four at a time (a batch is padded with zero tokens to a multiple). */
    static final int GROUP = 4;

    /**
     * A batch's activations as {@link #matmul} reads them, block-major so one block of a group of tokens is contiguous
     * ({@code stride}: the tokens rounded up to a multiple of {@link #GROUP}, the extra ones zero):
     * {@code pairs[(b·stride + t)·16 + k]} for k &lt; 8 the values of columns 32b + 2k and 32b + 2k + 1 of token t (low
     * and high 16 bits), for k ≥ 8 those of columns 32b + 16 + 2(k − 8) and the next; {@code d[b·stride + t]} the
     * block's scale; {@code off[b·stride + t]} 8·Σq of the block (the nibbles' −8).
     */
    record Packed(int tokens, int stride, int[] pairs, float[] d, int[] off) {}

    /** Packs tokens [t0, t0 + n) of {@code x}, each quantized per block of 32, for {@link #matmul}. */
    static Packed pack(Q8Activations[] x, int t0, int n, int cols) {
        Packed p = allocate(n, cols);
        pack(x, t0, p, 0, cols / 32);
        return p;
    }

    /** Room for {@code n} tokens of {@code cols} columns in {@link #pack}'s layout. */
    static Packed allocate(int n, int cols) {
        int blocks = cols / 32, stride = (n + GROUP - 1) / GROUP * GROUP;
        return new Packed(n, stride, new int[blocks * stride * 16], new float[blocks * stride], new int[blocks * stride]);
    }

    /** Blocks [from, to) of tokens [t0, t0 + n) into {@code into}, laid out as {@link #pack} does. */
    static void pack(Q8Activations[] x, int t0, Packed into, int from, int to) {
        int n = into.tokens(), stride = into.stride();
        int[] pairs = into.pairs(), off = into.off();
        float[] d = into.d();
        for (int t = 0; t < n; t++) {
            Q8Activations a = x[t0 + t];
            short[] q = a.q();
            for (int b = from; b < to; b++) {
                int o = (b * stride + t) * 16, c = b * 32;
                for (int k = 0; k < 8; k++) {
                    pairs[o + k] = (q[c + 2 * k] & 0xFFFF) | (q[c + 2 * k + 1] << 16);
                    pairs[o + 8 + k] = (q[c + 16 + 2 * k] & 0xFFFF) | (q[c + 17 + 2 * k] << 16);
                }
                d[b * stride + t] = a.d()[b];
                off[b * stride + t] = 8 * a.sums()[b];
            }
        }
    }

    /**
     * out[t0 + t][r] = Σ_c w[r, c]·x[t][c] for rows [from, to) and the packed tokens t; every token gets exactly its
     * {@link Q8Matvec#matvec} result. Panel by panel, four tokens at a time (the panel's 36 KB stay in the cache for
     * the next four). Panels cut by {@code from} or {@code to} are computed whole and copied in part.
     */
    static void matmul(Q4Matrix w, Packed x, float[][] out, int t0, int from, int to) {
        if (from >= to) return;
        int n = x.tokens(), stride = x.stride(), blocks = w.blocksPerRow();
        float[] acc = ACC.get(GROUP * P);
        for (int p = from / P; p * P < to; p++) {
            int a = Math.max(from, p * P), b = Math.min(to, p * P + P);
            for (int g = 0; g * GROUP < n; g++) {
                panel4(w.data(), p, blocks, x.pairs(), x.d(), x.off(), stride, g, acc);
                for (int t = g * GROUP; t < Math.min(n, g * GROUP + GROUP); t++) {
                    System.arraycopy(acc, (t - g * GROUP) * P + a - p * P, out[t0 + t], a, b - a);
                }
            }
        }
    }

    /**
     * Panel p for the 4 tokens of group g (tokens 4g .. 4g + 3 of the packed ones): acc[t·16 + r] for token t of
     * the group and row r. The block's unpacked nibbles and the 4 tokens' float sums stay in registers; written out
     * token by token (a loop over tokens inside the block loop would keep the nibbles live across it, and the JIT then
     * boxes them: measured 2x slower).
     */
    static void panel4(byte[] nib, int p, int blocks, int[] pairs, float[] d, int[] off, int stride, int g, float[] acc) {
        int base = p * blocks;
        FloatVector a0 = FloatVector.zero(F512), a1 = a0, a2 = a0, a3 = a0;
        for (int b = 0; b < blocks; b++) {
            int no = (base + b) * PB;
            // the block's nibbles, unpacked once for the group: lane 2r column 2k (or 16 + 2k), lane 2r + 1 the next
            IntVector w0 = ((ShortVector) ByteVector.fromArray(B256, nib, no).convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                .rearrange(PAIRS).reinterpretAsInts();
            IntVector w1 = ((ShortVector) ByteVector.fromArray(B256, nib, no + 32).convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                .rearrange(PAIRS).reinterpretAsInts();
            IntVector w2 = ((ShortVector) ByteVector.fromArray(B256, nib, no + 64).convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                .rearrange(PAIRS).reinterpretAsInts();
            IntVector w3 = ((ShortVector) ByteVector.fromArray(B256, nib, no + 96).convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                .rearrange(PAIRS).reinterpretAsInts();
            IntVector w4 = ((ShortVector) ByteVector.fromArray(B256, nib, no + 128).convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                .rearrange(PAIRS).reinterpretAsInts();
            IntVector w5 = ((ShortVector) ByteVector.fromArray(B256, nib, no + 160).convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                .rearrange(PAIRS).reinterpretAsInts();
            IntVector w6 = ((ShortVector) ByteVector.fromArray(B256, nib, no + 192).convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                .rearrange(PAIRS).reinterpretAsInts();
            IntVector w7 = ((ShortVector) ByteVector.fromArray(B256, nib, no + 224).convertShape(VectorOperators.ZERO_EXTEND_B2S, S512, 0))
                .rearrange(PAIRS).reinterpretAsInts();
            ShortVector l0 = w0.and(0x000F000F).reinterpretAsShorts(), l1 = w1.and(0x000F000F).reinterpretAsShorts();
            ShortVector l2 = w2.and(0x000F000F).reinterpretAsShorts(), l3 = w3.and(0x000F000F).reinterpretAsShorts();
            ShortVector l4 = w4.and(0x000F000F).reinterpretAsShorts(), l5 = w5.and(0x000F000F).reinterpretAsShorts();
            ShortVector l6 = w6.and(0x000F000F).reinterpretAsShorts(), l7 = w7.and(0x000F000F).reinterpretAsShorts();
            ShortVector h0 = w0.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts();
            ShortVector h1 = w1.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts();
            ShortVector h2 = w2.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts();
            ShortVector h3 = w3.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts();
            ShortVector h4 = w4.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts();
            ShortVector h5 = w5.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts();
            ShortVector h6 = w6.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts();
            ShortVector h7 = w7.lanewise(VectorOperators.LSHR, 4).and(0x000F000F).reinterpretAsShorts();
            IntVector sh = (IntVector) ByteVector.fromArray(B256, nib, no + SCALES).reinterpretAsShorts().convertShape(VectorOperators.S2I, I512, 0);
            FloatVector s = sh.and(0x7FFF).lanewise(VectorOperators.LSHL, 13).reinterpretAsFloats().mul(0x1p112f)
                .reinterpretAsInts().or(sh.and(0x80000000)).reinterpretAsFloats();
            int bt = b * stride + 4 * g, xo = bt * 16;
            ShortVector u, v;
            IntVector i, sum;
            // token 0 of the group
            u = l0.mul(IntVector.broadcast(I512, pairs[xo]).reinterpretAsShorts())
                .add(h0.mul(IntVector.broadcast(I512, pairs[xo + 8]).reinterpretAsShorts()))
                .add(l1.mul(IntVector.broadcast(I512, pairs[xo + 1]).reinterpretAsShorts()))
                .add(h1.mul(IntVector.broadcast(I512, pairs[xo + 9]).reinterpretAsShorts()))
                .add(l2.mul(IntVector.broadcast(I512, pairs[xo + 2]).reinterpretAsShorts()))
                .add(h2.mul(IntVector.broadcast(I512, pairs[xo + 10]).reinterpretAsShorts()))
                .add(l3.mul(IntVector.broadcast(I512, pairs[xo + 3]).reinterpretAsShorts()))
                .add(h3.mul(IntVector.broadcast(I512, pairs[xo + 11]).reinterpretAsShorts()));
            v = l4.mul(IntVector.broadcast(I512, pairs[xo + 4]).reinterpretAsShorts())
                .add(h4.mul(IntVector.broadcast(I512, pairs[xo + 12]).reinterpretAsShorts()))
                .add(l5.mul(IntVector.broadcast(I512, pairs[xo + 5]).reinterpretAsShorts()))
                .add(h5.mul(IntVector.broadcast(I512, pairs[xo + 13]).reinterpretAsShorts()))
                .add(l6.mul(IntVector.broadcast(I512, pairs[xo + 6]).reinterpretAsShorts()))
                .add(h6.mul(IntVector.broadcast(I512, pairs[xo + 14]).reinterpretAsShorts()))
                .add(l7.mul(IntVector.broadcast(I512, pairs[xo + 7]).reinterpretAsShorts()))
                .add(h7.mul(IntVector.broadcast(I512, pairs[xo + 15]).reinterpretAsShorts()));
            i = u.add(v).reinterpretAsInts();
            sum = i.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(i.lanewise(VectorOperators.ASHR, 16));
            a0 = ((FloatVector) sum.sub(off[bt]).convert(VectorOperators.I2F, 0)).mul(FloatVector.broadcast(F512, d[bt])).fma(s, a0);
            // token 1 of the group
            u = l0.mul(IntVector.broadcast(I512, pairs[xo + 16]).reinterpretAsShorts())
                .add(h0.mul(IntVector.broadcast(I512, pairs[xo + 24]).reinterpretAsShorts()))
                .add(l1.mul(IntVector.broadcast(I512, pairs[xo + 17]).reinterpretAsShorts()))
                .add(h1.mul(IntVector.broadcast(I512, pairs[xo + 25]).reinterpretAsShorts()))
                .add(l2.mul(IntVector.broadcast(I512, pairs[xo + 18]).reinterpretAsShorts()))
                .add(h2.mul(IntVector.broadcast(I512, pairs[xo + 26]).reinterpretAsShorts()))
                .add(l3.mul(IntVector.broadcast(I512, pairs[xo + 19]).reinterpretAsShorts()))
                .add(h3.mul(IntVector.broadcast(I512, pairs[xo + 27]).reinterpretAsShorts()));
            v = l4.mul(IntVector.broadcast(I512, pairs[xo + 20]).reinterpretAsShorts())
                .add(h4.mul(IntVector.broadcast(I512, pairs[xo + 28]).reinterpretAsShorts()))
                .add(l5.mul(IntVector.broadcast(I512, pairs[xo + 21]).reinterpretAsShorts()))
                .add(h5.mul(IntVector.broadcast(I512, pairs[xo + 29]).reinterpretAsShorts()))
                .add(l6.mul(IntVector.broadcast(I512, pairs[xo + 22]).reinterpretAsShorts()))
                .add(h6.mul(IntVector.broadcast(I512, pairs[xo + 30]).reinterpretAsShorts()))
                .add(l7.mul(IntVector.broadcast(I512, pairs[xo + 23]).reinterpretAsShorts()))
                .add(h7.mul(IntVector.broadcast(I512, pairs[xo + 31]).reinterpretAsShorts()));
            i = u.add(v).reinterpretAsInts();
            sum = i.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(i.lanewise(VectorOperators.ASHR, 16));
            a1 = ((FloatVector) sum.sub(off[bt + 1]).convert(VectorOperators.I2F, 0)).mul(FloatVector.broadcast(F512, d[bt + 1])).fma(s, a1);
            // token 2 of the group
            u = l0.mul(IntVector.broadcast(I512, pairs[xo + 32]).reinterpretAsShorts())
                .add(h0.mul(IntVector.broadcast(I512, pairs[xo + 40]).reinterpretAsShorts()))
                .add(l1.mul(IntVector.broadcast(I512, pairs[xo + 33]).reinterpretAsShorts()))
                .add(h1.mul(IntVector.broadcast(I512, pairs[xo + 41]).reinterpretAsShorts()))
                .add(l2.mul(IntVector.broadcast(I512, pairs[xo + 34]).reinterpretAsShorts()))
                .add(h2.mul(IntVector.broadcast(I512, pairs[xo + 42]).reinterpretAsShorts()))
                .add(l3.mul(IntVector.broadcast(I512, pairs[xo + 35]).reinterpretAsShorts()))
                .add(h3.mul(IntVector.broadcast(I512, pairs[xo + 43]).reinterpretAsShorts()));
            v = l4.mul(IntVector.broadcast(I512, pairs[xo + 36]).reinterpretAsShorts())
                .add(h4.mul(IntVector.broadcast(I512, pairs[xo + 44]).reinterpretAsShorts()))
                .add(l5.mul(IntVector.broadcast(I512, pairs[xo + 37]).reinterpretAsShorts()))
                .add(h5.mul(IntVector.broadcast(I512, pairs[xo + 45]).reinterpretAsShorts()))
                .add(l6.mul(IntVector.broadcast(I512, pairs[xo + 38]).reinterpretAsShorts()))
                .add(h6.mul(IntVector.broadcast(I512, pairs[xo + 46]).reinterpretAsShorts()))
                .add(l7.mul(IntVector.broadcast(I512, pairs[xo + 39]).reinterpretAsShorts()))
                .add(h7.mul(IntVector.broadcast(I512, pairs[xo + 47]).reinterpretAsShorts()));
            i = u.add(v).reinterpretAsInts();
            sum = i.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(i.lanewise(VectorOperators.ASHR, 16));
            a2 = ((FloatVector) sum.sub(off[bt + 2]).convert(VectorOperators.I2F, 0)).mul(FloatVector.broadcast(F512, d[bt + 2])).fma(s, a2);
            // token 3 of the group
            u = l0.mul(IntVector.broadcast(I512, pairs[xo + 48]).reinterpretAsShorts())
                .add(h0.mul(IntVector.broadcast(I512, pairs[xo + 56]).reinterpretAsShorts()))
                .add(l1.mul(IntVector.broadcast(I512, pairs[xo + 49]).reinterpretAsShorts()))
                .add(h1.mul(IntVector.broadcast(I512, pairs[xo + 57]).reinterpretAsShorts()))
                .add(l2.mul(IntVector.broadcast(I512, pairs[xo + 50]).reinterpretAsShorts()))
                .add(h2.mul(IntVector.broadcast(I512, pairs[xo + 58]).reinterpretAsShorts()))
                .add(l3.mul(IntVector.broadcast(I512, pairs[xo + 51]).reinterpretAsShorts()))
                .add(h3.mul(IntVector.broadcast(I512, pairs[xo + 59]).reinterpretAsShorts()));
            v = l4.mul(IntVector.broadcast(I512, pairs[xo + 52]).reinterpretAsShorts())
                .add(h4.mul(IntVector.broadcast(I512, pairs[xo + 60]).reinterpretAsShorts()))
                .add(l5.mul(IntVector.broadcast(I512, pairs[xo + 53]).reinterpretAsShorts()))
                .add(h5.mul(IntVector.broadcast(I512, pairs[xo + 61]).reinterpretAsShorts()))
                .add(l6.mul(IntVector.broadcast(I512, pairs[xo + 54]).reinterpretAsShorts()))
                .add(h6.mul(IntVector.broadcast(I512, pairs[xo + 62]).reinterpretAsShorts()))
                .add(l7.mul(IntVector.broadcast(I512, pairs[xo + 55]).reinterpretAsShorts()))
                .add(h7.mul(IntVector.broadcast(I512, pairs[xo + 63]).reinterpretAsShorts()));
            i = u.add(v).reinterpretAsInts();
            sum = i.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).add(i.lanewise(VectorOperators.ASHR, 16));
            a3 = ((FloatVector) sum.sub(off[bt + 3]).convert(VectorOperators.I2F, 0)).mul(FloatVector.broadcast(F512, d[bt + 3])).fma(s, a3);
        }
        a0.intoArray(acc, 0);
        a1.intoArray(acc, 16);
        a2.intoArray(acc, 32);
        a3.intoArray(acc, 48);
    }

    /** 16-bit lanes 0-15 (byte j of rows 0-15) and 16-31 (byte j + 1) interleaved: lane 2r ← r, lane 2r + 1 ← 16 + r. */
    private static final VectorShuffle<Short> PAIRS = VectorShuffle.fromOp(S512, i -> i % 2 == 0 ? i / 2 : 16 + i / 2);

    private static final ThreadBuffer ACC = new ThreadBuffer();
}
