package dev.synthiabot.bot.answer;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.Optional;

/** The speed of the last {@value #KEEP} answers as the bot saw them: prompt and decode tokens/s, KV-cache reuse. */
public final class AnswerStats {
    static final int KEEP = 20;

    /** One answer: prompt tokens computed (not from the cache) and taken from the cache, tokens generated, and the times. */
    public record Answer(int promptComputed, int promptCached, int generated, long promptNanos, long decodeNanos) {}

    /** Rates over the recent answers, each empty when nothing was measured. */
    public record Summary(int answers, Optional<Double> promptTokensPerSecond, Optional<Double> decodeTokensPerSecond, Optional<Double> cachedShare,
                          long translated) {}

    private final Deque<Answer> recent = new ArrayDeque<>();
    private long translated;

    /** One more answer went through the translation step. */
    public synchronized void translated() {
        translated++;
    }

    /** Answers given in the asker's language through the translation step, since the start. */
    public synchronized long translatedCount() {
        return translated;
    }

    public synchronized void add(Answer a) {
        recent.addLast(a);
        while (recent.size() > KEEP) recent.removeFirst();
    }

    public synchronized Summary summary() {
        long computed = 0, cached = 0, generated = 0, promptNanos = 0, decodeNanos = 0;
        for (Answer a : recent) {
            computed += a.promptComputed();
            cached += a.promptCached();
            if (a.promptNanos() > 0) promptNanos += a.promptNanos();
            if (a.generated() > 1 && a.decodeNanos() > 0) {
                generated += a.generated() - 1; // the first token comes with the prompt
                decodeNanos += a.decodeNanos();
            }
        }
        return new Summary(recent.size(), rate(computed, promptNanos), rate(generated, decodeNanos),
            computed + cached > 0 ? Optional.of((double) cached / (computed + cached)) : Optional.empty(), translated);
    }

    private static Optional<Double> rate(long tokens, long nanos) {
        return tokens > 0 && nanos > 0 ? Optional.of(tokens / (nanos / 1e9)) : Optional.empty();
    }
}
