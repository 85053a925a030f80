package dev.synthiabot.bot.process;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Docker cannot run here, so this checks the Dockerfile against the build output it packs: every path it copies
 * exists, the image runs the same launcher (hence the same jar, lib/ and JVM flags) as scripts/run-bot and the
 * process tests, built by the same Maven command, and lib/ holds every library the jar's manifest names.
 */
class DockerfileIT {
    static final Path ROOT = BotProcess.ROOT;
    static final Pattern COPY = Pattern.compile("^COPY\\s+(?:--from=build\\s+/src/)?(\\S+)\\s+(\\S+)\\s*$");

    @Test
    void should_copy_only_paths_that_the_build_produces() throws IOException {
        List<String> sources = new ArrayList<>();
        for (String line : Files.readAllLines(ROOT.resolve("Dockerfile"))) {
            Matcher m = COPY.matcher(line);
            if (m.matches() && !m.group(1).equals(".")) sources.add(m.group(1));
        }

        assertThat(sources).contains("bot/target/synthia-bot", "bot/target/synthia-bot.jar", "bot/target/lib");
        for (String source : sources) assertThat(ROOT.resolve(source)).as(source).exists();
    }

    @Test
    void should_start_the_launcher_that_run_bot_starts_built_by_the_same_command() throws IOException {
        String dockerfile = String.join("\n", Files.readAllLines(ROOT.resolve("Dockerfile")).stream().filter(l -> !l.startsWith("#")).toList());
        String runBot = Files.readString(ROOT.resolve("scripts/run-bot"));

        assertThat(dockerfile).contains("ENTRYPOINT [\"sh\", \"/app/synthia-bot\"]");
        assertThat(dockerfile).contains("COPY --from=build /src/bot/target/synthia-bot /app/synthia-bot");
        assertThat(runBot).contains("launcher=\"$root/bot/target/synthia-bot\"").contains("exec sh \"$launcher\"");
        assertThat(ROOT.resolve("bot/target/synthia-bot")).hasSameTextualContentAs(ROOT.resolve("bot/src/main/dist/synthia-bot"));
        assertThat(dockerfile).as("no other JVM flags than the launcher's").doesNotContain("JAVA_OPTS").doesNotContain("java ");
        Matcher build = Pattern.compile("mvn -B -q -ntp -pl bot -am package -DskipTests").matcher(runBot);
        assertThat(build.find()).isTrue();
        assertThat(dockerfile).contains(build.group()).doesNotContain("|| true");
    }

    @Test
    void should_ship_every_library_the_jar_needs() throws IOException {
        String classPath;
        try (JarFile jar = new JarFile(ROOT.resolve("bot/target/synthia-bot.jar").toFile())) {
            classPath = jar.getManifest().getMainAttributes().getValue("Class-Path");
        }
        List<String> entries = List.of(classPath.trim().split("\\s+"));

        assertThat(entries).contains("lib/jackson-databind-" + jacksonVersion() + ".jar"); // the adapter's runtime dependency once lost to a test scope
        for (String entry : entries) assertThat(ROOT.resolve("bot/target").resolve(entry)).as(entry).exists();
    }

    private static String jacksonVersion() throws IOException {
        try (var files = Files.list(ROOT.resolve("bot/target/lib"))) {
            return files.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("jackson-databind-")).findFirst()
                .map(n -> n.substring("jackson-databind-".length(), n.length() - ".jar".length())).orElse("(missing)");
        }
    }

    @Test
    void should_set_only_known_settings_and_check_health_on_the_metrics_port() throws IOException {
        String dockerfile = Files.readString(ROOT.resolve("Dockerfile"));
        String compose = Files.readString(ROOT.resolve("compose.yaml"));
        java.util.Set<String> known = new java.util.HashSet<>();
        for (dev.synthiabot.config.SettingKey k : dev.synthiabot.config.SettingKey.ALL) known.add(k.envVar());
        Matcher vars = Pattern.compile("SYNTHIA_[A-Z_]+").matcher(dockerfile + compose);
        int found = 0;
        while (vars.find()) {
            assertThat(known).as(vars.group() + " is a setting").contains(vars.group());
            found++;
        }
        assertThat(found).isGreaterThanOrEqualTo(5);

        Matcher port = Pattern.compile("SYNTHIA_METRICS__PORT=(\\d+)").matcher(dockerfile);
        assertThat(port.find()).isTrue();
        assertThat(dockerfile).contains("EXPOSE " + port.group(1)).contains("/dev/tcp/127.0.0.1/" + port.group(1)).contains("GET /health")
            .contains("SYNTHIA_METRICS__BIND=0.0.0.0");
        assertThat(compose).contains("build: .").contains("127.0.0.1:" + port.group(1) + ":" + port.group(1)).contains("restart: unless-stopped")
            .contains("synthia-data:/data").contains("env_file: .env");
        Matcher grace = Pattern.compile("SYNTHIA_LIMITS__SHUTDOWN_GRACE_SECONDS: \"(\\d+)\"").matcher(compose);
        Matcher stop = Pattern.compile("stop_grace_period: (\\d+)s").matcher(compose);
        assertThat(grace.find() && stop.find()).isTrue();
        assertThat(Integer.parseInt(grace.group(1))).as("the bot's grace ends before Docker kills it").isLessThan(Integer.parseInt(stop.group(1)));
    }
}
