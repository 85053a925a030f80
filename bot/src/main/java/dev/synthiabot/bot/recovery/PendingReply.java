package dev.synthiabot.bot.recovery;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What is needed to finish a reply after the process died: where its messages are and how to reach them.
 *
 * @param key the queue ticket of the request
 * @param interactionToken the interaction's token (valid 15 minutes after {@code createdAtMs}), or null for a mention
 * @param channelId the channel the reply is in
 * @param triggerMessageId the user's message a mention reply answers, or null
 * @param messageIds the reply's messages so far, in order (may be empty: nothing sent yet)
 * @param ephemeral only the user sees it (only the interaction token can reach it)
 * @param locale the user's Discord locale (for the notice's language)
 * @param writing whether answer text (not only a queue or thinking status) was shown
 */
public record PendingReply(String key, String interactionToken, long createdAtMs, String channelId, String triggerMessageId,
                           List<String> messageIds, boolean ephemeral, String locale, boolean writing) {
    public PendingReply {
        messageIds = Collections.unmodifiableList(new ArrayList<>(messageIds)); // an id may be null: a part not sent yet
    }

    public boolean isInteraction() {
        return interactionToken != null;
    }
}
