package dev.synthiabot.bot.reply;

import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import net.dv8tion.jda.api.exceptions.ErrorResponseException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One render of a reply: from what Discord shows ({@link ReplyView}) to the wanted parts, through a {@link ReplyTarget},
 * ending in a {@link RenderOutcome}. Only messages that differ are sent. The final text carries text the user has not
 * seen, so it is tried again on server errors and timeouts ({@link #RETRY_DELAYS_MS}); when every try failed, or
 * Discord refused the edit outright, its unseen messages are posted as new messages instead.
 */
final class ReplyRender {
    private static final Logger log = LoggerFactory.getLogger(ReplyRender.class);
    /** Waits before the 2nd … 5th try of the final render: five tries over ~15 s. */
    static final long[] RETRY_DELAYS_MS = {1000, 2000, 4000, 8000};

    private ReplyRender() {}

    private static final Set<ReplyButton> WHILE_WRITING = Set.of(ReplyButton.CANCEL);

    /** A streaming update, with the Cancel button: a failure leaves the rest to the next update. */
    static RenderOutcome update(ReplyTarget target, ReplyView view, List<String> parts) {
        Progress p = showChanged(target, view, parts, WHILE_WRITING);
        if (p.error == null) return new RenderOutcome.Shown(p.view);
        log.info("Updating a streaming reply failed (the next update carries its text): {}", p.error.toString());
        return new RenderOutcome.Retry(p.view, 0, p.error);
    }

    /** The final text, with {@code buttons} under its last message, as try number {@code attempt} (from 1). */
    static RenderOutcome finish(ReplyTarget target, ReplyView view, List<String> parts, Set<ReplyButton> buttons, int attempt) {
        Progress p = showChanged(target, view, parts, buttons);
        if (p.error == null) return new RenderOutcome.Shown(dropLeftoverButtons(target, p.view, parts.size()));
        if (retryable(p.error) && attempt <= RETRY_DELAYS_MS.length) {
            long delay = RETRY_DELAYS_MS[attempt - 1];
            log.warn("Showing a finished answer failed (try {} of {}), retrying in {} ms: {}", attempt, RETRY_DELAYS_MS.length + 1, delay,
                p.error.toString());
            return new RenderOutcome.Retry(p.view, delay, p.error);
        }
        log.warn("Showing a finished answer failed {} time(s) ({}): posting its unseen part as new messages", attempt, p.error.toString());
        ReplyView now = p.view;
        Exception lost = null;
        for (int i = p.failedAt; i < parts.size(); i++) {
            if (!now.differs(i, parts.get(i), Set.of())) continue;
            try {
                target.postInstead(i, parts.get(i));
                now = now.with(Math.min(i, now.messages().size()), parts.get(i), Set.of());
            } catch (Exception e) {
                log.error("Could not post a finished answer's message {} either; the user did not get it: {}", i, e.toString());
                lost = e;
            }
        }
        return lost == null ? new RenderOutcome.PostedInstead(now) : new RenderOutcome.GaveUp(now, lost);
    }

    /** How far a render got: the view it left and, if it stopped early, where and why. */
    private record Progress(ReplyView view, int failedAt, Exception error) {}

    /** Shows the parts: while writing, each with {@code buttons} (Cancel); once final, only the last has them. */
    private static Progress showChanged(ReplyTarget target, ReplyView view, List<String> parts, Set<ReplyButton> buttons) {
        boolean everyPart = buttons.equals(WHILE_WRITING);
        for (int i = 0; i < parts.size(); i++) {
            Set<ReplyButton> under = everyPart || i == parts.size() - 1 ? buttons : Set.of();
            if (!view.differs(i, parts.get(i), under)) continue;
            try {
                target.show(i, parts.get(i), under);
            } catch (Exception e) {
                return new Progress(view, i, e);
            }
            view = view.with(i, parts.get(i), under);
        }
        return new Progress(view, parts.size(), null);
    }

    /** The final text can need fewer messages than the stream did: those left keep their text, lose the cursor and button. */
    private static ReplyView dropLeftoverButtons(ReplyTarget target, ReplyView view, int used) {
        for (int i = used; i < view.messages().size(); i++) {
            ReplyView.Shown m = view.messages().get(i);
            if (m.buttons().isEmpty()) continue;
            String text = m.text().replace(StreamingReply.CURSOR, "");
            try {
                target.show(i, text, Set.of());
                view = view.with(i, text, Set.of());
            } catch (Exception e) {
                log.info("Could not remove the Cancel button of a reply's message {}: {}", i, e.toString());
            }
        }
        return view;
    }

    /** Server errors (5xx), timeouts and connection failures may pass; 4xx answers (e.g. a deleted message) will not. */
    static boolean retryable(Throwable e) {
        Throwable c = e;
        while ((c instanceof ExecutionException || c instanceof CompletionException) && c.getCause() != null) c = c.getCause();
        if (c instanceof ErrorResponseException r) return r.isServerError() || r.getResponse() != null && r.getResponse().code >= 500;
        return c instanceof TimeoutException || c instanceof IOException || c.getCause() instanceof IOException;
    }
}
