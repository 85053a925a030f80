package dev.synthiabot.bot.terminal;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.synthiabot.bot.answer.AnswerChain;
import dev.synthiabot.bot.answer.ChatRequests;
import dev.synthiabot.bot.answer.Translation;
import java.io.BufferedReader;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.concurrent.atomic.AtomicBoolean;
import sun.misc.Signal;

/**
 * {@code chat}: a conversation with the model in the terminal, through the bot's chain. Each turn sends the whole
 * conversation, so the model's KV cache reuses everything already computed (the speed line on stderr shows it).
 * {@code /reset} starts over, {@code /system <prompt>} sets the system prompt (and starts over), Ctrl-C stops the
 * answer being written (at the prompt it leaves), Ctrl-D leaves.
 */
public final class TerminalChat {
    private final StreamingChatModel model;
    private final PrintStream out;
    private final List<ChatMessage> history = new ArrayList<>();
    private final AtomicBoolean answering = new AtomicBoolean();
    private final AtomicBoolean cancel = new AtomicBoolean();
    private final Runnable leave;
    private final Function<String, Optional<Translation>> translation;
    private String system;

    /**
     * @param translation the translation step a question gets (the bot's answer language rules), if any
     * @param leave ends the process (Ctrl-C at the prompt)
     */
    public TerminalChat(StreamingChatModel model, String system, Function<String, Optional<Translation>> translation, PrintStream out,
                        Runnable leave) {
        this.model = model;
        this.system = system;
        this.translation = translation;
        this.out = out;
        this.leave = leave;
    }

    /** Reads turns until end of input (Ctrl-D) or {@code /exit}. */
    public void run(BufferedReader in) throws Exception {
        Signal.handle(new Signal("INT"), s -> {
            if (answering.get()) {
                cancel.set(true);
            } else {
                out.println();
                leave.run();
            }
        });
        out.println("Chatting with SynthIA. /reset starts over, /system <prompt> sets the system prompt, Ctrl-C stops an answer, Ctrl-D leaves.");
        while (true) {
            out.print("> ");
            out.flush();
            String line = in.readLine();
            if (line == null || line.strip().equals("/exit")) break;
            line = line.strip();
            if (line.isEmpty()) continue;
            if (line.equals("/reset")) {
                history.clear();
                out.println("(a new conversation)");
            } else if (line.startsWith("/system")) {
                String prompt = line.substring("/system".length()).strip();
                if (prompt.isEmpty()) {
                    out.println("(system prompt: " + system + ")");
                } else {
                    system = prompt;
                    history.clear();
                    out.println("(system prompt set; a new conversation)");
                }
            } else {
                turn(line);
            }
        }
        out.println();
    }

    private void turn(String question) throws Exception {
        List<ChatMessage> conversation = new ArrayList<>(history);
        conversation.add(UserMessage.from(question));
        cancel.set(false);
        answering.set(true);
        AnswerChain.Result result;
        try {
            result = TerminalAnswer.stream(model, ChatRequests.of(system, conversation), translation.apply(question), out, cancel);
        } finally {
            answering.set(false);
        }
        if (cancel.get()) out.println("(stopped)");
        history.add(UserMessage.from(question));
        history.add(AiMessage.from(result.answerText())); // the model's own words (English), not the translation
    }
}
