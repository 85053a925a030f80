package dev.synthiabot.adapter;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.synthiabot.adapter.prompt.Transcript;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * LangChain4j messages to SynthIA's conversation: system messages become the system prompt (joined by
 * newlines), user and AI messages alternate (consecutive messages of the same role are joined by a newline) and end
 * with a user message — or with an AI message after one: that answer is continued from where it stopped.
 */
final class MessageMapper {
    private MessageMapper() {}

    static Transcript toTranscript(List<ChatMessage> messages) {
        StringBuilder system = null;
        List<String[]> turns = new ArrayList<>(); // {role, text}
        for (ChatMessage m : messages) {
            switch (m) {
                case SystemMessage s -> system = system == null ? new StringBuilder(s.text()) : system.append('\n').append(s.text());
                case UserMessage u -> add(turns, "user", userText(u));
                case AiMessage a -> {
                    if (a.hasToolExecutionRequests()) throw new UnsupportedFeatureException("SynthIA does not support tool calls");
                    add(turns, "ai", a.text() == null ? "" : a.text());
                }
                default -> throw new UnsupportedFeatureException("SynthIA does not support " + m.type() + " messages");
            }
        }
        Optional<String> continuing = Optional.empty();
        if (turns.size() >= 2 && turns.get(turns.size() - 1)[0].equals("ai")) {
            continuing = Optional.of(turns.remove(turns.size() - 1)[1]);
        }
        if (turns.isEmpty() || !turns.get(turns.size() - 1)[0].equals("user")) {
            throw new IllegalArgumentException("The conversation must end with a user message, or with an answer to one to continue");
        }
        List<Transcript.Exchange> history = new ArrayList<>();
        String pendingUser = null;
        for (int i = 0; i < turns.size() - 1; i++) {
            String[] t = turns.get(i);
            if (t[0].equals("user")) {
                pendingUser = t[1];
            } else {
                // An answer with no question before it (e.g. a greeting the bot sent first): empty user turn.
                history.add(new Transcript.Exchange(pendingUser == null ? "" : pendingUser, t[1]));
                pendingUser = null;
            }
        }
        // turns alternate (same-role messages were merged), so the one before the last user turn is an answer
        return new Transcript(Optional.ofNullable(system).map(StringBuilder::toString), history, turns.get(turns.size() - 1)[1], continuing);
    }

    private static void add(List<String[]> turns, String role, String text) {
        if (!turns.isEmpty() && turns.get(turns.size() - 1)[0].equals(role)) {
            String[] prev = turns.get(turns.size() - 1);
            prev[1] = prev[1] + "\n" + text;
        } else {
            turns.add(new String[] {role, text});
        }
    }

    private static String userText(UserMessage u) {
        if (!u.hasSingleText()) throw new UnsupportedFeatureException("SynthIA accepts text only (no images, audio or files)");
        return u.singleText();
    }
}
