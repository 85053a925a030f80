package dev.synthiabot.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The README documents every settings key; this keeps the table equal to {@link SettingKey#ALL}. */
class ReadmeKeyTableTest {
    static final String BEGIN = "<!-- settings-table:begin (generated from SettingKey by ReadmeKeyTableTest; a failing run with -Dreadme.update=true rewrites it) -->";
    static final String END = "<!-- settings-table:end -->";

    static String table() {
        StringBuilder sb = new StringBuilder("| key | environment variable | type | default | meaning |\n|---|---|---|---|---|\n");
        for (SettingKey k : SettingKey.ALL) {
            sb.append("| `").append(k.path()).append("` | `").append(k.envVar()).append("` | ").append(k.type().describe())
                .append(" | ").append(show(k.defaultValue())).append(" | ").append(k.description()).append(" |\n");
        }
        return sb.toString();
    }

    private static String show(Object v) {
        if (v == null) return "(unset)";
        if (v instanceof List<?> l) return l.isEmpty() ? "`[]`" : "`" + l + "`";
        if (v instanceof Map<?, ?> m) {
            if (m.isEmpty()) return "`{}`";
            return m.entrySet().stream().map(e -> "`" + e.getKey() + "`: " + e.getValue()).collect(Collectors.joining("; "));
        }
        String s = v.toString();
        return s.length() > 40 ? "SynthIA's Tree-of-Thoughts prompt" : "`" + s + "`";
    }

    @Test
    void should_document_every_key_in_the_readme() throws IOException {
        Path readme = Path.of("..", "README.md");
        String text = Files.readString(readme);
        String expected = BEGIN + "\n" + table() + END;
        if (!text.contains(expected) && Boolean.getBoolean("readme.update")) {
            // Rewrites the table for the next run; this run still fails, so the test never passes on what it wrote.
            int b = text.indexOf(BEGIN), e = text.indexOf(END);
            Files.writeString(readme, text.substring(0, b) + expected + text.substring(e + END.length()));
        }

        assertThat(text).contains(expected);
    }

    @Test
    void should_show_every_key_in_the_example_file() throws IOException {
        String example = Files.readString(Path.of("synthia-bot.example.yaml"));

        for (SettingKey k : SettingKey.ALL) {
            assertThat(example).as(k.path()).contains(k.path().substring(k.path().indexOf('.') + 1) + ":");
        }
    }
}
