package dev.synthiabot.bot.status;

import dev.synthiabot.adapter.SynthiaModelStatus;
import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.queue.InferenceQueue;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;

/**
 * {@code /status}: how the bot is doing, privately to whoever asks: model, kernels, uptime, answers running and
 * waiting, recent speed, KV cache, memory. Answered at once from what the bot already knows; never queued.
 */
public final class StatusCommand {
    public static final String NAME = "status";

    private final String modelName;
    private final Supplier<Optional<SynthiaModelStatus>> model;
    private final InferenceQueue queue;
    private final AnswerStats stats;

    public StatusCommand(String modelName, Supplier<Optional<SynthiaModelStatus>> model, InferenceQueue queue, AnswerStats stats) {
        this.modelName = modelName;
        this.model = model;
        this.queue = queue;
        this.stats = stats;
    }

    public void handle(SlashCommandInteractionEvent event) {
        Texts texts = Texts.forLocale(event.getUserLocale().getLocale());
        event.reply(render(texts)).setEphemeral(true).setAllowedMentions(dev.synthiabot.bot.reply.Mentions.none()).queue();
    }

    String render(Texts texts) {
        Runtime rt = Runtime.getRuntime();
        return texts.status(modelName, model.get(), Duration.ofMillis(ManagementFactory.getRuntimeMXBean().getUptime()),
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
