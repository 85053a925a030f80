package dev.synthiabot.adapter.kernels;

/**
 * A weight matrix in Jlama's Q4 layout, on the heap: {@code rows x cols} values in blocks of 32 along a
 * row; each block is 16 bytes (byte j holds value j in its low nibble and value j + 16 in its high
 * nibble, stored as {@code value / scale + 8}) and one float scale. Value = (nibble - 8) * scale.
 *
 * <p>Heap arrays rather than memory segments: the project targets Java 21, where the foreign memory API
 * (the only way to feed off-heap memory to the Vector API since JDK 20) is still a preview feature.
 *
 * @param nibbles rows * cols / 2 bytes
 * @param scales rows * cols / 32 floats
 */
public record Q4Matrix(int rows, int cols, byte[] nibbles, float[] scales) {
    public static final int BLOCK = 32;

    public Q4Matrix {
        if (cols % BLOCK != 0) throw new IllegalArgumentException("cols " + cols + " is not a multiple of " + BLOCK);
        if (nibbles.length != rows * (cols / 2)) throw new IllegalArgumentException("nibbles: " + nibbles.length + " bytes for " + rows + "x" + cols);
        if (scales.length != rows * (cols / BLOCK)) throw new IllegalArgumentException("scales: " + scales.length + " for " + rows + "x" + cols);
    }

    public int blocksPerRow() {
        return cols / BLOCK;
    }

    /** One weight, dequantized (for references and tests). */
    public float get(int row, int col) {
        int block = row * blocksPerRow() + col / BLOCK;
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
        return new Q4Matrix(rows, cols, nib, sc);
    }
}
