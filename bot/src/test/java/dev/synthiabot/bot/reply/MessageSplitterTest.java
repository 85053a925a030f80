package dev.synthiabot.bot.reply;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class MessageSplitterTest {
    private final MessageSplitter splitter = new MessageSplitter();

    static int fences(String s) {
        int n = 0, i = 0;
        while ((i = s.indexOf("```", i)) >= 0) {
            n++;
            i += 3;
        }
        return n;
    }

    @Test
    void should_keep_short_text_in_one_message() {
        assertThat(splitter.split("Hello.")).containsExactly("Hello.");
    }

    @Test
    void should_split_long_text_at_paragraphs_and_never_exceed_2000_chars() {
        String para = "Sentence number one is here. ".repeat(30).strip();
        String text = String.join("\n\n", para, para, para, para);

        List<String> parts = splitter.split(text);

        assertThat(parts).hasSizeGreaterThan(1).allMatch(p -> p.length() <= 2000);
        assertThat(String.join("\n\n", parts)).isEqualTo(text);
    }

    @Test
    void should_close_and_reopen_a_code_block_cut_in_two() {
        StringBuilder code = new StringBuilder("Here is the code:\n```java\n");
        for (int i = 0; i < 150; i++) code.append("System.out.println(").append(i).append(");\n");
        code.append("```\nDone.");

        List<String> parts = splitter.split(code.toString());

        assertThat(parts).hasSizeGreaterThan(1).allMatch(p -> p.length() <= 2000);
        assertThat(parts).allMatch(p -> fences(p) % 2 == 0);
        assertThat(parts.get(1)).startsWith("```java\n");
        assertThat(parts.get(parts.size() - 1)).endsWith("Done.");
        // Each cut inside the block closed it ("\n```" ending one part) and reopened it ("```java\n" starting the next) at a
        // line break: joining the parts at that line break and dropping the fences added there gives the original back.
        assertThat(String.join("\n", parts).replace("\n```\n```java\n", "\n")).isEqualTo(code.toString());
    }

    @Test
    void should_close_a_block_the_model_has_not_finished_yet() {
        assertThat(splitter.split("Start:\n```py\nprint(1)")).containsExactly("Start:\n```py\nprint(1)\n```");
    }

    @Test
    void should_hard_split_text_without_spaces() {
        List<String> parts = splitter.split("x".repeat(4500));

        assertThat(parts).hasSize(3).allMatch(p -> p.length() <= 2000);
        assertThat(String.join("", parts)).hasSize(4500);
    }
}
