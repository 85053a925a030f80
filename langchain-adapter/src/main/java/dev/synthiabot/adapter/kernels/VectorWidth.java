package dev.synthiabot.adapter.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector width the kernels run at, chosen once at class initialisation: the machine's preferred one, or a
 * narrower one named by the system property {@value #BITS_PROPERTY} (64, 128, 256, 512), so the AVX2, 128-bit and
 * scalar paths are tested on an AVX-512 machine too. {@link #PATH} names the implementation that width selects.
 */
public final class VectorWidth {
    public static final String BITS_PROPERTY = "synthia.kernels.bits";
    /** The float species of the chosen width: the float work of every path. */
    static final VectorSpecies<Float> F = species(System.getProperty(BITS_PROPERTY));
    static final int WIDTH = F.vectorBitSize();

    /** Which implementation runs on this machine. */
    public enum Path { AVX512, AVX2, VECTOR128, SCALAR }

    public static final Path PATH = WIDTH >= 512 ? Path.AVX512 : WIDTH == 256 ? Path.AVX2 : WIDTH == 128 ? Path.VECTOR128 : Path.SCALAR;

    /** Tokens per tile of the float GEMMs: one float vector holds one weight's products with this many tokens. */
    public static final int LANES = F.length();

    /** The fixed shapes the kernels of one path are written for (a path's kernels run only at its width). */
    static final VectorSpecies<Float> F512 = FloatVector.SPECIES_512, F256 = FloatVector.SPECIES_256, F128 = FloatVector.SPECIES_128;
    static final VectorSpecies<Integer> I512 = IntVector.SPECIES_512, I256 = IntVector.SPECIES_256, I128 = IntVector.SPECIES_128;
    static final VectorSpecies<Short> S256 = ShortVector.SPECIES_256, S128 = ShortVector.SPECIES_128;
    static final VectorSpecies<Byte> B256 = ByteVector.SPECIES_256, B128 = ByteVector.SPECIES_128, B64 = ByteVector.SPECIES_64;

    private VectorWidth() {}

    static VectorSpecies<Float> species(String bits) {
        VectorSpecies<Float> preferred = FloatVector.SPECIES_PREFERRED;
        if (bits == null || bits.isBlank()) return preferred;
        int b;
        try {
            b = Integer.parseInt(bits.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(BITS_PROPERTY + " must be 64, 128, 256 or 512, not '" + bits + "'");
        }
        if (b != 64 && b != 128 && b != 256 && b != 512) {
            throw new IllegalArgumentException(BITS_PROPERTY + " must be 64, 128, 256 or 512, not " + b);
        }
        return b >= preferred.vectorBitSize() ? preferred : VectorSpecies.of(float.class, VectorShape.forBitSize(b));
    }
}
