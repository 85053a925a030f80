package dev.synthiabot.adapter;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A JVM without the Vector API module is told the flag it needs, by the check the bot runs first and by the builder. */
class VectorApiIT {

    /** Prints what {@link SynthiaChatModel#vectorApiProblem()} says, then what building a model says, in a child JVM. */
    public static final class Probe {
        public static void main(String[] args) {
            System.out.println("CHECK " + SynthiaChatModel.vectorApiProblem().orElse("none"));
            try {
                SynthiaChatModel.builder().modelPath(java.nio.file.Path.of(args[0])).quantize(false).build().close();
                System.out.println("BUILD ok");
            } catch (IllegalStateException e) {
                System.out.println("BUILD " + e.getMessage());
            }
        }
    }

    private static List<String> run(boolean withVectorModule) throws IOException, InterruptedException {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin);
        if (withVectorModule) cmd.add("--add-modules=jdk.incubator.vector");
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName(), Fixtures.tinyModel().toString()));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out.lines().filter(l -> l.startsWith("CHECK ") || l.startsWith("BUILD ")).toList();
    }

    private static final String PROBLEM = "the JVM lacks the Vector API (module jdk.incubator.vector) that the model's kernels "
        + "run on: start it with --add-modules jdk.incubator.vector";

    @Test
    void should_find_no_problem_when_the_module_is_there() throws Exception {
        assertThat(run(true)).containsExactly("CHECK none", "BUILD ok");
    }

    @Test
    void should_name_the_missing_jvm_flag() throws Exception {
        assertThat(run(false)).containsExactly("CHECK " + PROBLEM, "BUILD " + PROBLEM);
    }
}
