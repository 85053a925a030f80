package dev.synthiabot.bot.commands;

import static dev.synthiabot.bot.commands.Definitions.JA;

import dev.synthiabot.adapter.SynthiaModelStatus;
import dev.synthiabot.bot.answer.AnswerStats;
import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.reply.AllowedMentions;
import dev.synthiabot.bot.servers.ServerStatus;
import dev.synthiabot.bot.queue.InferenceQueue;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.interactions.commands.build.Commands;
import net.dv8tion.jda.api.interactions.commands.build.SlashCommandData;

/**
 * {@code /status}: how the bot is doing, privately to whoever asks: model, kernels, uptime, answers running and
 * waiting, recent speed, KV cache, memory. Answered at once from what the bot already knows; never queued.
 */
public final class StatusCommand implements SlashCommand {
    static final String NAME = "status";

    private final String modelName;
    private final Supplier<Optional<SynthiaModelStatus>> model;
    private final Supplier<List<ServerStatus>> servers;
    private final InferenceQueue queue;
    private final AnswerStats stats;

    /** @param servers the model servers answering instead of the bot's own model (empty when it runs its own) */
    public StatusCommand(String modelName, Supplier<Optional<SynthiaModelStatus>> model, Supplier<List<ServerStatus>> servers, InferenceQueue queue,
                         AnswerStats stats) {
        this.modelName = modelName;
        this.model = model;
        this.servers = servers;
        this.queue = queue;
        this.stats = stats;
    }

    @Override
    public SlashCommandData definition() {
        return Definitions.guildOnly(Commands.slash(NAME, "How the bot is doing: model, speed, queue, memory (only you see it)")
            .setNameLocalization(JA, "状態")
            .setDescriptionLocalization(JA, "ボットの状態: モデル、速度、待ち行列、メモリ（自分だけに表示）"));
    }

    @Override
    public void handle(SlashCommandInteractionEvent event) {
        Texts texts = Texts.forLocale(event.getUserLocale().getLocale());
        event.reply(render(texts)).setEphemeral(true).setAllowedMentions(AllowedMentions.none()).queue();
    }

    String render(Texts texts) {
        Runtime rt = Runtime.getRuntime();
        return texts.status(modelName, model.get(), servers.get(), Duration.ofMillis(ManagementFactory.getRuntimeMXBean().getUptime()),
            queue.runningCount(), queue.concurrency(), queue.waitingCount(), stats.summary(), rt.totalMemory() - rt.freeMemory(), rt.maxMemory(), processResidentBytes());
    }

    /** The process's resident memory (VmRSS), where /proc tells it. */
    private static Optional<Long> processResidentBytes() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmRSS:")) return Optional.of(Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024);
            }
        } catch (Exception e) {
            return Optional.empty();
        }
        return Optional.empty();
    }
}
