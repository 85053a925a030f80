package dev.synthiabot.bot.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * The shipped bot as a separate OS process, started exactly as a user starts it: {@code scripts/run-bot --config
 * <file>} (which runs the launcher beside the built jar and lib/, with its JVM flags). Its output is kept (and
 * echoed with a prefix) so tests can wait for log lines; it is stopped the way users and Docker stop it: SIGTERM,
 * or SIGKILL.
 */
final class BotProcess implements AutoCloseable {
    /** The repository root (tests run in the bot module's directory). */
    static final Path ROOT = Path.of("..").toAbsolutePath().normalize();

    private final Process process;
    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    private BotProcess(Process process, Path log) throws IOException {
        this.process = process;
        Writer out = Files.newBufferedWriter(log, StandardCharsets.UTF_8);
        this.reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8)); out) {
                for (String line; (line = in.readLine()) != null; ) {
                    lines.add(line);
                    out.write(line + "\n");
                    out.flush();
                    System.out.println("[bot " + process.pid() + "] " + line);
                }
            } catch (IOException e) {
                lines.add("(output unreadable: " + e + ")");
            }
        }, "bot-output-" + process.pid());
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code scripts/run-bot} with these arguments in {@code workDir}; the environment holds only {@code env} besides PATH, HOME and JAVA_HOME. */
    static BotProcess start(Path workDir, Map<String, String> env, String... args) throws IOException {
        return start(ROOT.resolve("scripts/run-bot").toString(), workDir, env, args);
    }

    static BotProcess start(String executable, Path workDir, Map<String, String> env, String... args) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(executable);
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true);
        Map<String, String> e = pb.environment();
        e.keySet().removeIf(k -> !List.of("PATH", "HOME", "LANG", "TMPDIR").contains(k));
        e.put("JAVA_HOME", System.getProperty("java.home")); // the JDK running the tests (>= 21), as scripts/test picked it
        e.putAll(env);
        Path log = Files.createTempFile(workDir, "bot-", ".log");
        return new BotProcess(pb.start(), log);
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Waits (bounded) for an output line matching {@code regex}; fails with the output so far. */
    String awaitLine(String regex, Duration timeout) {
        Pattern p = Pattern.compile(regex);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            for (String l : lines) if (p.matcher(l).find()) return l;
            if (!process.isAlive() && !reader.isAlive()) break;
            sleep(50);
        }
        throw new AssertionError("The bot printed no line matching /" + regex + "/ within " + timeout + " (alive: " + process.isAlive()
            + "); its output:\n" + String.join("\n", lines));
    }

    List<String> output() {
        return List.copyOf(lines);
    }

    /**
     * SIGTERM: what systemd and {@code docker stop} send. Through the process handle: {@code Process.destroy()} would
     * also close the pipes, and the bot's shutdown log would be lost.
     */
    void terminate() {
        process.toHandle().destroy();
    }

    /** SIGKILL: a crash, the OOM killer, a power cut as far as the process can tell. */
    void kill() {
        process.toHandle().destroyForcibly();
    }

    /** Waits for the process to end; returns its exit code, or fails after {@code timeout}. */
    int awaitExit(Duration timeout) throws InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("The bot did not exit within " + timeout + "; its output:\n" + String.join("\n", lines));
        }
        reader.join(5000);
        return process.exitValue();
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroyForcibly();
            process.waitFor(30, TimeUnit.SECONDS);
        }
        reader.join(5000);
    }

    static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
