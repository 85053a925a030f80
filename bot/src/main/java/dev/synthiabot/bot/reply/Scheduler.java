package dev.synthiabot.bot.reply;

import java.util.concurrent.RejectedExecutionException;

/** Runs a reply's renders: the {@link Renderer} in the bot, a hand-driven one in tests. */
public interface Scheduler {
    /** Runs {@code task} after {@code delayMs}; throws RejectedExecutionException once closed. */
    void after(long delayMs, Runnable task) throws RejectedExecutionException;
}
