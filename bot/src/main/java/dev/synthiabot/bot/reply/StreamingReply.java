package dev.synthiabot.bot.reply;

import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows an answer while it is generated. The generation thread only records what should be shown, under a short
 * lock; every Discord call happens in renders run by the {@link Scheduler}, one at a time per reply, with no lock
 * held, so a slow or rate-limited Discord never slows the model. A render takes a {@link Pending} snapshot, shows it
 * ({@link ReplyRender}: split into messages of at most 2000 characters, editing only those that changed) and
 * decides from the {@link RenderOutcome} what comes next. Updates come at most once per interval (Discord
 * rate-limits edits); the final render replaces the Cancel button with the finished answer's buttons, if any, and
 * {@link #delivered()} completes once the final text is out (or every way to show it failed).
 */
public final class StreamingReply {
    private static final Logger log = LoggerFactory.getLogger(StreamingReply.class);
    /** Ends the text of an answer still being written. */
    public static final String CURSOR = " ▌";
    /** After a failed update, the next waits at least this long (a failing Discord is not hammered). */
    static final long FAILED_UPDATE_DELAY_MS = 2000;

    private final ReplyTarget target;
    private final Scheduler scheduler;
    private final long intervalMs;
    private final LongSupplier clockMillis;
    private final MessageSplitter splitter = new MessageSplitter();
    private final CompletableFuture<Void> delivered = new CompletableFuture<>();

    // Guarded by this: what should be shown, and whether a render is due.
    private final StringBuilder text = new StringBuilder();
    private String status;
    private List<String> finalParts;
    private Set<ReplyButton> finalButtons = Set.of();
    private long version;
    private boolean scheduled;
    private boolean rendering;
    private long lastRender;

    // Owned by the render in progress (renders never overlap).
    private ReplyView view = ReplyView.NOTHING;
    private int finalAttempts;

    public StreamingReply(ReplyTarget target, Scheduler scheduler, long intervalMs) {
        this(target, scheduler, intervalMs, System::currentTimeMillis);
    }

    StreamingReply(ReplyTarget target, Scheduler scheduler, long intervalMs, LongSupplier clockMillis) {
        this.target = target;
        this.scheduler = scheduler;
        this.intervalMs = intervalMs;
        this.clockMillis = clockMillis;
    }

    /** A status line (e.g. queue position) shown in message 0 with a Cancel button, before any answer text. */
    public synchronized void status(String status) {
        if (finalParts != null || !text.isEmpty()) return;
        this.status = status;
        changed();
    }

    public synchronized void append(String piece) {
        if (finalParts != null || piece.isEmpty()) return;
        text.append(piece);
        changed();
    }

    /** Shows the final text (with an optional note below it); no buttons. Later calls are ignored. */
    public void finish(String finalText, String note) {
        finish(finalText, note, Set.of());
    }

    /** Shows the final text (with an optional note below it) with {@code buttons} under its last message. Later calls are ignored. */
    public synchronized void finish(String finalText, String note, Set<ReplyButton> buttons) {
        if (finalParts != null) return;
        finalButtons = Set.copyOf(buttons);
        String body = note == null || note.isEmpty() ? finalText : finalText.isEmpty() ? note : finalText + "\n\n" + note;
        finalParts = splitter.split(OutputText.clean(body));
        if (finalParts.isEmpty()) finalParts = List.of(note == null ? "…" : note);
        changed();
    }

    /** The answer text so far. */
    public synchronized String text() {
        return text.toString();
    }

    /** Completes when the final render is done: shown, posted instead, or given up after every try. */
    public CompletableFuture<Void> delivered() {
        return delivered;
    }

    /** What one render is to show: the parts, whether they are final (and their buttons), whether they are answer text, and of which version. */
    record Pending(List<String> parts, boolean last, Set<ReplyButton> buttons, boolean answerText, long version) {}

    /** Must hold the lock. */
    private void changed() {
        version++;
        if (!scheduled && !rendering) schedule(untilNextUpdate());
    }

    /** Must hold the lock. */
    private long untilNextUpdate() {
        return Math.max(0, lastRender + intervalMs - clockMillis.getAsLong());
    }

    /** Must hold the lock. */
    private void schedule(long delayMs) {
        scheduled = true;
        try {
            scheduler.after(delayMs, this::render);
        } catch (RejectedExecutionException e) {
            scheduled = false;
            log.warn("Reply renderer stopped: a reply could not be finished");
            delivered.complete(null);
        }
    }

    private synchronized Pending pending() {
        scheduled = false;
        rendering = true;
        lastRender = clockMillis.getAsLong();
        boolean last = finalParts != null;
        List<String> parts = last ? finalParts : !text.isEmpty() ? splitter.split(OutputText.clean(text.toString()) + CURSOR) : List.of(status);
        return new Pending(parts, last, finalButtons, last || !text.isEmpty(), version);
    }

    private void render() {
        Pending p = pending();
        if (p.answerText()) target.writing();
        if (!p.last()) target.working();
        RenderOutcome outcome = p.last() ? ReplyRender.finish(target, view, p.parts(), p.buttons(), ++finalAttempts) : ReplyRender.update(target, view, p.parts());
        view = outcome.view();
        synchronized (this) {
            rendering = false;
            switch (outcome) {
                case RenderOutcome.Retry r when p.last() -> schedule(r.delayMs());
                case RenderOutcome.Retry r -> schedule(Math.max(intervalMs, FAILED_UPDATE_DELAY_MS));
                case RenderOutcome.Shown s when !p.last() -> {
                    if (version != p.version() || finalParts != null) schedule(untilNextUpdate());
                }
                default -> delivered.complete(null); // the final text is shown, posted instead, or lost
            }
        }
    }
}
