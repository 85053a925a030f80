package dev.synthiabot.adapter.loading;

import dev.synthiabot.adapter.LoadProgressListener;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bytes done of a long step (download, conversion, quantization), with rate and time left: a progress bar on a
 * terminal (me.tongfei:progressbar), else one log line about every 10 s (Docker logs, systemd), and a last line
 * with the total time and rate either way. A {@link LoadProgressListener} given to {@link #reportingTo} hears of
 * every step started on that thread.
 */
public final class Progress implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Progress.class);
    private static final long LOG_EVERY_NANOS = Duration.ofSeconds(10).toNanos();
    private static final long TELL_EVERY_NANOS = Duration.ofMillis(500).toNanos();
    /**
     * The listener of the load running on this thread. A thread-local rather than a parameter: the steps are deep in
     * the download, conversion, quantization and reading code, which would otherwise all carry a listener they do not
     * use; the steps start on the loading thread (their bytes may be added from others).
     */
    private static final ThreadLocal<LoadProgressListener> LISTENER = new ThreadLocal<>();
    /** Steps smaller than this (config and tokenizer files) finish too fast to be worth a line. */
    private static final long QUIET_BELOW = 16_000_000;

    private final String task;
    private final long total;
    private final long start = System.nanoTime();
    private final ProgressBar bar;
    private final boolean quiet;
    private long done;
    private long initial;
    private long lastLog = start;
    private long lastTold = start;
    private final LoadProgressListener listener;

    private Progress(String task, long total, long initial, boolean terminal) {
        this.task = task;
        this.total = total;
        this.done = initial;
        this.initial = initial;
        this.quiet = total - initial < QUIET_BELOW;
        this.bar = terminal && !quiet ? new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit("MB", 1_000_000).showSpeed()
            .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).startsFrom(initial, Duration.ZERO).build() : null;
        if (!quiet) log.info("{}: {} to go{}", task, mb(total - initial), initial > 0 ? " (" + mb(initial) + " already there)" : "");
        this.listener = LISTENER.get();
        if (listener != null) listener.onProgress(task, done, total, Optional.empty());
    }

    /** {@code total} bytes, {@code initial} of them already done (a resumed download). */
    public static Progress start(String task, long total, long initial) {
        return new Progress(task, total, initial, onTerminal());
    }

    /** Runs {@code load} with every step it starts on this thread told to {@code listener} (null: none). */
    public static <T> T reportingTo(LoadProgressListener listener, Supplier<T> load) {
        LoadProgressListener before = LISTENER.get();
        LISTENER.set(listener);
        try {
            return load.get();
        } finally {
            LISTENER.set(before);
        }
    }

    private static boolean onTerminal() {
        java.io.Console c = System.console();
        if (c == null) return false;
        try { // Java 22+: System.console() exists even when redirected; isTerminal() tells
            return (Boolean) java.io.Console.class.getMethod("isTerminal").invoke(c);
        } catch (ReflectiveOperationException e) {
            return true; // Java 21: a console exists only on a terminal
        }
    }

    public synchronized void add(long bytes) {
        done += bytes;
        long now = System.nanoTime();
        if (listener != null && now - lastTold >= TELL_EVERY_NANOS) {
            lastTold = now;
            listener.onProgress(task, done, total, left(now));
        }
        if (bar != null) {
            bar.stepBy(bytes);
            return;
        }
        if (!quiet && now - lastLog >= LOG_EVERY_NANOS) {
            lastLog = now;
            double rate = (done - initial) / ((now - start) / 1e9);
            String eta = left(now).map(left -> ", about " + duration(left.toSeconds()) + " left").orElse("");
            log.info("{}: {} of {} ({}%), {}/s{}", task, mb(done), mb(total), total > 0 ? 100 * done / total : 100, mb((long) rate), eta);
        }
    }

    /** The time left at the rate so far. */
    private Optional<Duration> left(long now) {
        double rate = (done - initial) / ((now - start) / 1e9);
        return rate > 0 ? Optional.of(Duration.ofMillis((long) (1000 * Math.max(0, total - done) / rate))) : Optional.empty();
    }

    @Override
    public synchronized void close() {
        if (listener != null) listener.onProgress(task, done, total, Optional.of(Duration.ZERO));
        if (bar != null) bar.close();
        if (quiet) return;
        double s = (System.nanoTime() - start) / 1e9;
        log.info("{}: {} in {} ({}/s)", task, mb(done - initial), duration((long) s), mb((long) ((done - initial) / Math.max(s, 1e-3))));
    }

    static String mb(long bytes) {
        return bytes >= 10_000_000_000L ? String.format("%.1f GB", bytes / 1e9) : bytes >= 1_000_000 ? String.format("%.0f MB", bytes / 1e6)
            : String.format("%.1f MB", bytes / 1e6);
    }

    private static String duration(long seconds) {
        return seconds >= 90 ? (seconds / 60) + " min " + (seconds % 60) + " s" : seconds + " s";
    }
}
