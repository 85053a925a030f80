package dev.synthiabot.adapter.loading;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;
import net.razorvine.pickle.IObjectConstructor;
import net.razorvine.pickle.Opcodes;
import net.razorvine.pickle.PickleException;
import net.razorvine.pickle.PickleUtils;
import net.razorvine.pickle.Unpickler;

/**
 * Reads the pickle of a PyTorch checkpoint ({@code data.pkl}) into a state dict of {@link TensorRef}s, and nothing
 * else. Every global the pickle names is checked against an allow-list when its opcode is read (GLOBAL,
 * STACK_GLOBAL), before anything is built: exactly the globals a state dict needs. Anything else ({@code os.system},
 * {@code builtins.eval}, {@code subprocess.Popen}, an unknown {@code torch} class) is refused with its name, and the
 * opcodes that build objects from names by other routes (INST, OBJ, NEWOBJ_EX, the extension registry) are refused
 * outright. No Python code can run: there is none, and no Java object but these few can be made.
 */
final class StateDictUnpickler extends Unpickler {
    /** A tensor in a checkpoint: offset and sizes in elements of its storage. */
    record TensorRef(StorageRef storage, long offset, long[] shape, long[] stride) {}

    /** A storage: its element type, the zip entry that holds it ({@code data/<key>}) and its declared element count. */
    record StorageRef(String dtype, int elementSize, String key, long elements) {}

    /** A storage class ({@code torch.HalfStorage} …); appears only inside a persistent id. */
    private record StorageType(String dtype, int elementSize) implements IObjectConstructor {
        @Override
        public Object construct(Object[] args) {
            throw new PickleException("a storage type is not callable in a state dict");
        }
    }

    private static final Map<String, Object> ALLOWED = Map.of(
        "collections.OrderedDict", (IObjectConstructor) args -> new LinkedHashMap<>(),
        "torch._utils._rebuild_tensor_v2", (IObjectConstructor) StateDictUnpickler::rebuildTensor,
        "torch._utils._rebuild_parameter", (IObjectConstructor) args -> {
            if (args.length < 1 || !(args[0] instanceof TensorRef t)) throw new PickleException("_rebuild_parameter without a tensor");
            return t;
        },
        "torch.HalfStorage", new StorageType("F16", 2),
        "torch.BFloat16Storage", new StorageType("BF16", 2),
        "torch.FloatStorage", new StorageType("F32", 4));

    @Override
    protected Object dispatch(short key) throws PickleException, IOException {
        switch (key) {
            case Opcodes.GLOBAL -> {
                String module = PickleUtils.readline(input);
                String name = PickleUtils.readline(input);
                stack.add(allowed(module, name));
                return NO_RETURN_VALUE;
            }
            case Opcodes.STACK_GLOBAL -> {
                Object name = stack.pop();
                Object module = stack.pop();
                if (!(module instanceof String m) || !(name instanceof String n)) throw new PickleException("STACK_GLOBAL without a module and a name");
                stack.add(allowed(m, n));
                return NO_RETURN_VALUE;
            }
            case Opcodes.INST, Opcodes.OBJ, Opcodes.NEWOBJ_EX, Opcodes.EXT1, Opcodes.EXT2, Opcodes.EXT4 ->
                throw new PickleException("opcode " + key + " (builds objects from names) is not used by a state dict and is refused");
            default -> {
                return super.dispatch(key);
            }
        }
    }

    private static Object allowed(String module, String name) {
        Object o = ALLOWED.get(module + "." + name);
        if (o == null) throw new PickleException("refused global " + module + "." + name + ": a state dict needs only " + String.join(", ", ALLOWED.keySet().stream().sorted().toList()));
        return o;
    }

    /** torch's persistent id of a storage: ('storage', storage type, key, location, element count). */
    @Override
    protected Object persistentLoad(Object pid) {
        if (pid instanceof Object[] t && t.length >= 5 && "storage".equals(t[0]) && t[1] instanceof StorageType type && t[4] instanceof Number n) {
            if (n.longValue() < 0) throw new PickleException("storage " + t[2] + " declares " + n + " elements");
            return new StorageRef(type.dtype(), type.elementSize(), String.valueOf(t[2]), n.longValue());
        }
        throw new PickleException("unsupported persistent id in the checkpoint (only torch storages are allowed)");
    }

    /** {@code _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])}. */
    private static Object rebuildTensor(Object[] args) {
        if (args.length < 4 || !(args[0] instanceof StorageRef s) || !(args[1] instanceof Number offset)) {
            throw new PickleException("_rebuild_tensor_v2 without a storage and an offset");
        }
        return new TensorRef(s, offset.longValue(), longs(args[2], "size"), longs(args[3], "stride"));
    }

    private static long[] longs(Object tuple, String what) {
        if (!(tuple instanceof Object[] t)) throw new PickleException("_rebuild_tensor_v2: " + what + " is not a tuple");
        long[] r = new long[t.length];
        for (int i = 0; i < t.length; i++) {
            if (!(t[i] instanceof Number n)) throw new PickleException("_rebuild_tensor_v2: " + what + " holds a non-number");
            r[i] = n.longValue();
        }
        return r;
    }
}
