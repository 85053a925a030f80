package dev.synthiabot.bot.reply;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Discord I/O of replies: each render on a virtual thread of its own, after a delay kept by one timer
 * thread. A render waits on REST calls (rate limits, a slow Discord, retries), so a fixed pool would let one
 * reply's slow edit hold up every other reply's updates.
 */
public final class Renderer implements Scheduler, AutoCloseable {
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("reply-timer").daemon().factory());
    private final ExecutorService io = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("reply-render-", 0).factory());

    @Override
    public void after(long delayMs, Runnable task) {
        if (delayMs <= 0) {
            io.execute(task);
        } else {
            timer.schedule(() -> {
                try {
                    io.execute(task);
                } catch (RejectedExecutionException e) {
                    // closed meanwhile: the reply was given up by close()
                }
            }, delayMs, TimeUnit.MILLISECONDS);
        }
    }

    /** Stops taking renders and waits (bounded) for those running. */
    @Override
    public void close() {
        timer.shutdownNow();
        io.shutdown();
        try {
            io.awaitTermination(Duration.ofSeconds(5).toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
