package dev.synthiabot.bot.app;

import dev.synthiabot.config.prompts.ChannelPromptStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

/**
 * The orderly stop on SIGTERM (docker stop, systemd) and SIGINT (Ctrl-C): the bot finishes or ends every answer
 * while Discord still takes requests ({@link BotApp#close()}), closes the model and the database, and exits 0.
 * The signals are handled directly rather than through a shutdown hook, whose exit status would be 143 and which
 * runs beside the hooks of libraries. A second signal during the shutdown stops at once (exit 130); replies left
 * in flight are then finished at the next start.
 */
final class Shutdown implements Runnable {
    private static final Logger log = LoggerFactory.getLogger(Shutdown.class);

    private final BotApp app;
    private final ChannelPromptStore prompts;
    private AutoCloseable model;
    private boolean started;

    Shutdown(BotApp app, ChannelPromptStore prompts) {
        this.app = app;
        this.prompts = prompts;
    }

    void onSignals() {
        for (String name : new String[] {"TERM", "INT"}) {
            Signal.handle(new Signal(name), signal -> onSignal(signal.getName()));
        }
    }

    /** The loaded model, to close at shutdown; false if the shutdown already began (the caller must not start answering). */
    synchronized boolean model(AutoCloseable model) {
        if (started) {
            closeQuietly(model);
            return false;
        }
        this.model = model;
        return true;
    }

    private void onSignal(String name) {
        synchronized (this) {
            if (started) {
                log.warn("SIG{} again during the shutdown: stopping now; unfinished replies are finished at the next start", name);
                Runtime.getRuntime().halt(130);
            }
            started = true;
        }
        log.info("SIG{} received", name);
        Thread t = new Thread(() -> {
            run();
            System.exit(ExitCode.STOPPED.code);
        }, "shutdown");
        t.start();
    }

    @Override
    public void run() {
        synchronized (this) {
            started = true;
        }
        app.close();
        AutoCloseable m;
        synchronized (this) {
            m = model;
        }
        if (m != null) closeQuietly(m);
        prompts.close();
        log.info("synthia-bot stopped");
    }

    private static void closeQuietly(AutoCloseable model) {
        try {
            model.close();
        } catch (Exception e) {
            log.warn("Closing the model failed: {}", e.toString());
        }
    }
}
