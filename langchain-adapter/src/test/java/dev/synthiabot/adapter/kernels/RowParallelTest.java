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

    @ParameterizedTest(name = "{0} threads")
    @ValueSource(ints = {2, 3, 16})
    void should_split_rows_into_whole_panels_of_at_least_four_and_items_anywhere(int threads) {
        try (RowParallel pool = new RowParallel(threads)) {
            for (int rows : new int[] {65, 200, 4096, 4100, 28672}) {
                java.util.List<int[]> chunks = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
                pool.forRows(rows, (from, to) -> chunks.add(new int[] {from, to}));
                for (int[] c : chunks) {
                    assertThat(c[0] % RowParallel.PANEL).as("chunk start of %d rows", rows).isZero();
                    if (c[1] < rows) {
                        assertThat(c[1] % RowParallel.PANEL).as("chunk end of %d rows", rows).isZero();
                        assertThat(c[1] - c[0]).as("chunk of %d rows", rows).isGreaterThanOrEqualTo(RowParallel.SMALLEST_ROWS);
                    }
                }
                assertThat(chunks.stream().mapToInt(c -> c[1] - c[0]).sum()).isEqualTo(rows);
            }
            for (int items : new int[] {1, 2, 7, 64, 1000}) {
                AtomicIntegerArray seen = new AtomicIntegerArray(items);
                pool.forItems(items, (from, to) -> {
                    for (int i = from; i < to; i++) seen.incrementAndGet(i);
                });
                for (int i = 0; i < items; i++) assertThat(seen.get(i)).as("item %d of %d", i, items).isEqualTo(1);
            }
        }
    }

    @Test
    void should_report_a_failure_in_any_chunk_after_all_chunks_have_ended() {
        try (RowParallel pool = new RowParallel(2)) {
            AtomicIntegerArray seen = new AtomicIntegerArray(1024);
            assertThatThrownBy(() -> pool.forRows(1024, (from, to) -> {
                if (from <= 512 && 512 < to) throw new IllegalStateException("chunk at " + from);
                for (int r = from; r < to; r++) seen.incrementAndGet(r);
            })).isInstanceOf(IllegalStateException.class).hasMessageStartingWith("chunk at ");
            int done = 0;
            for (int r = 0; r < 1024; r++) done += seen.get(r);
            assertThat(done).as("every other chunk ran").isGreaterThan(0).isLessThan(1024);
            for (int r = 0; r < 1024; r++) assertThat(seen.get(r)).isLessThanOrEqualTo(1);
            // and the pool still works afterwards
            AtomicIntegerArray again = new AtomicIntegerArray(1024);
            pool.forRows(1024, (from, to) -> {
                for (int r = from; r < to; r++) again.incrementAndGet(r);
            });
            for (int r = 0; r < 1024; r++) assertThat(again.get(r)).isEqualTo(1);
        }
    }
}
