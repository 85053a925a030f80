package dev.synthiabot.adapter.kernels;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class RowParallelTest {

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {1, 2, 3, 4})
    void should_run_every_row_exactly_once_call_after_call(int threads) throws InterruptedException {
        try (RowParallel pool = new RowParallel(threads)) {
            for (int call = 0; call < 3000; call++) {
                int rows = 1 + (call * 37) % 300; // small and large, ragged and whole panels
                AtomicIntegerArray seen = new AtomicIntegerArray(rows);
                pool.forRows(rows, (from, to) -> {
                    assertThat(from).isLessThan(to);
                    for (int r = from; r < to; r++) seen.incrementAndGet(r);
                });
                for (int r = 0; r < rows; r++) assertThat(seen.get(r)).as("call %d row %d of %d", call, r, rows).isEqualTo(1);
                if (call % 1000 == 999) Thread.sleep(2); // let the workers park, then wake them again
            }
        }
    }

    @Test
    void should_report_a_failure_in_any_share_after_all_shares_have_ended() {
        try (RowParallel pool = new RowParallel(2)) {
            AtomicIntegerArray done = new AtomicIntegerArray(1);
            assertThatThrownBy(() -> pool.forRows(64, (from, to) -> {
                if (from > 0) throw new IllegalStateException("share at " + from);
                done.incrementAndGet(0);
            })).isInstanceOf(IllegalStateException.class).hasMessage("share at 32");
            assertThat(done.get(0)).isEqualTo(1);
            // and the pool still works afterwards
            AtomicIntegerArray seen = new AtomicIntegerArray(64);
            pool.forRows(64, (from, to) -> {
                for (int r = from; r < to; r++) seen.incrementAndGet(r);
            });
            for (int r = 0; r < 64; r++) assertThat(seen.get(r)).isEqualTo(1);
        }
    }
}
