package dev.synthiabot.bot.servers;

import java.util.Optional;

/**
 * One model server as {@code /status} and the metrics show it: up or down (and why), answers running of its places,
 * answers ended well and badly, and its decode speed over the answers it finished.
 */
public record ServerStatus(String name, boolean up, int running, int places, long answered, long failed,
                           Optional<Double> decodeTokensPerSecond, Optional<String> problem) {}
