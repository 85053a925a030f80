package dev.synthiabot.adapter.kernels;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Splits a range of rows (or of other independent items) over a fixed set of threads, the calling thread among them,
 * sized to the cores it is given.
 *
 * <p>The threads take chunks of the range as they become free (guided self-scheduling: each chunk a share of what is
 * left, down to a smallest chunk), not one fixed share each. On a 16-core Xeon VM fixed shares left the threads idle a
 * quarter of every call (the profile's busy share: 70-79%) while the last share was still running: equal shares do
 * not take equal times when cores run at different speeds or the host takes one away for a while. Taken as they
 * come, a slow or interrupted thread simply computes fewer chunks. Chunks of rows are whole panels of 16 rows and at
 * least four of them, so {@link Q8Matvec} keeps its four memory streams.
 *
 * <p>A token of decode makes about 160 of these calls (5 per layer), each under a millisecond, so handing work
 * over must cost microseconds, not the ~45 µs of waking a parked pool thread: the workers spin for a
 * short while ({@value #SPIN_NANOS} ns) after each call, waiting for the next, and only then park. Idle,
 * they park and cost nothing.
 *
 * <p>How rows are split never changes a result: every kernel computes each row (each item) on its own.
 */
public final class RowParallel implements AutoCloseable {
    /** Work on rows [from, to). */
    @FunctionalInterface
    public interface Rows {
        void run(int from, int to);
    }

    static final long SPIN_NANOS = 2_000_000;
    /** Rows per panel: chunks of rows are multiples of it. */
    static final int PANEL = 16;
    /** The smallest chunk of rows: four panels, one per memory stream of {@link Q8Matvec}'s single-token kernel. */
    static final int SMALLEST_ROWS = 4 * PANEL;

    private final int threads;
    private final Worker[] workers;
    private volatile Call current;
    private long generation;
    private volatile boolean closed;

    /**
     * One call, published whole so a worker never mixes the fields of two calls: the next unclaimed item and the items
     * done, per call, so a worker that comes late to a finished call finds nothing left to take.
     */
    private static final class Call {
        final long generation;
        final Rows work;
        final int items, unit, smallest, threads;
        final AtomicInteger next = new AtomicInteger(), done = new AtomicInteger();
        volatile RuntimeException failure;
        /** With profiling on: each thread's busy time and the start of its first chunk (0: none). */
        final long[] busy, firstWork;

        Call(long generation, Rows work, int items, int unit, int smallest, int threads, boolean profile) {
            this.generation = generation;
            this.work = work;
            this.items = items;
            this.unit = unit;
            this.smallest = smallest;
            this.threads = threads;
            this.busy = profile ? new long[threads] : null;
            this.firstWork = profile ? new long[threads] : null;
        }

        /** The end of the chunk that starts at {@code from}: half of a thread's share of what is left, in whole units. */
        int end(int from) {
            int left = items - from;
            int size = Math.max(smallest, (left / (2 * threads) + unit - 1) / unit * unit);
            return Math.min(items, from + size);
        }

        /**
         * Takes and runs chunks until none is left; {@code self} is this thread's slot for the profile. What it did is
         * counted once at the end, one update of the shared count per thread and call rather than per chunk: every
         * update moves that cache line between the cores, while the caller spins reading it.
         */
        void runChunks(int self) {
            int ran = 0;
            try {
                for (int from = next.get(); from < items; from = next.get()) {
                    int to = end(from);
                    if (!next.compareAndSet(from, to)) continue;
                    ran += to - from;
                    long t0 = busy != null ? System.nanoTime() : 0;
                    try {
                        work.run(from, to);
                    } catch (RuntimeException e) {
                        failure = e;
                    }
                    if (t0 != 0) {
                        if (firstWork[self] == 0) firstWork[self] = t0;
                        busy[self] += System.nanoTime() - t0;
                    }
                }
            } finally {
                if (ran > 0) done.addAndGet(ran);
            }
        }
    }

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

    /** Runs {@code work} over rows [0, rows) in chunks of whole panels, at least {@link #SMALLEST_ROWS} rows each. */
    public void forRows(int rows, Rows work) {
        run(rows, PANEL, SMALLEST_ROWS, work);
    }

    /**
     * Runs {@code work} over rows [0, rows) in chunks of whole panels, at least {@code smallest} rows each (a multiple
     * of {@link #PANEL}): a GEMM's panels each take long enough for single panels to even out the threads' ends.
     */
    public void forRows(int rows, int smallest, Rows work) {
        run(rows, PANEL, smallest, work);
    }

    /** Runs {@code work} over items [0, items) in chunks of any size (tokens, attention's jobs, blocks of columns). */
    public void forItems(int items, Rows work) {
        run(items, 1, 1, work);
    }

    private synchronized void run(int items, int unit, int smallest, Rows work) {
        if (threads == 1 || items <= smallest || closed) {
            if (items > 0) work.run(0, items);
            return;
        }
        boolean profile = ForwardProfile.enabled();
        long start = profile ? System.nanoTime() : 0;
        Call c = new Call(++generation, work, items, unit, smallest, threads, profile);
        current = c;
        for (Worker w : workers) {
            if (w.parked) LockSupport.unpark(w);
        }
        c.runChunks(0);
        long ownEnd = profile ? System.nanoTime() : 0;
        // the others' chunks write into the caller's arrays: wait for them whatever happened
        for (int spins = 0; c.done.get() < items; spins++) {
            if (spins < 20_000) {
                Thread.onSpinWait();
            } else {
                Thread.yield(); // a worker without a core of its own needs this one
            }
        }
        current = null;
        if (profile) {
            long end = System.nanoTime();
            ForwardProfile.parallelCall(start, end, threads, c.busy, c.firstWork, end - ownEnd);
        }
        if (c.failure != null) throw c.failure;
    }

    private final class Worker extends Thread {
        final int slot;
        volatile boolean parked;

        Worker(int slot) {
            super("q4-kernel-" + slot);
            this.slot = slot;
            setDaemon(true);
        }

        @Override
        public void run() {
            long seen = 0;
            while (!closed) {
                Call c = current;
                if (c == null || c.generation == seen) {
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
                seen = c.generation;
                c.runChunks(slot);
            }
        }
    }

    /** Nothing new to run: no call, or the one this worker has already taken. */
    private boolean isCurrent(long seen) {
        Call c = current;
        return c == null || c.generation == seen;
    }

    @Override
    public void close() {
        closed = true;
        for (Worker w : workers) LockSupport.unpark(w);
    }
}
