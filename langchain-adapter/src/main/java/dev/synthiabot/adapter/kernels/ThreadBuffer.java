package dev.synthiabot.adapter.kernels;

/**
 * An array per thread that grows to the largest size asked for and is reused: the kernels' scratch space
 * (a dequantized panel, attention's partial sums) without an allocation per call on the hot path.
 */
final class ThreadBuffer {
    private final ThreadLocal<float[]> floats = ThreadLocal.withInitial(() -> new float[0]);
    private final ThreadLocal<short[]> shorts = ThreadLocal.withInitial(() -> new short[0]);

    /** This thread's float array, at least {@code n} long; its contents are whatever the thread left there. */
    float[] get(int n) {
        float[] a = floats.get();
        if (a.length < n) {
            a = new float[n];
            floats.set(a);
        }
        return a;
    }

    /** This thread's short array, at least {@code n} long; its contents are whatever the thread left there. */
    short[] shorts(int n) {
        short[] a = shorts.get();
        if (a.length < n) {
            a = new short[n];
            shorts.set(a);
        }
        return a;
    }
}
