package dev.synthiabot.bot.sim;

/** A failure the simulator answers with, for the next {@code times} matching requests. */
record Fault(String method, String pathRegex, int status, int retryAfterSeconds, int[] remaining) {
    static Fault of(String method, String pathRegex, int status, int retryAfterSeconds, int times) {
        return new Fault(method, pathRegex, status, retryAfterSeconds, new int[] {times});
    }

    synchronized boolean take(String m, String path) {
        if (remaining[0] <= 0 || !m.equals(method) || !path.matches(pathRegex)) return false;
        remaining[0]--;
        return true;
    }
}
