package dev.synthiabot.adapter.kernels;

/**
 * A weight matrix in Jlama's Q4 block format, on the heap: {@code rows x cols} values in blocks of 32 along
 * a row; each block is 16 bytes (byte j holds value j in its low nibble and value j + 16 in its high
 * nibble, stored as {@code value / scale + 8}) and one float scale. Value = (nibble - 8) * scale.
 *
 * <p>Storage order (ours, not Jlama's): rows are taken in panels of {@value #PANEL} and transposed block by
 * block: for panel p and block b there are {@value #PANEL_BLOCK} bytes, 256 where byte {@code 16·j + r} is
 * byte j of row {@code 16p + r}'s block, then the sixteen rows' scales of that block as IEEE half floats
 * (little-endian), as llama.cpp stores them: 18 bytes per 32 weights instead of Jlama's 20, and decode
 * reads every weight once per token, so its speed is the bytes it streams. One 16-byte load gives byte j of
 * sixteen rows, so a kernel computes sixteen rows at once in the lanes of one AVX-512 vector: each
 * activation is broadcast once per panel, each block scale is applied by one vector FMA for sixteen rows,
 * no horizontal sums are needed, and the weights are read as one sequential stream. The last panel is
 * padded with zero rows.
 *
 * <p>Heap arrays rather than memory segments: the project targets Java 21, where the foreign memory API
 * (the only way to feed off-heap memory to the Vector API since JDK 20) is still a preview feature.
 */
public final class Q4Matrix {
    public static final int BLOCK = 32;
    /** Rows per panel of the storage order. */
    public static final int PANEL = 16;
    /** Bytes per block of a panel: 16 rows x 16 bytes of nibbles, then 16 half-float scales. */
    public static final int PANEL_BLOCK = PANEL * 16 + PANEL * 2;
    /**
     * The short names the kernels' index arithmetic uses: {@link #PANEL}, {@link #PANEL_BLOCK}, and where a panel
     * block's sixteen half-float scales start.
     */
    static final int P = PANEL, PB = PANEL_BLOCK, SCALES = PANEL * 16;

    private final int rows, cols, blocks, panels;
    private final byte[] data;

    private Q4Matrix(int rows, int cols) {
        this.rows = rows;
        this.cols = cols;
        this.blocks = cols / BLOCK;
        this.panels = (rows + PANEL - 1) / PANEL;
        this.data = new byte[Math.multiplyExact(panels * blocks, PANEL_BLOCK)];
    }

    /**
     * From Jlama's row-major order (block b of row r at r·cols/32 + b: how the safetensors files store it),
     * copied into the panel order with the scales rounded to half floats.
     *
     * @param nibbles rows * cols / 2 bytes
     * @param scales rows * cols / 32 floats
     */
    public static Q4Matrix ofRowMajor(int rows, int cols, byte[] nibbles, float[] scales) {
        if (cols % BLOCK != 0) throw new IllegalArgumentException("cols " + cols + " is not a multiple of " + BLOCK);
        if (nibbles.length != rows * (cols / 2)) throw new IllegalArgumentException("nibbles: " + nibbles.length + " bytes for " + rows + "x" + cols);
        if (scales.length != rows * (cols / BLOCK)) throw new IllegalArgumentException("scales: " + scales.length + " for " + rows + "x" + cols);
        Q4Matrix m = new Q4Matrix(rows, cols);
        int blocks = cols / BLOCK;
        byte[] out = m.data;
        // Output order: the writes are sequential; the reads of one block touch 16 rows' lines, which stay cached.
        for (int p = 0; p < m.panels; p++) {
            int r0 = p * PANEL, n = Math.min(PANEL, rows - r0);
            for (int b = 0; b < blocks; b++) {
                int dst = (p * blocks + b) * PANEL_BLOCK;
                for (int j = 0; j < 16; j++) {
                    int o = dst + 16 * j, src = (r0 * blocks + b) * 16 + j;
                    for (int lane = 0; lane < n; lane++) out[o + lane] = nibbles[src + lane * blocks * 16];
                }
                int so = dst + PANEL * 16;
                for (int lane = 0; lane < n; lane++) {
                    short half = Float.floatToFloat16(scales[(r0 + lane) * blocks + b]);
                    out[so + 2 * lane] = (byte) half;
                    out[so + 2 * lane + 1] = (byte) (half >> 8);
                }
            }
        }
        return m;
    }

    public int rows() {
        return rows;
    }

    public int cols() {
        return cols;
    }

    public int blocksPerRow() {
        return blocks;
    }

    /** Panels of {@value #PANEL} rows (the last one padded). */
    public int panels() {
        return panels;
    }

    /** Nibbles and scales in panel order: block b of panel p starts at {@code (p·blocks + b)·}{@value #PANEL_BLOCK}. */
    public byte[] data() {
        return data;
    }

    /** The scale of block b of row {@code row}, as stored (a half float). */
    public float scale(int row, int b) {
        return half(data, ((row / PANEL) * blocks + b) * PANEL_BLOCK + SCALES + 2 * (row % PANEL));
    }

    /** The little-endian half float at d[o] (a block scale), as a float. */
    static float half(byte[] d, int o) {
        return Float.float16ToFloat((short) ((d[o] & 0xFF) | (d[o + 1] << 8)));
    }

    /** One weight, dequantized (for references, tests and embedding lookups). */
    public float get(int row, int col) {
        int pb = (row / PANEL) * blocks + col / BLOCK, lane = row % PANEL;
        int j = col % BLOCK;
        byte b = data[pb * PANEL_BLOCK + (j % 16) * 16 + lane];
        int q = j < 16 ? (b & 0x0F) : ((b >> 4) & 0x0F);
        return (q - 8) * scale(row, col / BLOCK);
    }

    /** Row {@code row}, dequantized into {@code out} (an embedding lookup). */
    public void row(int row, float[] out) {
        for (int c = 0; c < cols; c++) out[c] = get(row, c);
    }

    /** Bytes of weights one pass over the matrix streams (nibbles + scales of the real rows). */
    public long bytes() {
        return (long) rows * (cols / 2) + 2L * rows * blocks;
    }

    /** Quantizes {@code values} (row-major) the way Jlama does (scale = signed max / -8). */
    public static Q4Matrix quantize(float[] values, int rows, int cols) {
        byte[] nib = new byte[rows * (cols / 2)];
        float[] sc = new float[rows * (cols / BLOCK)];
        for (int r = 0; r < rows; r++) {
            for (int b = 0; b < cols / BLOCK; b++) {
                int base = r * cols + b * BLOCK;
                float max = 0, amax = 0;
                for (int j = 0; j < BLOCK; j++) {
                    float v = values[base + j];
                    if (Math.abs(v) > amax) {
                        amax = Math.abs(v);
                        max = v;
                    }
                }
                float scale = max / -8f;
                float inv = scale != 0 ? 1f / scale : 0;
                int block = r * (cols / BLOCK) + b;
                sc[block] = scale;
                for (int j = 0; j < 16; j++) {
                    int lo = Math.min(15, (int) (byte) (values[base + j] * inv + 8.5f));
                    int hi = Math.min(15, (int) (byte) (values[base + j + 16] * inv + 8.5f));
                    nib[block * 16 + j] = (byte) (lo | (hi << 4));
                }
            }
        }
        return ofRowMajor(rows, cols, nib, sc);
    }
}
