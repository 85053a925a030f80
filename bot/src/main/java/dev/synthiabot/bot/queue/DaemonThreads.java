package dev.synthiabot.bot.queue;

import java.util.concurrent.ThreadFactory;

/** Named daemon threads for the bot's executors (they must never keep the JVM alive after shutdown). */
public final class DaemonThreads {
    private DaemonThreads() {}

    public static ThreadFactory named(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }
}
