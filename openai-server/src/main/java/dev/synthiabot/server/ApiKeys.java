package dev.synthiabot.server;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/**
 * The API keys a client may present as {@code Authorization: Bearer <key>}. Keys are compared as SHA-256 digests with
 * {@link MessageDigest#isEqual} against every configured key, so the time taken tells nothing of a key's bytes or
 * length, nor which key matched.
 */
final class ApiKeys {
    private static final String BEARER = "bearer ";

    private final List<byte[]> digests;

    ApiKeys(Set<String> keys) {
        this.digests = keys.stream().map(ApiKeys::sha256).toList();
    }

    /** Whether requests must carry a key at all. */
    boolean required() {
        return !digests.isEmpty();
    }

    /** Whether an {@code Authorization} header value carries one of the keys (always true when none is required). */
    boolean accepts(Optional<String> authorization) {
        if (!required()) return true;
        if (authorization.isEmpty()) return false;
        String value = authorization.get().strip();
        if (!value.toLowerCase(Locale.ROOT).startsWith(BEARER)) return false;
        byte[] presented = sha256(value.substring(BEARER.length()).strip());
        boolean match = false;
        for (byte[] d : digests) {
            match |= MessageDigest.isEqual(d, presented);
        }
        return match;
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("Every Java platform has SHA-256", e);
        }
    }
}
