package dev.synthiabot.bot.answer;

/** The step that gives an answer in another language than the model's: the target language and its translation prompt. */
public record Translation(String language, String prompt) {}
