package dev.synthiabot.bot;

import dev.synthiabot.bot.answer.Answers;
import dev.synthiabot.bot.app.BotApp;
import dev.synthiabot.bot.commands.SlashCommand;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.synthiabot.adapter.SynthiaChatModel;
import dev.synthiabot.bot.sim.DiscordSimulator;
import dev.synthiabot.bot.sim.RecordedRequest;
import dev.synthiabot.config.BotSettings;
import dev.synthiabot.config.SettingsLoader;
import dev.synthiabot.config.prompts.ChannelPromptStore;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** The real bot (JDA, queue, features) against the Discord simulator, with the tiny model or a scripted one. */
final class BotHarness implements AutoCloseable {
    final DiscordSimulator discord;
    final BotSettings settings;
    final ChannelPromptStore prompts;
    final BotApp app;
    final StreamingChatModel model;
    private final AutoCloseable closeModel;

    private BotHarness(DiscordSimulator discord, BotSettings settings, ChannelPromptStore prompts, BotApp app, StreamingChatModel model,
                       AutoCloseable closeModel) {
        this.discord = discord;
        this.settings = settings;
        this.prompts = prompts;
        this.app = app;
        this.model = model;
        this.closeModel = closeModel;
    }

    /** The adapter module's tiny fixture model (tests run in the module directory). */
    static Path tinyModel() {
        return Path.of("..", "langchain-adapter", "src", "test", "resources", "models", "tiny-mistral-a");
    }

    /**
     * The tiny fixture model as the bot runs models by default: quantized to Q4 (into {@code cacheDir}) on our
     * Q4 kernels; greedy, answers of {@code maxTokens} tokens.
     */
    static SynthiaChatModel tinyModel(int maxTokens, Path cacheDir) {
        return SynthiaChatModel.builder().modelPath(tinyModel()).quantize(true).cacheDir(cacheDir).temperature(0)
            .maxOutputTokens(maxTokens).build();
    }

    static BotHarness start(Path dir, StreamingChatModel model, AutoCloseable closeModel, Map<String, String> extraEnv) throws Exception {
        return start(dir, model, closeModel, extraEnv, answers -> List.of());
    }

    /** With slash commands of the test's beside the bot's own (as a newcomer adds one). */
    static BotHarness start(Path dir, StreamingChatModel model, AutoCloseable closeModel, Map<String, String> extraEnv,
                            Function<Answers, List<SlashCommand>> extraCommands) throws Exception {
        BotHarness h = connect(dir, model, closeModel, extraEnv, extraCommands);
        h.app.modelReady(model, 1);
        return h;
    }

    /** Online in Discord with the model still loading: the test says when {@code model} is ready ({@code app.modelReady}). */
    static BotHarness connect(Path dir, StreamingChatModel model, AutoCloseable closeModel, Map<String, String> extraEnv,
                              Function<Answers, List<SlashCommand>> extraCommands) throws Exception {
        DiscordSimulator discord = new DiscordSimulator();
        Map<String, String> env = new HashMap<>();
        env.put("DISCORD_TOKEN", DiscordSimulator.TOKEN);
        env.put("SYNTHIA_DISCORD__REST_URL", discord.restUrl().toString());
        env.put("SYNTHIA_DISCORD__GATEWAY_URL", discord.gatewayUrl().toString());
        env.put("SYNTHIA_DISCORD__GUILD_IDS", discord.guildId);
        env.put("SYNTHIA_STORAGE__DATABASE_PATH", dir.resolve("prompts.db").toString());
        env.put("SYNTHIA_LIMITS__PER_USER_COOLDOWN_SECONDS", "0");
        env.put("SYNTHIA_LIMITS__REPLY_EDIT_INTERVAL_MS", "250");
        env.put("SYNTHIA_ACCESS__ADMIN_ROLE", discord.modsRole);
        env.putAll(extraEnv);
        BotSettings settings = SettingsLoader.loadYaml("", env);
        ChannelPromptStore prompts = new ChannelPromptStore(settings.storage().databasePath(), settings.prompts().defaultSystem(),
            settings.prompts().maxLength());
        BotApp app = BotApp.connect(settings, prompts, extraCommands);
        return new BotHarness(discord, settings, prompts, app, model, closeModel);
    }

    /** Every request that sends or edits a message carries empty allowed_mentions. */
    List<RecordedRequest> messageWrites() {
        return discord.requests().stream()
            .filter(r -> (r.method().equals("POST") || r.method().equals("PATCH")) && r.body() != null
                && (r.path().contains("/messages") || r.path().matches("webhooks/\\d+/[^/]+")))
            .toList();
    }

    @Override
    public void close() throws Exception {
        app.close();
        prompts.close();
        discord.close();
        if (closeModel != null) closeModel.close();
    }
}
