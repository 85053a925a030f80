package dev.synthiabot.bot.reply;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class StreamingReplyTest {
    private static final long INTERVAL = 1000;
    private final FakeTarget target = new FakeTarget();
    private final ManualScheduler scheduler = new ManualScheduler();
    private final StreamingReply reply = new StreamingReply(target, scheduler, INTERVAL, scheduler);

    @Test
    void should_stream_with_a_cursor_and_cancel_button_then_show_the_final_text_without() {
        reply.status("⏳ Waiting");
        scheduler.advance(0);
        reply.append("Hello");
        scheduler.advance(INTERVAL);
        reply.finish("Hello world", null);
        scheduler.advance(INTERVAL);

        assertThat(target.calls).containsExactly(
            "show 0 [Cancel] ⏳ Waiting",
            "show 0 [Cancel] Hello ▌",
            "show 0 Hello world");
        assertThat(target.writing).as("told only for answer text").isEqualTo(2);
        assertThat(reply.delivered()).isCompleted();
    }

    @Test
    void should_put_the_finished_answers_buttons_under_its_last_message_only() {
        reply.append("a".repeat(1990) + " more");
        scheduler.advance(0);
        reply.finish("a".repeat(1990) + " more and the end", null, java.util.Set.of(ReplyButton.SHOW_REASONING));
        scheduler.advance(INTERVAL);

        List<String> finalRender = target.calls.subList(target.calls.size() - 2, target.calls.size());
        assertThat(finalRender.get(0)).as("the first message loses its Cancel button and gets none").startsWith("show 0 aaa");
        assertThat(finalRender.get(1)).startsWith("show 1 [SHOW_REASONING] ").endsWith("and the end");
        assertThat(target.calls.subList(0, target.calls.size() - 2)).allMatch(c -> c.contains("[Cancel]"));
    }

    @Test
    void should_show_pieces_that_come_within_one_interval_in_one_edit() {
        reply.append("a");
        scheduler.advance(0);
        reply.append("b");
        reply.append("c");
        scheduler.advance(INTERVAL - 1);
        assertThat(target.calls).containsExactly("show 0 [Cancel] a ▌");
        scheduler.advance(1);

        assertThat(target.calls).containsExactly("show 0 [Cancel] a ▌", "show 0 [Cancel] abc ▌");
        assertThat(scheduler.pending()).as("nothing new: no render due").isZero();
    }

    @Test
    void should_retry_a_final_edit_that_failed_on_a_server_error_then_succeed() {
        reply.append("text");
        scheduler.advance(0);
        target.failNextShows(new IOException("502"), new IOException("503"));
        reply.finish("the answer", null);
        scheduler.advance(INTERVAL);
        assertThat(reply.delivered()).isNotCompleted();
        scheduler.advance(ReplyRender.RETRY_DELAYS_MS[0] + ReplyRender.RETRY_DELAYS_MS[1]);

        assertThat(target.calls).containsExactly(
            "show 0 [Cancel] text ▌",
            "show 0 the answer -> 502",
            "show 0 the answer -> 503",
            "show 0 the answer");
        assertThat(reply.delivered()).isCompleted();
    }

    @Test
    void should_post_the_final_text_anew_when_every_try_failed() {
        reply.append("text");
        scheduler.advance(0);
        for (int i = 0; i <= ReplyRender.RETRY_DELAYS_MS.length; i++) target.failNextShows(new IOException("500"));
        reply.finish("the answer", null);
        scheduler.advance(60_000);

        assertThat(target.calls).filteredOn(c -> c.startsWith("show 0 the answer")).hasSize(ReplyRender.RETRY_DELAYS_MS.length + 1);
        assertThat(target.calls).last().isEqualTo("post 0 the answer");
        assertThat(reply.delivered()).isCompleted();
    }

    @Test
    void should_post_anew_at_once_when_discord_refuses_the_edit_for_good() {
        reply.append("text");
        scheduler.advance(0);
        target.failNextShows(new IllegalStateException("Unknown Message"));
        reply.finish("the answer", "note");
        scheduler.advance(INTERVAL);

        assertThat(target.calls).containsExactly("show 0 [Cancel] text ▌", "show 0 the answer\n\nnote -> Unknown Message", "post 0 the answer\n\nnote");
        assertThat(reply.delivered()).isCompleted();
    }

    @Test
    void should_complete_delivery_even_when_posting_anew_fails_too() {
        target.failNextShows(new IllegalStateException("Missing Access"));
        target.postFailure = new IllegalStateException("Missing Access");
        reply.finish("the answer", null);
        scheduler.advance(0);

        assertThat(target.calls).containsExactly("show 0 the answer -> Missing Access", "post 0 the answer -> Missing Access");
        assertThat(reply.delivered()).isCompleted();
    }

    @Test
    void should_wait_longer_after_a_failed_update_and_carry_its_text_in_the_next() {
        reply.append("a");
        target.failNextShows(new IOException("timeout"));
        scheduler.advance(0);
        reply.append("b");
        scheduler.advance(StreamingReply.FAILED_UPDATE_DELAY_MS - 1);
        assertThat(target.calls).containsExactly("show 0 [Cancel] a ▌ -> timeout");
        scheduler.advance(1);

        assertThat(target.calls).containsExactly("show 0 [Cancel] a ▌ -> timeout", "show 0 [Cancel] ab ▌");
    }

    @Test
    void should_take_the_button_off_messages_the_final_text_no_longer_needs() {
        reply.append("x".repeat(1500) + "\n\n" + "y".repeat(1500));
        scheduler.advance(0);
        assertThat(target.calls).hasSize(2);
        reply.finish("short", null);
        scheduler.advance(INTERVAL);

        assertThat(target.calls.subList(2, 4)).containsExactly("show 0 short", "show 1 " + "y".repeat(1500));
    }

    @Test
    void should_ignore_text_after_the_final_text() {
        reply.finish("done", null);
        reply.append("late");
        reply.status("late status");
        reply.finish("again", null);
        scheduler.advance(INTERVAL);

        assertThat(target.calls).containsExactly("show 0 done");
        assertThat(reply.text()).isEmpty();
    }

    @Test
    void should_give_up_delivery_when_the_renderer_is_closed() {
        StreamingReply closed = new StreamingReply(target, (delay, task) -> {
            throw new java.util.concurrent.RejectedExecutionException("closed");
        }, INTERVAL, scheduler);
        closed.finish("the answer", null);

        assertThat(closed.delivered()).isCompleted();
        assertThat(target.calls).isEmpty();
    }
}
