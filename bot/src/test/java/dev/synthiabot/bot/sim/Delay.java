package dev.synthiabot.bot.sim;

/** A slow route: matching requests wait {@code millis} before they are answered. */
record Delay(String method, String pathRegex, long millis) {}
