package dev.synthiabot.bot.reply;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows an answer while it is generated: the text is re-rendered at most once per interval (Discord
 * rate-limits edits), split into messages of at most 2000 characters, only messages whose text changed
 * are edited, and a final render removes the Cancel button.
 */
public final class StreamingReply {
    private static final Logger log = LoggerFactory.getLogger(StreamingReply.class);
    private static final String CURSOR = " ▌";

    private final ReplyTarget target;
    private final ScheduledExecutorService scheduler;
    private final long intervalMs;
    private final MessageSplitter splitter = new MessageSplitter();
    private final List<String> shown = new ArrayList<>();
    private final List<Boolean> buttons = new ArrayList<>();
    private final StringBuilder text = new StringBuilder();
    private long lastRender;
    private ScheduledFuture<?> pending;
    private boolean finished;

    public StreamingReply(ReplyTarget target, ScheduledExecutorService scheduler, long intervalMs) {
        this.target = target;
        this.scheduler = scheduler;
        this.intervalMs = intervalMs;
    }

    /** A status line (e.g. queue position) shown in message 0 with a Cancel button, before any answer text. */
    public synchronized void status(String status) {
        if (finished || !text.isEmpty()) return;
        renderNow(List.of(status), true);
    }

    public synchronized void append(String piece) {
        if (finished) return;
        text.append(piece);
        if (pending == null) {
            long wait = Math.max(0, lastRender + intervalMs - System.currentTimeMillis());
            pending = scheduler.schedule(this::renderPending, wait, TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void renderPending() {
        pending = null;
        if (finished) return;
        target.working();
        renderNow(splitter.split(text + CURSOR), true);
    }

    /** Shows the final text (with an optional note below it) once the interval allows; no Cancel button. */
    public synchronized void finish(String finalText, String note) {
        if (finished) return;
        finished = true;
        if (pending != null) pending.cancel(false);
        String body = note == null || note.isEmpty() ? finalText : finalText.isEmpty() ? note : finalText + "\n\n" + note;
        List<String> parts = splitter.split(body);
        long wait = Math.max(0, lastRender + intervalMs - System.currentTimeMillis());
        scheduler.schedule(() -> {
            synchronized (this) {
                renderNow(parts, false);
            }
        }, wait, TimeUnit.MILLISECONDS);
    }

    public synchronized String text() {
        return text.toString();
    }

    private void renderNow(List<String> parts, boolean cancelButton) {
        lastRender = System.currentTimeMillis();
        for (int i = 0; i < parts.size(); i++) {
            boolean button = cancelButton && i == parts.size() - 1;
            boolean known = i < shown.size();
            if (known && shown.get(i).equals(parts.get(i)) && buttons.get(i) == button) continue;
            try {
                target.show(i, parts.get(i), button);
            } catch (Exception e) {
                log.warn("Could not show part {} of an answer: {}", i, e.toString());
                return; // keep the parts in order: retry from here on the next render
            }
            if (known) {
                shown.set(i, parts.get(i));
                buttons.set(i, button);
            } else {
                shown.add(parts.get(i));
                buttons.add(button);
            }
        }
    }
}
