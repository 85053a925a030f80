package dev.synthiabot.config;

/** Everything the bot can be told, validated. Load it with {@link SettingsLoader}. */
public record BotSettings(DiscordSettings discord, ModelSettings model, ProviderSettings provider, GenerationSettings generation,
                          PromptSettings prompts, LimitSettings limits, StorageSettings storage, AccessSettings access, LoggingSettings logging,
                          MetricsSettings metrics, ServerSettings server) {}
