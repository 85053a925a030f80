package dev.synthiabot.config.prompts;

import java.nio.file.Path;

/** Child process for the crash test: sets prompts and acknowledges each one on stdout, until killed. */
public final class PromptWriterProcess {
    public static void main(String[] args) throws InterruptedException {
        ChannelPromptStore store = new ChannelPromptStore(Path.of(args[0]), "g", 4000);
        for (int i = 0; ; i++) {
            store.set("channel-" + i, "prompt number " + i, "crash-test");
            System.out.println("ACK " + i);
            System.out.flush();
            if (i > 100_000) Thread.sleep(1000); // bounded: the test kills it long before
        }
    }
}
