package dev.synthiabot.config;

/**
 * Where the operator's endpoints listen: Prometheus metrics on {@code /metrics} and {@code /health}, on {@code port}
 * (0 = off) at {@code bind} (127.0.0.1 unless set: the numbers are for the operator, not the internet).
 */
public record MetricsSettings(int port, String bind) {
    public MetricsSettings {
        Problems p = new Problems();
        p.range("metrics.port", port, 0, 65_535);
        p.check(!bind.isBlank() && !bind.contains("/") && !bind.contains(" "), "metrics.bind", bind, "is not a host name or address");
        p.throwIfAny();
    }

    public boolean enabled() {
        return port > 0;
    }
}
