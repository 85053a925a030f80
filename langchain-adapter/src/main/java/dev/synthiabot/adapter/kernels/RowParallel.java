package dev.synthiabot.adapter.kernels;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Splits row ranges over a fixed set of threads (the calling thread takes the first share), sized to
 * the cores it is given. Shares are multiples of 16 rows, the kernels' panels.
 */
public final class RowParallel implements AutoCloseable {
    /** Work on rows [from, to). */
    @FunctionalInterface
    public interface Rows {
        void run(int from, int to);
    }

    private final int threads;
    private final ExecutorService workers;

    public RowParallel(int threads) {
        this.threads = Math.max(1, threads);
        this.workers = this.threads == 1 ? null : Executors.newFixedThreadPool(this.threads - 1, r -> {
            Thread t = new Thread(r, "q4-kernel");
            t.setDaemon(true);
            return t;
        });
    }

    public int threads() {
        return threads;
    }

    public void forRows(int rows, Rows work) {
        int parts = Math.min(threads, Math.max(1, rows / 16));
        if (parts == 1) {
            work.run(0, rows);
            return;
        }
        int share = ((rows + parts - 1) / parts + 15) & ~15;
        CountDownLatch done = new CountDownLatch(parts - 1);
        RuntimeException[] failure = new RuntimeException[1];
        for (int p = 1; p < parts; p++) {
            int from = Math.min(rows, p * share), to = Math.min(rows, (p + 1) * share);
            workers.execute(() -> {
                try {
                    if (from < to) work.run(from, to);
                } catch (RuntimeException e) {
                    failure[0] = e;
                } finally {
                    done.countDown();
                }
            });
        }
        work.run(0, Math.min(rows, share));
        try {
            done.await();
        } catch (InterruptedException e) {
            // finish the shares already running (they write into the caller's arrays), then report the interrupt
            try {
                done.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException ignored) {
                // give up waiting
            }
            Thread.currentThread().interrupt();
        }
        if (failure[0] != null) throw failure[0];
    }

    @Override
    public void close() {
        if (workers != null) workers.shutdownNow();
    }
}
