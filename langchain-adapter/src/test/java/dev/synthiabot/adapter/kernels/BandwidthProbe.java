package dev.synthiabot.adapter.kernels;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

public final class BandwidthProbe {
    static long sum(byte[] a, int from, int to) {
        var acc = ByteVector.zero(ByteVector.SPECIES_512);
        for (int i = from; i < to; i += 64) acc = acc.lanewise(VectorOperators.XOR, ByteVector.fromArray(ByteVector.SPECIES_512, a, i));
        return acc.reduceLanes(VectorOperators.XOR);
    }

    public static void main(String[] args) throws Exception {
        int n = 1 << 30;
        byte[] a = new byte[n];
        for (int i = 0; i < n; i += 4096) a[i] = (byte) i;
        for (int threads : new int[] {1, 2}) {
            for (int it = 0; it < 5; it++) {
                long t0 = System.nanoTime();
                Thread[] ts = new Thread[threads];
                for (int k = 0; k < threads; k++) {
                    int from = (int) ((long) k * n / threads), to = (int) ((long) (k + 1) * n / threads);
                    ts[k] = new Thread(() -> sum(a, from, to));
                    ts[k].start();
                }
                for (Thread t : ts) t.join();
                double s = (System.nanoTime() - t0) / 1e9;
                if (it >= 2) System.out.printf("%d threads: %.1f GB/s%n", threads, n / s / 1e9);
            }
        }
    }
}
