package dev.synthiabot.bot.answer;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.synthiabot.config.PromptSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The recent answers whose Regenerate and Continue buttons still work, by the id of each message that shows them.
 * In memory only: after a restart a press gets a clear private message instead (the request would have to be
 * rebuilt from Discord, and an old answer's KV cache is gone anyway). Bounded: the oldest are forgotten first.
 */
final class FinishedAnswers {
    static final int KEEP = 2000;

    /** What a button press needs to run the request again or go on with its answer. */
    record FinishedAnswer(String askerId, List<String> messageIds, String command, ChatRequest request, Optional<Translation> translation,
                          PromptSettings.Reasoning reasoning, String whole, String shown) {}

    private final Map<String, FinishedAnswer> byMessage = new LinkedHashMap<>(64, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, FinishedAnswer> eldest) {
            return size() > KEEP;
        }
    };

    synchronized void add(FinishedAnswer answer) {
        answer.messageIds().stream().filter(java.util.Objects::nonNull).forEach(id -> byMessage.put(id, answer));
    }

    synchronized Optional<FinishedAnswer> find(String messageId) {
        return Optional.ofNullable(byMessage.get(messageId));
    }

    /** Its buttons are used: a second press (or one on another of its messages) finds nothing. */
    synchronized boolean take(FinishedAnswer answer) {
        boolean had = false;
        for (String id : answer.messageIds()) {
            if (id != null && byMessage.remove(id, answer)) had = true;
        }
        return had;
    }
}
