package dev.synthiabot.adapter.loading;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Checkpoints an attacker (or a broken download) could hand the converter, built byte by byte: each is refused
 * with an error that names the problem, nothing in it runs, and nothing large is written or allocated.
 */
class HostileCheckpointTest {
    @TempDir
    Path temp;

    @Test
    void should_convert_an_honest_state_dict_with_a_storage_offset() throws IOException {
        byte[] storage = new byte[2 * 40];
        for (int i = 0; i < storage.length; i++) storage[i] = (byte) i;
        Path dir = checkpoint(TorchCheckpointBytes.stateDict("w", "HalfStorage", 40, 8, new long[] {4, 8}, new long[] {8, 1}), Map.of("0", storage));

        TorchCheckpointConverter.convertShard(dir.resolve("pytorch_model.bin"), temp.resolve("out.safetensors"));

        byte[] written = Files.readAllBytes(temp.resolve("out.safetensors"));
        byte[] tail = java.util.Arrays.copyOfRange(written, written.length - 64, written.length);
        assertThat(tail).isEqualTo(java.util.Arrays.copyOfRange(storage, 16, 80)); // elements 8..39: the offset is honoured
    }

    @Test
    void should_refuse_os_system_without_running_it() throws IOException {
        Path marker = temp.resolve("pwned");
        byte[] pickle = TorchCheckpointBytes.protocol(2).global("os", "system").mark().str("touch " + marker).op('t').op('R').op('.').bytes();

        assertRefused(checkpoint(pickle, Map.of()), "refused global os.system");
        assertThat(marker).doesNotExist();
    }

    @Test
    void should_refuse_builtins_eval_named_through_stack_global() throws IOException {
        byte[] pickle = TorchCheckpointBytes.protocol(4).stackGlobal("builtins", "eval").mark().str("__import__('os')").op('t').op('R').op('.').bytes();

        assertRefused(checkpoint(pickle, Map.of()), "refused global builtins.eval");
    }

    @Test
    void should_refuse_subprocess_popen_hidden_in_a_tensor_reduce() throws IOException {
        // What a __reduce__ returning (subprocess.Popen, (["sh", "-c", ...],)) pickles to, as the value of a state dict entry.
        byte[] pickle = TorchCheckpointBytes.protocol(2).global("collections", "OrderedDict").op(')').op('R').mark().str("w")
            .global("subprocess", "Popen").mark().mark().str("sh").str("-c").str("touch x").op('l').op('t').op('R').op('u').op('.').bytes();

        assertRefused(checkpoint(pickle, Map.of()), "refused global subprocess.Popen");
    }

    @Test
    void should_refuse_a_torch_class_a_state_dict_does_not_use() throws IOException {
        byte[] pickle = TorchCheckpointBytes.stateDict("w", "LongStorage", 4, 0, new long[] {4}, new long[] {1});

        assertRefused(checkpoint(pickle, Map.of("0", new byte[32])), "refused global torch.LongStorage");
    }

    @Test
    void should_refuse_opcodes_that_build_objects_from_names() throws IOException {
        byte[] pickle = TorchCheckpointBytes.protocol(2).mark().op('i').bytes(); // INST

        assertRefused(checkpoint(pickle, Map.of()), "is not used by a state dict and is refused");
    }

    @Test
    void should_refuse_a_truncated_archive() throws IOException {
        byte[] whole = Files.readAllBytes(checkpoint(TorchCheckpointBytes.stateDict("w", "HalfStorage", 64, 0, new long[] {64}, new long[] {1}),
            Map.of("0", new byte[128])).resolve("pytorch_model.bin"));
        Path dir = temp.resolve("truncated");
        Files.createDirectories(dir);
        Files.write(dir.resolve("pytorch_model.bin"), java.util.Arrays.copyOf(whole, whole.length / 2));

        assertRefused(dir, "not a readable zip archive");
    }

    @Test
    void should_refuse_a_tensor_whose_storage_entry_is_missing() throws IOException {
        assertRefused(checkpoint(TorchCheckpointBytes.stateDict("w", "HalfStorage", 4, 0, new long[] {4}, new long[] {1}), Map.of()),
            "tensor w: its storage 0 is missing from the archive");
    }

    @Test
    void should_refuse_a_shape_larger_than_its_storage() throws IOException {
        assertRefused(checkpoint(TorchCheckpointBytes.stateDict("w", "FloatStorage", 4, 0, new long[] {8}, new long[] {1}), Map.of("0", new byte[16])),
            "tensor w (offset 0, size [8]) does not fit in its storage of 4 elements");
    }

    @Test
    void should_refuse_a_storage_that_declares_more_than_the_archive_holds() throws IOException {
        long huge = 1L << 40; // 2 TB of half floats declared, 16 bytes present
        assertRefused(checkpoint(TorchCheckpointBytes.stateDict("w", "HalfStorage", huge, 0, new long[] {huge}, new long[] {1}), Map.of("0", new byte[16])),
            "storage 0 declares 1099511627776 elements (2199023255552 bytes) but the archive holds 16 bytes");
    }

    @Test
    void should_refuse_a_size_that_overflows() throws IOException {
        long big = 1L << 40;
        assertRefused(checkpoint(TorchCheckpointBytes.stateDict("w", "HalfStorage", 8, 0, new long[] {big, big}, new long[] {big, 1}), Map.of("0", new byte[16])),
            "declares a size that overflows");
    }

    @Test
    void should_refuse_a_non_contiguous_tensor() throws IOException {
        assertRefused(checkpoint(TorchCheckpointBytes.stateDict("w", "HalfStorage", 16, 0, new long[] {4, 4}, new long[] {1, 4}), Map.of("0", new byte[32])),
            "tensor w is not contiguous (stride [1, 4])");
    }

    private Path checkpoint(byte[] pickle, Map<String, byte[]> storages) throws IOException {
        Path dir = Files.createTempDirectory(temp, "ckpt");
        TorchCheckpointBytes.zip(dir.resolve("pytorch_model.bin"), pickle, storages);
        return dir;
    }

    /** Refused with the reason, through the loader's own exception, with no output beyond a small header. */
    private void assertRefused(Path dir, String reason) throws IOException {
        Path out = temp.resolve("out-" + dir.getFileName());
        assertThatThrownBy(() -> TorchCheckpointConverter.convert(dir, out))
            .isInstanceOf(ModelValidationException.class)
            .hasMessageContaining("pytorch_model.bin")
            .hasMessageContaining(reason);
        if (Files.exists(out)) {
            try (var files = Files.walk(out)) {
                assertThat(files.filter(Files::isRegularFile).mapToLong(f -> f.toFile().length()).sum()).as("bytes written").isLessThan(1 << 20);
            }
        }
    }
}
