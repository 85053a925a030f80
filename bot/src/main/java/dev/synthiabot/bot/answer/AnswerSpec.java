package dev.synthiabot.bot.answer;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.synthiabot.config.PromptSettings;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What one answer is to be: the command it is for (metrics), its chat request (built on the worker: a reply chain
 * is fetched there), its translation step, how its reasoning is shown, the earlier answer it goes on from (Continue),
 * and whether its asker gets Regenerate and Continue under it.
 */
record AnswerSpec(String command, Supplier<ChatRequest> request, Optional<Translation> translation, PromptSettings.Reasoning reasoning,
                  Optional<Continuation> continuation, boolean offersActions) {
    /**
     * An earlier answer that this one continues: what the asker saw of it, what the model wrote, and the question
     * and reasoning display it answered (a Regenerate under the continued answer samples that question anew).
     */
    record Continuation(String shown, String whole, ChatRequest question, PromptSettings.Reasoning reasoning) {}

    /** A new answer to a question. */
    static AnswerSpec of(String command, Supplier<ChatRequest> request, Optional<Translation> translation, PromptSettings.Reasoning reasoning,
                         boolean offersActions) {
        return new AnswerSpec(command, request, translation, reasoning, Optional.empty(), offersActions);
    }
}
