package dev.synthiabot.bot.i18n;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class TextsTest {

    @Test
    void should_show_the_position_alone_until_there_is_an_estimate() {
        assertThat(Texts.EN.queued(3, Optional.empty())).isEqualTo("⏳ Waiting in the queue: position 3");
        assertThat(Texts.JA.queued(3, Optional.empty())).isEqualTo("⏳ 順番待ち: 3 番目");
    }

    @Test
    void should_round_the_estimate_to_tens_of_seconds_then_minutes() {
        assertThat(Texts.EN.queued(1, Optional.of(Duration.ofSeconds(3)))).isEqualTo("⏳ Waiting in the queue: position 1 (about 10 s)");
        assertThat(Texts.EN.queued(1, Optional.of(Duration.ofSeconds(41)))).isEqualTo("⏳ Waiting in the queue: position 1 (about 50 s)");
        assertThat(Texts.EN.queued(2, Optional.of(Duration.ofSeconds(60)))).isEqualTo("⏳ Waiting in the queue: position 2 (about 1 min)");
        assertThat(Texts.EN.queued(5, Optional.of(Duration.ofSeconds(270)))).isEqualTo("⏳ Waiting in the queue: position 5 (about 5 min)");
        assertThat(Texts.JA.queued(2, Optional.of(Duration.ofSeconds(20)))).isEqualTo("⏳ 順番待ち: 2 番目（約 20 秒）");
        assertThat(Texts.JA.queued(4, Optional.of(Duration.ofMinutes(3)))).isEqualTo("⏳ 順番待ち: 4 番目（約 3 分）");
    }

    @Test
    void should_give_the_status_in_japanese_to_japanese_users() {
        var summary = new dev.synthiabot.bot.answer.AnswerStats.Summary(3, java.util.Optional.of(12.0), java.util.Optional.of(8.5), java.util.Optional.of(0.75), 2);
        var model = java.util.Optional.of(new dev.synthiabot.adapter.SynthiaModelStatus("synthia-bot Q4 kernels (AVX2)", 2, 300L << 20, 2048L << 20));

        String ja = Texts.JA.status("m", model, java.util.List.of(), java.time.Duration.ofMinutes(135), 1, 3, 4, summary, 5_000_000_000L, 8_000_000_000L, java.util.Optional.of(6_000_000_000L));

        org.assertj.core.api.Assertions.assertThat(ja).contains("稼働時間 2 時間 15 分 · 回答中 1 件（同時に最大 3 件）、待ち 4 件")
            .contains("最近の 3 件: プロンプト 12.0 トークン/秒、生成 8.5 トークン/秒、75% のプロンプトを KV キャッシュから再利用 · 翻訳して回答: 2 件")
            .contains("KV キャッシュ: 会話 2 件、300 / 2048 MB").contains("メモリ: ヒープ 5.0 / 8.0 GB、プロセス 6.0 GB");
    }

    @Test
    void should_show_each_model_server_instead_of_kernels_when_the_bot_runs_on_servers() {
        var summary = new dev.synthiabot.bot.answer.AnswerStats.Summary(0, java.util.Optional.empty(), java.util.Optional.empty(), java.util.Optional.empty(), 0);
        var servers = java.util.List.of(
            new dev.synthiabot.bot.servers.ServerStatus("10.0.0.2:8080", true, 2, 4, 10, 0, java.util.Optional.of(11.5), java.util.Optional.empty()),
            new dev.synthiabot.bot.servers.ServerStatus("10.0.0.3:8080", false, 0, 4, 3, 2, java.util.Optional.empty(),
                java.util.Optional.of("ConnectException")));

        String en = Texts.EN.status("m", java.util.Optional.empty(), servers, java.time.Duration.ofMinutes(5), 2, 8, 0, summary, 1L, 2L,
            java.util.Optional.empty());

        org.assertj.core.api.Assertions.assertThat(en).doesNotContain("Kernels")
            .contains("• `10.0.0.2:8080` — up, 2 / 4 answering, decode 11.5 tokens/s\n")
            .contains("• `10.0.0.3:8080` — down (ConnectException)\n");
    }
}
