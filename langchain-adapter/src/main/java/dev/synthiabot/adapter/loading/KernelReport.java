package dev.synthiabot.adapter.loading;

import com.github.tjake.jlama.tensor.operations.TensorOperationsProvider;
import com.github.tjake.jlama.util.MachineSpec;

/**
 * Which matrix kernels the model will run on. Jlama's fast path is the (incubating) Java Vector API;
 * without {@code --add-modules jdk.incubator.vector} the JVM cannot even load it.
 */
public final class KernelReport {
    public static final String VECTOR_MODULE = "jdk.incubator.vector";
    public static final String JVM_FLAG = "--add-modules " + VECTOR_MODULE;

    private KernelReport() {}

    public static boolean vectorModulePresent() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /** Checks the Vector API is available and describes the kernels in use; throws with the fix if not. */
    public static String describe() {
        if (!vectorModulePresent()) {
            throw new IllegalStateException("The Java Vector API module is missing: start the JVM with '" + JVM_FLAG
                + "' (the scripts in this project and the Docker image do). Jlama's kernels cannot load without it.");
        }
        MachineSpec.Type type = MachineSpec.VECTOR_TYPE;
        String ops = TensorOperationsProvider.get().name();
        String width = switch (type) {
            case AVX_512 -> "AVX-512 (512-bit vectors)";
            case AVX_256 -> "AVX2 (256-bit vectors)";
            case ARM_128 -> "ARM NEON (128-bit vectors)";
            case NONE -> "no usable vector width: scalar fallback (slow)";
        };
        return ops + ", " + width + ", " + Runtime.getRuntime().availableProcessors() + " CPUs";
    }
}
