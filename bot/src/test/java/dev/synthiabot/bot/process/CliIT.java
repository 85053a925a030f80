package dev.synthiabot.bot.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synthiabot.bot.sim.DiscordSimulator;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The terminal commands of the shipped artifact ({@code scripts/run-bot ask|translate}): the same settings file and
 * LangChain4j chain as the bot, no Discord token; the answer streams to standard output as it is generated (seen as
 * several separate writes), the log to standard error; exit codes as documented.
 */
class CliIT {
    @TempDir
    Path work;

    /** What a command wrote to standard output, in the pieces it arrived in, and its exit code. */
    record Run(int exit, List<String> pieces, String stderr) {
        String stdout() {
            return String.join("", pieces);
        }
    }

    private Run run(String... args) throws Exception {
        return runWithInput("", args);
    }

    /** Runs the command with {@code input} on its standard input (then end of input, as Ctrl-D). */
    private Run runWithInput(String input, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of(BotProcess.ROOT.resolve("scripts/run-bot").toString()));
        command.addAll(List.of(args));
        Path err = work.resolve("stderr.txt");
        ProcessBuilder pb = new ProcessBuilder(command).directory(work.toFile()).redirectError(err.toFile());
        pb.environment().keySet().removeIf(k -> !List.of("PATH", "HOME", "LANG", "TMPDIR").contains(k));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        try (var stdin = p.getOutputStream()) {
            stdin.write(input.getBytes(StandardCharsets.UTF_8));
        }
        List<String> pieces = new ArrayList<>();
        try (InputStream out = p.getInputStream()) {
            byte[] buf = new byte[8192];
            for (int n; (n = out.read(buf)) > 0; ) pieces.add(new String(buf, 0, n, StandardCharsets.UTF_8));
        }
        if (!p.waitFor(180, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("the command did not end; stderr:\n" + Files.readString(err));
        }
        return new Run(p.exitValue(), pieces, Files.readString(err));
    }

    private Path settings(Path model, String maxTokens) throws Exception {
        try (DiscordSimulator unused = new DiscordSimulator()) {
            return new ProcessSettings(unused, model, work).set("generation.max_new_tokens", maxTokens).set("generation.temperature", "0").write(work);
        }
    }

    @Test
    void should_stream_an_answer_to_standard_output_without_a_discord_token() throws Exception {
        Path config = settings(SlowModel.dir(), "80");

        Run r = run("ask", "--config", config.toString(), "Why is the sky blue?");

        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).isNotBlank();
        assertThat(r.pieces().size()).as("written while generated, not at the end").isGreaterThanOrEqualTo(3);
        assertThat(r.stderr()).contains("Answer: 80 tokens (LENGTH)").doesNotContain("Why is the sky blue?");
    }

    @Test
    void should_translate_with_the_language_prompt_and_refuse_an_unknown_language() throws Exception {
        Path config = settings(ShippedBotIT.TINY_MODEL, "12");

        Run ok = run("translate", "--config", config.toString(), "--to", "ja", "Good morning");
        Run unknown = run("translate", "--config", config.toString(), "--to", "fr", "Bonjour");

        assertThat(ok.exit()).as(ok.stderr()).isZero();
        assertThat(ok.stdout()).isNotBlank();
        assertThat(unknown.exit()).isEqualTo(2);
        assertThat(unknown.stderr()).contains("error: no translation into 'fr'; prompts.translation has: ja");
    }

    @Test
    void should_exit_2_on_a_usage_error() throws Exception {
        Run r = run("ask");

        assertThat(r.exit()).isEqualTo(2);
        assertThat(r.stderr()).contains("Missing required parameter: 'QUESTION'");
    }

    @Test
    void should_log_json_lines_without_user_text_when_asked() throws Exception {
        Path config = settings(ShippedBotIT.TINY_MODEL, "12");
        java.nio.file.Files.writeString(config, java.nio.file.Files.readString(config) + "logging:\n  format: json\n");

        Run r = run("ask", "--config", config.toString(), "What is my secret question?");

        assertThat(r.exit()).as(r.stderr()).isZero();
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        List<String> lines = r.stderr().lines().filter(l -> !l.startsWith("WARNING: ")).toList(); // the JVM's own warnings are not log events
        assertThat(lines).isNotEmpty();
        for (String line : lines) {
            var event = json.readTree(line);
            assertThat(event.path("level").asText()).as(line).isIn("INFO", "WARN", "ERROR");
            assertThat(event.path("formattedMessage").asText()).as(line).isNotEmpty();
        }
        assertThat(lines).anyMatch(l -> l.contains("Answer: 12 tokens")).noneMatch(l -> l.contains("secret question"));
    }

    @Test
    void should_keep_a_chat_conversation_and_reuse_its_kv_cache_until_end_of_input() throws Exception {
        Path config = settings(ShippedBotIT.TINY_MODEL, "16");

        Run r = runWithInput("Hello there\nAnd what next?\n/system Answer briefly.\nNew topic\n", "chat", "--config", config.toString());

        assertThat(r.exit()).as(r.stderr()).isZero();
        assertThat(r.stdout()).contains("(system prompt set; a new conversation)");
        List<int[]> turns = new ArrayList<>(); // {prompt tokens, from the KV cache}
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("prompt (\\d+) tokens, (\\d+) from the KV cache").matcher(r.stderr());
        while (m.find()) turns.add(new int[] {Integer.parseInt(m.group(1)), Integer.parseInt(m.group(2))});
        assertThat(turns).hasSize(3);
        assertThat(turns.get(1)[0]).as("the second turn carries the first").isGreaterThan(turns.get(0)[0] + 16);
        assertThat(turns.get(1)[1]).as("and finds all of it in the KV cache").isGreaterThanOrEqualTo(turns.get(0)[0]);
        assertThat(turns.get(2)[0]).as("a new system prompt starts over").isLessThan(turns.get(1)[0]);
    }

    @Test
    void should_stop_the_answer_being_written_on_ctrl_c_and_keep_chatting() throws Exception {
        Path config = settings(SlowModel.dir(), "2000");
        ProcessBuilder pb = new ProcessBuilder(BotProcess.ROOT.resolve("scripts/run-bot").toString(), "chat", "--config", config.toString())
            .directory(work.toFile()).redirectError(work.resolve("chat-stderr.txt").toFile());
        pb.environment().keySet().removeIf(k -> !List.of("PATH", "HOME", "LANG", "TMPDIR").contains(k));
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        StringBuilder out = new StringBuilder();
        Thread reader = new Thread(() -> {
            try (InputStream in = p.getInputStream()) {
                byte[] buf = new byte[4096];
                for (int n; (n = in.read(buf)) > 0; ) {
                    synchronized (out) {
                        out.append(new String(buf, 0, n, StandardCharsets.UTF_8));
                    }
                }
            } catch (IOException e) {
                // the process ended
            }
        });
        reader.start();
        try (var stdin = p.getOutputStream()) {
            stdin.write("Tell me a very long story\n".getBytes(StandardCharsets.UTF_8));
            stdin.flush();
            awaitOutput(out, s -> s.lastIndexOf("> ") >= 0 && s.length() - s.lastIndexOf("> ") > 200, "an answer being written");
            new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).start().waitFor();
            awaitOutput(out, s -> s.contains("(stopped)"), "the answer stopped");
            assertThat(p.isAlive()).as("Ctrl-C during an answer stops the answer, not the chat").isTrue();
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        reader.join(5000);
        assertThat(p.exitValue()).isZero();
        assertThat(Files.readString(work.resolve("chat-stderr.txt"))).contains("(CANCELLED)");
    }

    private static void awaitOutput(StringBuilder out, java.util.function.Predicate<String> done, String what) {
        for (int i = 0; i < 1200; i++) {
            synchronized (out) {
                if (done.test(out.toString())) return;
            }
            BotProcess.sleep(50);
        }
        throw new AssertionError("no " + what + " within 60 s; output:\n" + out);
    }
}
