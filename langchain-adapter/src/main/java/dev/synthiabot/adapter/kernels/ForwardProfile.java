package dev.synthiabot.adapter.kernels;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Where a forward pass spends its time, for the benchmark's {@code --profile}: wall time per phase (each matrix shape,
 * attention, the serial vector work, preparing activations) per number of tokens in the pass, and for the parallel
 * phases how well {@link RowParallel} used its threads. Off unless {@link #enable}d: then each probe is a static
 * boolean test, so the forward pass costs the same as without it.
 *
 * <p>Not thread-safe by design: the forward pass runs on one thread at a time (the engine's stepping thread), which
 * alone records phases; {@link RowParallel}'s workers only write their own slots of a call, which the caller reads
 * after the call has ended.
 */
public final class ForwardProfile {
    private ForwardProfile() {}

    private static volatile boolean enabled;

    /** One phase's sums over the passes of one size. */
    private static final class Phase {
        long nanos, calls;
        /** Parallel calls only: their wall time, threads × wall time, the threads' busy time. */
        long parallelCalls, parallelWall, threadWall, busy;
        /** Parallel calls only: the workers' waits from the call's start to their first work, and how many waited. */
        long firstWorkWait, firstWorkCount;
        /** Parallel calls only: the caller's wait for the others once it had no more work of its own. */
        long callerWait;
    }

    /** Per number of tokens in a pass: the phases in the order they first ran, and the passes' count and time. */
    private static final class Passes {
        final Map<String, Phase> phases = new LinkedHashMap<>();
        long count, nanos, between;
    }

    private static final Map<Integer, Passes> BY_TOKENS = new TreeMap<>();
    private static Passes current;
    private static long passStart, lastPassEnd;
    /** The parallel calls since the last {@link #phase}, added to the phase it closes. */
    private static final Phase pending = new Phase();

    /** Turns profiling on (before the model runs; the benchmark's {@code --profile}). */
    public static void enable() {
        enabled = true;
    }

    public static boolean enabled() {
        return enabled;
    }

    /** A forward pass of {@code tokens} tokens begins; the time since the last one ended counts as "between passes". */
    public static void beginPass(int tokens) {
        if (!enabled) return;
        current = BY_TOKENS.computeIfAbsent(tokens, n -> new Passes());
        passStart = System.nanoTime();
        // sampling, the engine's bookkeeping; a gap of a second or more is idle time, not the engine's
        if (lastPassEnd != 0 && passStart - lastPassEnd < 1_000_000_000L) current.between += passStart - lastPassEnd;
    }

    public static void endPass() {
        if (!enabled || current == null) return;
        lastPassEnd = System.nanoTime();
        current.count++;
        current.nanos += lastPassEnd - passStart;
        current = null;
    }

    /** A phase's start: pass it to {@link #phase}. */
    public static long start() {
        return enabled ? System.nanoTime() : 0;
    }

    /** The phase {@code name} ran from {@code start} until now, with the parallel calls made since the last phase. */
    public static void phase(String name, long start) {
        if (!enabled || current == null) return;
        Phase p = current.phases.computeIfAbsent(name, k -> new Phase());
        p.nanos += System.nanoTime() - start;
        p.calls++;
        p.parallelCalls += pending.parallelCalls;
        p.parallelWall += pending.parallelWall;
        p.threadWall += pending.threadWall;
        p.busy += pending.busy;
        p.firstWorkWait += pending.firstWorkWait;
        p.firstWorkCount += pending.firstWorkCount;
        p.callerWait += pending.callerWait;
        pending.parallelCalls = pending.parallelWall = pending.threadWall = pending.busy = 0;
        pending.firstWorkWait = pending.firstWorkCount = pending.callerWait = 0;
    }

    /**
     * A parallel call of {@code threads} threads from {@code start} to {@code end}: each thread's busy time, the time
     * its first work began (0: it had none), and the caller's wait once its own work was done.
     */
    static void parallelCall(long start, long end, int threads, long[] busy, long[] firstWork, long callerWait) {
        if (current == null) return;
        pending.parallelCalls++;
        pending.parallelWall += end - start;
        pending.threadWall += (end - start) * threads;
        for (long b : busy) pending.busy += b;
        for (int i = 1; i < firstWork.length; i++) {
            if (firstWork[i] == 0) continue;
            pending.firstWorkWait += firstWork[i] - start;
            pending.firstWorkCount++;
        }
        pending.callerWait += callerWait;
    }

    public static void reset() {
        BY_TOKENS.clear();
        lastPassEnd = 0;
    }

    /**
     * A table per pass size: each phase's ms per pass and share of the pass; for parallel phases the threads' busy
     * share of threads × wall time, the workers' mean wait for their first work and the caller's mean wait at the end.
     */
    public static String report() {
        StringBuilder sb = new StringBuilder();
        for (Map.Entry<Integer, Passes> e : BY_TOKENS.entrySet()) {
            Passes ps = e.getValue();
            if (ps.count == 0) continue;
            double passMs = ps.nanos / 1e6 / ps.count;
            sb.append(String.format("passes of %d tokens: %d passes, %.2f ms each, %.2f ms between passes (sampling, engine)%n",
                e.getKey(), ps.count, passMs, ps.between / 1e6 / ps.count));
            sb.append(String.format("  %-16s %10s %7s %8s %9s %12s %12s%n", "phase", "ms/pass", "share", "calls", "busy", "1st work µs", "caller µs"));
            long accounted = 0;
            for (Map.Entry<String, Phase> pe : ps.phases.entrySet()) {
                Phase p = pe.getValue();
                accounted += p.nanos;
                String busy = p.threadWall > 0 ? String.format("%.0f%%", 100.0 * p.busy / p.threadWall) : "-";
                String first = p.firstWorkCount > 0 ? String.format("%.1f", p.firstWorkWait / 1e3 / p.firstWorkCount) : "-";
                String caller = p.parallelCalls > 0 ? String.format("%.1f", p.callerWait / 1e3 / p.parallelCalls) : "-";
                sb.append(String.format("  %-16s %10.3f %6.1f%% %8.1f %9s %12s %12s%n", pe.getKey(), p.nanos / 1e6 / ps.count,
                    100.0 * p.nanos / ps.nanos, (double) p.parallelCalls / ps.count, busy, first, caller));
            }
            sb.append(String.format("  %-16s %10.3f %6.1f%%%n", "(rest)", (ps.nanos - accounted) / 1e6 / ps.count,
                100.0 * (ps.nanos - accounted) / ps.nanos));
        }
        return sb.toString();
    }
}
