package dev.synthiabot.bot.app;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The orderly stop on SIGTERM (docker stop, systemd) and SIGINT (Ctrl-C), for the bot and for {@code serve}: first
 * the work in hand is finished or ended ({@code finishWork}: the bot's answers while Discord still takes requests,
 * {@link BotApp#close()}; serve's drain), then the model is closed, then what remains ({@code afterModel}: the
 * database), and the process exits 0. The signals are handled directly rather than through a shutdown hook, whose exit
 * status would be 143 and which runs beside the hooks of libraries. A second signal during the stop ends the process
 * at once (exit 130); the bot's replies left in flight are then finished at its next start.
 */
final class Shutdown implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Shutdown.class);

    private final String name;
    private final Runnable finishWork;
    private final AutoCloseable afterModel;
    private AutoCloseable model;
    private boolean started;

    /** @param name what stops, for the log ({@code synthia-bot}, {@code synthia-bot serve}) */
    Shutdown(String name, Runnable finishWork, AutoCloseable afterModel) {
        this.name = name;
        this.finishWork = finishWork;
        this.afterModel = afterModel;
    }

    void onSignals() {
        for (String signal : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(signal), s -> onSignal(s.getName()));
        }
    }

    /** The loaded model, to close at the stop; false if the stop already began (the caller must not start using it). */
    synchronized boolean model(AutoCloseable model) {
        if (started) {
            closeQuietly("the model", model);
            return false;
        }
        this.model = model;
        return true;
    }

    private void onSignal(String signal) {
        synchronized (this) {
            if (started) {
                log.warn("SIG{} again while stopping: stopping now", signal);
                Runtime.getRuntime().halt(130);
            }
            started = true;
        }
        log.info("SIG{} received: stopping", signal);
        Thread.ofPlatform().name("shutdown").start(() -> {
            run();
            System.exit(ExitCode.STOPPED.code);
        });
    }

    @Override
    public void run() {
        synchronized (this) {
            started = true;
        }
        finishWork.run();
        AutoCloseable m;
        synchronized (this) {
            m = model;
        }
        if (m != null) closeQuietly("the model", m);
        closeQuietly("storage", afterModel);
        log.info("{} stopped", name);
    }

    private static void closeQuietly(String what, AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            log.warn("Closing {} failed: {}", what, e.toString());
        }
    }
}
