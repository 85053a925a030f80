package dev.synthiabot.server;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A request the server answers with an OpenAI error body, {@code {"error": {"message", "type", "param", "code"}}}, and
 * an HTTP status. Carries no stack trace: it is an answer, not a failure of the server.
 */
final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    static final String INVALID_REQUEST = "invalid_request_error";

    private final int status;
    private final String type;
    private final String param;
    private final String code;
    private final Map<String, String> headers;

    ApiError(int status, String type, String param, String code, String message, Map<String, String> headers) {
        super(message, null, false, false);
        this.status = status;
        this.type = type;
        this.param = param;
        this.code = code;
        this.headers = Map.copyOf(headers);
    }

    ApiError(int status, String type, String param, String code, String message) {
        this(status, type, param, code, message, Map.of());
    }

    /** 400 for a request that is wrong as written. */
    static ApiError invalid(String param, String code, String message) {
        return new ApiError(400, INVALID_REQUEST, param, code, message);
    }

    /** 400 for a value of the wrong JSON type. */
    static ApiError wrongType(String param, String expected, String got) {
        return invalid(param, "invalid_type", "Invalid type for '" + param + "': expected " + expected + ", but got " + got + " instead.");
    }

    /** 400 for a parameter this server does not implement. */
    static ApiError unsupported(String param, String message) {
        return invalid(param, "unsupported_parameter", message);
    }

    /** 503 with {@code Retry-After}, while the model loads or the server shuts down. */
    static ApiError unavailable(String code, String message, long retryAfterSeconds) {
        Map<String, String> h = new LinkedHashMap<>();
        if (retryAfterSeconds > 0) h.put("Retry-After", Long.toString(retryAfterSeconds));
        return new ApiError(503, "server_error", null, code, message, h);
    }

    int status() {
        return status;
    }

    String type() {
        return type;
    }

    String param() {
        return param;
    }

    String code() {
        return code;
    }

    Map<String, String> headers() {
        return headers;
    }
}
