package dev.synthiabot.config.prompts;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A prompt whose set was acknowledged survives a kill -9 of the process. */
class ChannelPromptStoreCrashIT {
    @TempDir
    Path dir;

    @Test
    void should_keep_every_acknowledged_prompt_after_kill_minus_9() throws Exception {
        Path db = dir.resolve("prompts.db");
        String java = ProcessHandle.current().info().command().orElse("java");
        Process child = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), PromptWriterProcess.class.getName(), db.toString())
            .redirectErrorStream(false).start();
        int lastAck = -1;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            String line;
            while (lastAck < 30 && System.nanoTime() < deadline && (line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) lastAck = Integer.parseInt(line.substring(4));
            }
        } finally {
            child.destroyForcibly(); // SIGKILL on Unix: no shutdown hooks, no close()
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertThat(lastAck).as("acknowledged writes before the kill").isGreaterThanOrEqualTo(30);

        try (ChannelPromptStore store = new ChannelPromptStore(db, "g", 4000)) {
            for (int i = 0; i <= lastAck; i++) {
                assertThat(store.get("channel-" + i)).as("channel-" + i).isPresent();
            }
            assertThat(store.get("channel-" + lastAck).orElseThrow().prompt()).isEqualTo("prompt number " + lastAck);
        }
    }
}
