package dev.synthiabot.bot.reply;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.LongSupplier;

/** A scheduler and a clock in one, driven by the test: time moves only in {@link #advance}, tasks run only then. */
final class ManualScheduler implements Scheduler, LongSupplier {
    private record Task(long dueAt, long order, Runnable run) {}

    private final List<Task> tasks = new ArrayList<>();
    private long now = 1_000_000;
    private long order;
    /** Delays asked for, in order. */
    final List<Long> delays = new ArrayList<>();

    @Override
    public void after(long delayMs, Runnable task) {
        delays.add(delayMs);
        tasks.add(new Task(now + delayMs, order++, task));
    }

    @Override
    public long getAsLong() {
        return now;
    }

    /** Moves the clock by {@code ms}, running every task that comes due on the way (and those they schedule). */
    void advance(long ms) {
        long end = now + ms;
        for (int guard = 0; guard < 1000; guard++) {
            Task next = tasks.stream().filter(t -> t.dueAt() <= end).min(Comparator.comparingLong(Task::dueAt).thenComparingLong(Task::order)).orElse(null);
            if (next == null) break;
            tasks.remove(next);
            now = Math.max(now, next.dueAt());
            next.run().run();
        }
        now = end;
    }

    int pending() {
        return tasks.size();
    }
}
