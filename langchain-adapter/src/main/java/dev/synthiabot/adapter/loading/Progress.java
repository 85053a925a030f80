package dev.synthiabot.adapter.loading;

import java.time.Duration;
import me.tongfei.progressbar.ProgressBar;
import me.tongfei.progressbar.ProgressBarBuilder;
import me.tongfei.progressbar.ProgressBarStyle;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bytes done of a long step (download, conversion, quantization), with rate and time left: a progress bar on a
 * terminal (me.tongfei:progressbar), else one log line about every 10 s (Docker logs, systemd), and a last line
 * with the total time and rate either way.
 */
final class Progress implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(Progress.class);
    private static final long LOG_EVERY_NANOS = Duration.ofSeconds(10).toNanos();
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

    private Progress(String task, long total, long initial, boolean terminal) {
        this.task = task;
        this.total = total;
        this.done = initial;
        this.initial = initial;
        this.quiet = total - initial < QUIET_BELOW;
        this.bar = terminal && !quiet ? new ProgressBarBuilder().setTaskName(task).setInitialMax(total).setUnit("MB", 1_000_000).showSpeed()
            .setStyle(ProgressBarStyle.ASCII).setUpdateIntervalMillis(500).startsFrom(initial, Duration.ZERO).build() : null;
        if (!quiet) log.info("{}: {} to go{}", task, mb(total - initial), initial > 0 ? " (" + mb(initial) + " already there)" : "");
    }

    /** {@code total} bytes, {@code initial} of them already done (a resumed download). */
    static Progress start(String task, long total, long initial) {
        return new Progress(task, total, initial, onTerminal());
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

    synchronized void add(long bytes) {
        done += bytes;
        if (bar != null) {
            bar.stepBy(bytes);
            return;
        }
        long now = System.nanoTime();
        if (!quiet && now - lastLog >= LOG_EVERY_NANOS) {
            lastLog = now;
            double rate = (done - initial) / ((now - start) / 1e9);
            String eta = rate > 0 ? ", about " + duration((long) ((total - done) / rate)) + " left" : "";
            log.info("{}: {} of {} ({}%), {}/s{}", task, mb(done), mb(total), total > 0 ? 100 * done / total : 100, mb((long) rate), eta);
        }
    }

    @Override
    public synchronized void close() {
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
