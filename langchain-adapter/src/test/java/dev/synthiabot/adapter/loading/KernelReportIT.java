package dev.synthiabot.adapter.loading;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Which kernels run is logged at start, and a JVM without the Vector API module is told the flag it needs. */
class KernelReportIT {

    /** Prints what {@link KernelReport#describe()} says, or its error, for a child JVM. */
    public static final class Probe {
        public static void main(String[] args) {
            try {
                System.out.println("OK " + KernelReport.describe());
            } catch (IllegalStateException e) {
                System.out.println("ERR " + e.getMessage());
            }
        }
    }

    private static String run(boolean withVectorModule) throws IOException, InterruptedException {
        String javaBin = ProcessHandle.current().info().command().orElse("java");
        var cmd = new java.util.ArrayList<String>();
        cmd.add(javaBin);
        if (withVectorModule) cmd.add("--add-modules=jdk.incubator.vector");
        cmd.addAll(java.util.List.of("-cp", System.getProperty("java.class.path"), Probe.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return out.strip();
    }

    @Test
    void should_describe_the_vector_kernels_when_the_module_is_there() throws Exception {
        assertThat(run(true)).startsWith("OK Panama Vector Operations, ").contains("CPUs");
    }

    @Test
    void should_name_the_missing_jvm_flag() throws Exception {
        assertThat(run(false)).isEqualTo("ERR The Java Vector API module is missing: start the JVM with '--add-modules jdk.incubator.vector'"
            + " (the scripts in this project and the Docker image do). Jlama's kernels cannot load without it.");
    }
}
