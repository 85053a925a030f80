package dev.synthiabot.bot.queue;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FairQueueTest {
    private final FairQueue<String> queue = new FairQueue<>();

    private List<String> drain() {
        List<String> out = new ArrayList<>();
        for (Optional<String> next = queue.poll(); next.isPresent(); next = queue.poll()) out.add(next.get());
        return out;
    }

    @Test
    void should_let_users_take_turns_each_in_the_order_they_asked() {
        queue.offer("a", "a1");
        queue.offer("a", "a2");
        queue.offer("a", "a3");
        queue.offer("b", "b1");
        queue.offer("c", "c1");
        queue.offer("c", "c2");

        List<String> planned = queue.inOrder();
        assertThat(planned).containsExactly("a1", "b1", "c1", "a2", "c2", "a3");
        assertThat(drain()).as("poll follows the announced order").isEqualTo(planned);
        assertThat(queue.size()).isZero();
    }

    @Test
    void should_put_a_user_who_asks_again_behind_those_already_waiting() {
        queue.offer("a", "a1");
        queue.offer("b", "b1");
        assertThat(queue.poll()).contains("a1");
        queue.offer("a", "a2"); // a's turn is over: a waits behind b
        queue.offer("c", "c1");

        assertThat(queue.inOrder()).containsExactly("b1", "a2", "c1");
        assertThat(drain()).containsExactly("b1", "a2", "c1");
    }

    @Test
    void should_take_a_cancelled_request_out_and_close_the_gap() {
        queue.offer("a", "a1");
        queue.offer("b", "b1");
        queue.offer("a", "a2");

        assertThat(queue.remove("b", "b1")).isTrue();
        assertThat(queue.remove("b", "b1")).as("already gone").isFalse();
        assertThat(queue.remove("a", "b1")).as("not a's").isFalse();
        assertThat(queue.size()).isEqualTo(2);
        assertThat(queue.inOrder()).containsExactly("a1", "a2");
        assertThat(queue.clear()).containsExactly("a1", "a2");
        assertThat(queue.poll()).isEmpty();
    }
}
