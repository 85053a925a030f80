package dev.synthiabot.config.prompts;

/** The answer language that applies in a channel ({@code auto}, {@code en} or a translation language) and where it comes from. */
public record ResolvedLanguage(String language, ResolvedPrompt.Source source) {}
