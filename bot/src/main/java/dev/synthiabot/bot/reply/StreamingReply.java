package dev.synthiabot.bot.reply;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeoutException;
import net.dv8tion.jda.api.exceptions.ErrorResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows an answer while it is generated. The generation thread only appends text under a short lock; all
 * Discord I/O happens in renders on the {@link Renderer}, one at a time per reply, with no lock held, so a slow or
 * rate-limited Discord never slows the model. A render shows the latest text at most once per interval (Discord
 * rate-limits edits), split into messages of at most 2000 characters, editing only messages that changed.
 *
 * <p>The final render removes the Cancel button. Because it carries text the user has not seen, it is retried
 * on server errors and timeouts ({@link #RETRY_DELAYS_MS}); when every try failed (or Discord refused the edit
 * outright), the unseen messages are posted as new messages instead. {@link #delivered()} completes once the
 * final text is out (or every way to show it failed).
 */
public final class StreamingReply {
    private static final Logger log = LoggerFactory.getLogger(StreamingReply.class);
    /** Ends the text of an answer still being written. */
    public static final String CURSOR = " ▌";
    /** Waits before the 2nd … 5th try of the final render: five tries over ~15 s. */
    static final long[] RETRY_DELAYS_MS = {1000, 2000, 4000, 8000};

    private final ReplyTarget target;
    private final Renderer renderer;
    private final long intervalMs;
    private final MessageSplitter splitter = new MessageSplitter();
    private final CompletableFuture<Void> delivered = new CompletableFuture<>();

    // Guarded by this: what should be shown.
    private final StringBuilder text = new StringBuilder();
    private String status;
    private List<String> finalParts;
    private long version;
    private boolean scheduled;
    private boolean rendering;
    private long lastRender;

    // Owned by the render in progress (renders never overlap): what Discord shows.
    private final List<String> shown = new ArrayList<>();
    private final List<Boolean> buttons = new ArrayList<>();
    private int finalFailures;

    public StreamingReply(ReplyTarget target, Renderer renderer, long intervalMs) {
        this.target = target;
        this.renderer = renderer;
        this.intervalMs = intervalMs;
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

    /** Shows the final text (with an optional note below it); no Cancel button. Later calls are ignored. */
    public synchronized void finish(String finalText, String note) {
        if (finalParts != null) return;
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

    /** Must hold the lock. */
    private void changed() {
        version++;
        if (!scheduled && !rendering) schedule(Math.max(0, lastRender + intervalMs - System.currentTimeMillis()));
    }

    /** Must hold the lock. */
    private void schedule(long delayMs) {
        scheduled = true;
        try {
            renderer.after(delayMs, this::render);
        } catch (RejectedExecutionException e) {
            scheduled = false;
            log.warn("Reply renderer stopped: a reply could not be finished");
            delivered.complete(null);
        }
    }

    private void render() {
        List<String> parts;
        boolean last;
        long renderedVersion;
        synchronized (this) {
            scheduled = false;
            rendering = true;
            lastRender = System.currentTimeMillis();
            renderedVersion = version;
            last = finalParts != null;
            parts = last ? finalParts : !text.isEmpty() ? splitter.split(OutputText.clean(text.toString()) + CURSOR) : List.of(status);
        }
        boolean answerText = last || !text().isEmpty();
        if (answerText && target instanceof DiscordReplyTarget d) d.writing();
        if (!last) target.working();
        Failure failure = showChanged(parts, !last);
        if (last && failure != null) failure = retryOrPostInstead(parts, failure);
        synchronized (this) {
            rendering = false;
            if (last && failure == null) {
                delivered.complete(null);
            } else if (last && finalFailures < RETRY_DELAYS_MS.length + 1) {
                schedule(RETRY_DELAYS_MS[finalFailures - 1]);
            } else if (last) {
                delivered.complete(null);
            } else if (version != renderedVersion || finalParts != null || failure != null) {
                schedule(failure != null ? Math.max(intervalMs, 2000) : Math.max(0, lastRender + intervalMs - System.currentTimeMillis()));
            }
        }
    }

    /** A failed edit: the message index and whether trying again could help. */
    private record Failure(int index, boolean retryable, Exception error) {}

    /** Shows every part that differs from what Discord shows; stops at the first failure. */
    private Failure showChanged(List<String> parts, boolean cancelButton) {
        for (int i = 0; i < parts.size(); i++) {
            if (i < shown.size() && parts.get(i).equals(shown.get(i)) && buttons.get(i) == cancelButton) continue;
            try {
                target.show(i, parts.get(i), cancelButton);
            } catch (Exception e) {
                if (cancelButton) log.info("Updating a streaming reply failed (the next update carries its text): {}", e.toString());
                return new Failure(i, retryable(e), e);
            }
            while (shown.size() <= i) {
                shown.add(null);
                buttons.add(false);
            }
            shown.set(i, parts.get(i));
            buttons.set(i, cancelButton);
        }
        // The final text can need fewer messages than the stream did: those left keep their text, lose the cursor and button.
        for (int i = parts.size(); !cancelButton && i < shown.size(); i++) {
            if (!buttons.get(i)) continue;
            try {
                target.show(i, shown.get(i).replace(CURSOR, ""), false);
                buttons.set(i, false);
            } catch (Exception e) {
                log.info("Could not remove the Cancel button of a reply's message {}: {}", i, e.toString());
            }
        }
        return null;
    }

    /** After a failed final render: null if it should simply be tried again later, or the failure that ends it. */
    private Failure retryOrPostInstead(List<String> parts, Failure failure) {
        finalFailures++;
        if (failure.retryable() && finalFailures <= RETRY_DELAYS_MS.length) {
            log.warn("Showing a finished answer failed (try {} of {}), retrying in {} ms: {}", finalFailures, RETRY_DELAYS_MS.length + 1,
                RETRY_DELAYS_MS[finalFailures - 1], failure.error().toString());
            return failure;
        }
        log.warn("Showing a finished answer failed {} time(s) ({}): posting its unseen part as new messages", finalFailures,
            failure.error().toString());
        finalFailures = RETRY_DELAYS_MS.length + 1; // no more tries: the render ends here
        for (int i = failure.index(); i < parts.size(); i++) {
            if (i < shown.size() && parts.get(i).equals(shown.get(i)) && !buttons.get(i)) continue;
            try {
                target.postInstead(i, parts.get(i));
            } catch (Exception e) {
                log.error("Could not post a finished answer's message {} either; the user did not get it: {}", i, e.toString());
            }
        }
        return null;
    }

    /** Server errors (5xx), timeouts and connection failures may pass; 4xx answers (e.g. a deleted message) will not. */
    static boolean retryable(Throwable e) {
        Throwable c = e;
        while ((c instanceof ExecutionException || c instanceof CompletionException) && c.getCause() != null) c = c.getCause();
        if (c instanceof ErrorResponseException r) return r.isServerError() || r.getResponse() != null && r.getResponse().code >= 500;
        return c instanceof TimeoutException || c instanceof IOException || c.getCause() instanceof IOException;
    }
}
