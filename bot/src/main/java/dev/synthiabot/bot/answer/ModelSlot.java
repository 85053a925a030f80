package dev.synthiabot.bot.answer;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.synthiabot.bot.servers.ModelServers;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model answers run on, which may still be loading (a first start downloads and quantizes for minutes). Requests
 * wait in the queue meanwhile — the queue runs nothing before the model is ready — and their askers see how long
 * the load has left, refreshed as it goes.
 */
final class ModelSlot {
    private volatile StreamingChatModel model;
    private volatile Optional<Duration> loadLeft = Optional.empty();
    private final Set<AnswerJob> waiting = ConcurrentHashMap.newKeySet();

    Optional<StreamingChatModel> model() {
        return Optional.ofNullable(model);
    }

    /** The model's time left to load (the current step's, at its rate so far), if it is loading and that is known. */
    Optional<Duration> loadLeft() {
        return loadLeft;
    }

    boolean loading() {
        return model == null;
    }

    /**
     * Whether the model goes on with an answer given as the conversation's last message (Continue): the bot's own
     * model does; model servers differ (our {@code serve} and llama-server do, others start a new answer), so no.
     */
    boolean continuesAnswers() {
        return !(model instanceof ModelServers);
    }

    void ready(StreamingChatModel model) {
        this.model = model;
        waiting.clear();
    }

    /** The load went on: every asker waiting for it sees the new time left. */
    void progress(Optional<Duration> left) {
        loadLeft = left;
        if (model == null) waiting.forEach(AnswerJob::loadProgressed);
    }

    /** {@code job} is told of the load's progress until the model is ready or the job leaves the queue. */
    void waitFor(AnswerJob job) {
        if (model == null) waiting.add(job);
    }

    void leave(AnswerJob job) {
        waiting.remove(job);
    }
}
