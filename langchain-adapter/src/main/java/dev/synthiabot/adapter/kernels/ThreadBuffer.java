package dev.synthiabot.adapter.kernels;

/**
 * A float array per thread that grows to the largest size asked for and is reused: the kernels' scratch space
 * (a dequantized panel, attention's partial sums) without an allocation per call on the hot path.
 */
final class ThreadBuffer {
    private final ThreadLocal<float[]> local = ThreadLocal.withInitial(() -> new float[0]);

    /** This thread's array, at least {@code n} long; its contents are whatever the thread left there. */
    float[] get(int n) {
        float[] a = local.get();
        if (a.length < n) {
            a = new float[n];
            local.set(a);
        }
        return a;
    }
}
