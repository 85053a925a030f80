package dev.synthiabot.bot.queue;

import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * When each user last asked, for as long as it matters: an entry older than the cooldown is forgotten, so the map
 * holds only the users of the last {@code cooldown} however many have ever asked. A plain value: the caller locks.
 */
final class Cooldowns {
    private final Duration cooldown;
    /** Oldest request first (a user's new request moves them to the end). */
    private final LinkedHashMap<String, Instant> lastRequest = new LinkedHashMap<>();

    Cooldowns(Duration cooldown) {
        this.cooldown = cooldown;
    }

    /** How long {@code user} must still wait at {@code now}, or empty if they may ask. */
    Optional<Duration> remaining(String user, Instant now) {
        forgetExpired(now);
        Instant last = lastRequest.get(user);
        return last == null ? Optional.empty() : Optional.of(cooldown.minus(Duration.between(last, now)));
    }

    /** {@code user} asked at {@code now}. */
    void asked(String user, Instant now) {
        if (cooldown.isZero()) return;
        lastRequest.remove(user);
        lastRequest.put(user, now);
        forgetExpired(now);
    }

    /** Users remembered (those who asked within the cooldown). */
    int size() {
        return lastRequest.size();
    }

    private void forgetExpired(Instant now) {
        for (Iterator<Map.Entry<String, Instant>> it = lastRequest.entrySet().iterator(); it.hasNext(); ) {
            if (Duration.between(it.next().getValue(), now).compareTo(cooldown) < 0) return;
            it.remove();
        }
    }
}
