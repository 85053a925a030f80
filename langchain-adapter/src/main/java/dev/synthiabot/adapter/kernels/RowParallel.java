package dev.synthiabot.adapter.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits row ranges over a fixed set of threads (the calling thread takes the first share), sized to the
 * cores it is given. Shares are multiples of 16 rows, the kernels' panels.
 *
 * <p>A token of decode makes about 160 of these calls (5 per layer), each under a millisecond, so handing work
 * over must cost microseconds, not the ~45 µs of waking a parked pool thread: the workers spin for a
 * short while ({@value #SPIN_NANOS} ns) after each share, waiting for the next, and only then park. Idle,
 * they park and cost nothing.
 */
public final class RowParallel implements AutoCloseable {
    /** Work on rows [from, to). */
    @FunctionalInterface
    public interface Rows {
        void run(int from, int to);
    }

    static final long SPIN_NANOS = 2_000_000;

    private final int threads;
    private final Worker[] workers;
    private final AtomicInteger remaining = new AtomicInteger();
    private volatile Call current;
    private long generation;
    private volatile boolean closed;
    private volatile RuntimeException failure;

    /** One call, published whole so a worker never mixes the fields of two calls. */
    private record Call(long generation, Rows work, int rows, int share, int parts, long[] busy, long[] firstWork) {}

    public RowParallel(int threads) {
        this.threads = Math.max(1, threads);
        this.workers = new Worker[this.threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    public int threads() {
        return threads;
    }

    public synchronized void forRows(int rows, Rows work) {
        int parts = Math.min(threads, Math.max(1, rows / 16));
        if (parts == 1 || closed) {
            work.run(0, rows);
            return;
        }
        int share = ((rows + parts - 1) / parts + 15) & ~15;
        failure = null;
        remaining.set(parts - 1);
        boolean profile = ForwardProfile.enabled();
        long start = profile ? System.nanoTime() : 0;
        current = new Call(++generation, work, rows, share, parts, profile ? new long[parts] : null, profile ? new long[parts] : null);
        for (int i = 0; i < parts - 1; i++) {
            if (workers[i].parked) LockSupport.unpark(workers[i]);
        }
        RuntimeException own = null;
        try {
            work.run(0, Math.min(rows, share));
        } catch (RuntimeException e) {
            own = e;
        }
        long ownEnd = profile ? System.nanoTime() : 0;
        // the other shares write into the caller's arrays: wait for them whatever happened here
        for (int spins = 0; remaining.get() > 0; spins++) {
            if (spins < 20_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // a worker without a core of its own needs this one
            }
        }
        Call c = current;
        current = null;
        if (profile) {
            long end = System.nanoTime();
            c.busy()[0] = ownEnd - start;
            ForwardProfile.parallelCall(start, end, threads, c.busy(), c.firstWork(), end - ownEnd);
        }
        if (own != null) throw own;
        if (failure != null) throw failure;
    }

    private final class Worker extends Thread {
        final int part;
        volatile boolean parked;

        Worker(int part) {
            super("q4-kernel-" + part);
            this.part = part;
            setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0;
            while (!closed) {
                Call c = current;
                if (c == null || c.generation() == seen) {
                    long spinUntil = System.nanoTime() + SPIN_NANOS;
                    for (int spins = 0; isCurrent(seen) && !closed && System.nanoTime() < spinUntil; spins++) {
                        if ((spins & 1023) == 1023) Thread.yield(); // leave the core to others now and then
                        Thread.onSpinWait();
                    }
                    if (isCurrent(seen) && !closed) {
                        parked = true;
                        if (isCurrent(seen) && !closed) LockSupport.park(this);
                        parked = false;
                    }
                    continue;
                }
                seen = c.generation();
                if (part >= c.parts()) continue;
                try {
                    int from = Math.min(c.rows(), part * c.share()), to = Math.min(c.rows(), (part + 1) * c.share());
                    long t0 = c.busy() != null ? System.nanoTime() : 0;
                    if (from < to) c.work().run(from, to);
                    if (t0 != 0) {
                        c.firstWork()[part] = t0;
                        c.busy()[part] = System.nanoTime() - t0;
                    }
                } catch (RuntimeException e) {
                    failure = e;
                } finally {
                    remaining.decrementAndGet();
                }
            }
        }
    }

    /** Nothing new to run: no call, or the one this worker has already taken. */
    private boolean isCurrent(long seen) {
        Call c = current;
        return c == null || c.generation() == seen;
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) LockSupport.unpark(w);
    }
}
