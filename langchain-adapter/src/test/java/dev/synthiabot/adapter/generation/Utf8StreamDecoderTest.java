package dev.synthiabot.adapter.generation;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class Utf8StreamDecoderTest {

    @Test
    void should_emit_a_character_only_when_all_its_bytes_arrived() {
        Utf8StreamDecoder d = new Utf8StreamDecoder();
        byte[] a = "あ".getBytes(StandardCharsets.UTF_8); // E3 81 82

        assertThat(d.feed(new byte[] {a[0]})).isEmpty();
        assertThat(d.feed(new byte[] {a[1]})).isEmpty();
        assertThat(d.feed(new byte[] {a[2]})).isEqualTo("あ");
    }

    @Test
    void should_keep_tabs_emoji_and_spaces() {
        Utf8StreamDecoder d = new Utf8StreamDecoder();
        StringBuilder sb = new StringBuilder();
        for (byte b : " x\t👋 é".getBytes(StandardCharsets.UTF_8)) sb.append(d.feed(new byte[] {b}));

        assertThat(sb.append(d.finish()).toString()).isEqualTo(" x\t👋 é");
    }

    @Test
    void should_replace_bytes_that_never_form_a_character() {
        Utf8StreamDecoder d = new Utf8StreamDecoder();

        String s = d.feed(new byte[] {(byte) 0xE3, (byte) 0x81}) + d.feed("a".getBytes(StandardCharsets.UTF_8)) + d.finish();

        assertThat(s).isEqualTo("\uFFFDa");
    }
}
