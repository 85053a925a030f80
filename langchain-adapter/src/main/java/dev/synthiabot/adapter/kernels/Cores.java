package dev.synthiabot.adapter.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/** Physical CPU cores (hyper-threads share a core's vector units, so they don't speed up these kernels). */
public final class Cores {
    private Cores() {}

    public static int physical() {
        int logical = Runtime.getRuntime().availableProcessors();
        Path info = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(info)) return logical;
        try {
            List<String> lines = Files.readAllLines(info);
            Set<String> cores = new HashSet<>();
            String physicalId = "0";
            for (String line : lines) {
                if (line.startsWith("physical id")) physicalId = line.substring(line.indexOf(':') + 1).strip();
                if (line.startsWith("core id")) cores.add(physicalId + "/" + line.substring(line.indexOf(':') + 1).strip());
            }
            // The JVM may be limited to fewer CPUs than the machine has (containers, taskset).
            return cores.isEmpty() ? logical : Math.max(1, Math.min(cores.size(), logical));
        } catch (IOException | RuntimeException e) {
            return logical;
        }
    }
}
