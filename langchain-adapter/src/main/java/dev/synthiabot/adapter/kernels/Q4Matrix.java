package dev.synthiabot.adapter.kernels;

/**
 * A weight matrix in Jlama's Q4 block format, on the heap: {@code rows x cols} values in blocks of 32 along
 * a row; each block is 16 bytes (byte j holds value j in its low nibble and value j + 16 in its high
 * nibble, stored as {@code value / scale + 8}) and one float scale. Value = (nibble - 8) * scale.
 *
 * <p>Storage order: rows are taken in groups of {@value #GROUP} and interleaved block by block (block b of
 * rows 4g, 4g+1, 4g+2, 4g+3, then block b+1 of the same rows...; the last group may be smaller). The
 * 4-row matrix-vector kernel then streams the weights as one sequential run of memory instead of eight
 * (four rows of nibbles, four of scales), which the hardware prefetcher follows better (10-15% faster
 * decode here). {@link #blockIndex} maps (row, block) to the storage position.
 *
 * <p>Heap arrays rather than memory segments: the project targets Java 21, where the foreign memory API
 * (the only way to feed off-heap memory to the Vector API since JDK 20) is still a preview feature.
 */
public final class Q4Matrix {
    public static final int BLOCK = 32;
    /** Rows interleaved block by block. */
    public static final int GROUP = 4;

    private final int rows, cols, blocks;
    private final byte[] nibbles;
    private final float[] scales;

    private Q4Matrix(int rows, int cols, byte[] nibbles, float[] scales) {
        this.rows = rows;
        this.cols = cols;
        this.blocks = cols / BLOCK;
        this.nibbles = nibbles;
        this.scales = scales;
    }

    /**
     * From Jlama's row-major order (block b of row r at r·cols/32 + b: how the safetensors files store it).
     * The arrays are copied into the interleaved order.
     *
     * @param nibbles rows * cols / 2 bytes
     * @param scales rows * cols / 32 floats
     */
    public static Q4Matrix ofRowMajor(int rows, int cols, byte[] nibbles, float[] scales) {
        if (cols % BLOCK != 0) throw new IllegalArgumentException("cols " + cols + " is not a multiple of " + BLOCK);
        if (nibbles.length != rows * (cols / 2)) throw new IllegalArgumentException("nibbles: " + nibbles.length + " bytes for " + rows + "x" + cols);
        if (scales.length != rows * (cols / BLOCK)) throw new IllegalArgumentException("scales: " + scales.length + " for " + rows + "x" + cols);
        Q4Matrix m = new Q4Matrix(rows, cols, new byte[nibbles.length], new float[scales.length]);
        int blocks = cols / BLOCK;
        for (int r = 0; r < rows; r++) {
            int first = m.blockIndex(r, 0), stride = m.groupSize(r);
            for (int b = 0; b < blocks; b++) {
                int src = r * blocks + b, dst = first + b * stride;
                System.arraycopy(nibbles, src * 16, m.nibbles, dst * 16, 16);
                m.scales[dst] = scales[src];
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

    /** The 16-byte blocks in storage order (see {@link #blockIndex}). */
    public byte[] nibbles() {
        return nibbles;
    }

    /** The block scales in storage order. */
    public float[] scales() {
        return scales;
    }

    /** Rows in the group that holds {@code row}: {@value #GROUP}, or fewer in the last group. */
    public int groupSize(int row) {
        return Math.min(GROUP, rows - (row & -GROUP));
    }

    /**
     * Storage position of block {@code b} of row {@code row} (nibbles at 16·index, scale at index): the
     * blocks of one row are {@link #groupSize} apart.
     */
    public int blockIndex(int row, int b) {
        int g = row & -GROUP;
        return g * blocks + b * groupSize(row) + (row - g);
    }

    /** One weight, dequantized (for references and tests). */
    public float get(int row, int col) {
        int block = blockIndex(row, col / BLOCK);
        int j = col % BLOCK;
        byte b = nibbles[block * 16 + (j % 16)];
        int q = j < 16 ? (b & 0x0F) : ((b >> 4) & 0x0F);
        return (q - 8) * scales[block];
    }

    /** Row {@code row}, dequantized into {@code out} (an embedding lookup). */
    public void row(int row, float[] out) {
        for (int c = 0; c < cols; c++) out[c] = get(row, c);
    }

    /** Bytes of weights streamed by one pass over the matrix (nibbles + scales). */
    public long bytes() {
        return (long) nibbles.length + 4L * scales.length;
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
