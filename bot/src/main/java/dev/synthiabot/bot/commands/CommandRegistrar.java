package dev.synthiabot.bot.commands;

import java.util.List;
import java.util.Objects;
import net.dv8tion.jda.api.JDA;
import net.dv8tion.jda.api.entities.Guild;
import net.dv8tion.jda.api.interactions.commands.Command;
import net.dv8tion.jda.api.interactions.commands.build.CommandData;
import net.dv8tion.jda.api.utils.data.DataArray;
import net.dv8tion.jda.api.utils.data.DataObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers the commands in the configured guilds (instant) or globally, and only when they differ
 * from what Discord already has: an unchanged bot restarts without touching its commands.
 */
public final class CommandRegistrar {
    private static final Logger log = LoggerFactory.getLogger(CommandRegistrar.class);

    private CommandRegistrar() {}

    public static void register(JDA jda, List<String> guildIds, List<CommandData> wanted) {
        if (guildIds.isEmpty()) {
            jda.retrieveCommands(true).queue(existing -> {
                if (same(existing, wanted)) {
                    log.info("Global commands are up to date");
                } else {
                    jda.updateCommands().addCommands(wanted).queue(ok -> log.info("Registered {} global commands", ok.size()),
                        err -> log.error("Registering global commands failed", err));
                }
            }, err -> log.error("Could not read the global commands", err));
            return;
        }
        for (String id : guildIds) {
            Guild guild = jda.getGuildById(id);
            if (guild == null) {
                log.warn("discord.guild_ids: the bot is not in guild {}; invite it there first", id);
                continue;
            }
            guild.retrieveCommands(true).queue(existing -> {
                if (same(existing, wanted)) {
                    log.info("Commands in guild {} are up to date", id);
                } else {
                    guild.updateCommands().addCommands(wanted).queue(ok -> log.info("Registered {} commands in guild {}", ok.size(), id),
                        err -> log.error("Registering commands in guild {} failed", id, err));
                }
            }, err -> log.error("Could not read the commands of guild {}", id, err));
        }
    }

    private static boolean same(List<Command> existing, List<CommandData> wanted) {
        return sameDefinitions(existing.stream().map(CommandData::fromCommand).toList(), wanted);
    }

    /**
     * Whether Discord's commands equal ours, compared through JDA's own serialization of both: commands in any order,
     * but options and subcommands in theirs (Discord shows them in that order, so a change of order is a change).
     */
    static boolean sameDefinitions(List<CommandData> existing, List<CommandData> wanted) {
        if (existing.size() != wanted.size()) return false;
        List<String> a = existing.stream().map(c -> canonical(c.toData())).sorted().toList();
        List<String> b = wanted.stream().map(c -> canonical(c.toData())).sorted().toList();
        return a.equals(b);
    }

    /** JSON-like text with keys sorted and empty values dropped, so that equal commands print equal. */
    static String canonical(Object o) {
        if (o instanceof DataObject d) return canonical(d.toMap());
        if (o instanceof DataArray a) return canonical(a.toList());
        if (o instanceof java.util.Map<?, ?> m) {
            StringBuilder sb = new StringBuilder("{");
            m.keySet().stream().map(String::valueOf).sorted().forEach(k -> {
                Object v = m.get(k);
                if (v == null || v instanceof java.util.Collection<?> c && c.isEmpty() || v instanceof java.util.Map<?, ?> mm && mm.isEmpty()) return;
                sb.append(k).append('=').append(canonical(v)).append(';');
            });
            return sb.append('}').toString();
        }
        if (o instanceof java.util.List<?> l) {
            StringBuilder sb = new StringBuilder("[");
            for (Object x : l) sb.append(canonical(x)).append(',');
            return sb.append(']').toString();
        }
        return Objects.toString(o);
    }
}
