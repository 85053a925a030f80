package dev.synthiabot.bot.terminal;

import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.synthiabot.bot.answer.AnswerChain;
import dev.synthiabot.bot.answer.ChatRequests;
import dev.synthiabot.bot.answer.Translation;
import java.io.PrintStream;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One answer in the terminal, through the same {@link AnswerChain} the bot uses: the shown text (the answer, or its
 * translation when the asker gets another language) is written to standard output as it comes; the log, with the
 * speed lines, goes to standard error.
 */
public final class TerminalAnswer {
    /** Longer than any answer: the model's own limits end it first. */
    private static final Duration NO_TIMEOUT = Duration.ofDays(1);

    private TerminalAnswer() {}

    /** Streams the answer to one question to {@code out}; throws the model's error. */
    public static AnswerChain.Result stream(StreamingChatModel model, String system, String question, Optional<Translation> translation,
                                            PrintStream out) throws Exception {
        return stream(model, ChatRequests.of(system, question), translation, out, new AtomicBoolean());
    }

    /** Streams the answer to a request; {@code cancel} set stops it before its next token. */
    static AnswerChain.Result stream(StreamingChatModel model, ChatRequest request, Optional<Translation> translation, PrintStream out,
                                     AtomicBoolean cancel) throws Exception {
        AnswerChain.Listener print = translation.isEmpty()
            ? new AnswerChain.Listener(piece -> print(out, piece), piece -> {})
            : new AnswerChain.Listener(piece -> {}, piece -> print(out, piece));
        AnswerChain.Result result = new AnswerChain(model).run(request, translation.map(Translation::prompt), print, cancel::get, NO_TIMEOUT);
        out.println();
        out.flush();
        return result;
    }

    private static void print(PrintStream out, String piece) {
        out.print(piece);
        out.flush();
    }
}
