package dev.synthiabot.bot.answer;

import dev.synthiabot.config.AccessSettings;
import java.util.List;
import java.util.Optional;
import net.dv8tion.jda.api.Permission;
import net.dv8tion.jda.api.entities.Member;
import net.dv8tion.jda.api.entities.Role;
import net.dv8tion.jda.api.entities.channel.attribute.IThreadContainer;
import net.dv8tion.jda.api.entities.channel.concrete.ThreadChannel;
import net.dv8tion.jda.api.entities.channel.middleman.GuildChannel;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;

/** Where and by whom the bot may be used, and who may change prompts. */
public final class AccessPolicy {
    private final AccessSettings access;

    public AccessPolicy(AccessSettings access) {
        this.access = access;
    }

    /** The parent channel of a thread, or empty. */
    public static Optional<String> parentOf(MessageChannel channel) {
        if (channel instanceof ThreadChannel t) {
            IThreadContainer parent = t.getParentChannel();
            return Optional.of(parent.getId());
        }
        return Optional.empty();
    }

    public boolean allowed(MessageChannel channel, Member member) {
        if (!(channel instanceof GuildChannel gc)) return false; // guilds only
        if (!access.guildAllowed(gc.getGuild().getId())) return false;
        if (!access.channelAllowed(channel.getId(), parentOf(channel))) return false;
        return member != null && access.memberAllowed(roleIds(member));
    }

    public boolean mayChangePrompts(Member member, MessageChannel channel) {
        if (member == null) return false;
        if (access.adminRole().filter(roleIds(member)::contains).isPresent()) return true;
        return channel instanceof GuildChannel gc && member.hasPermission(gc, Permission.MANAGE_CHANNEL);
    }

    public boolean mayChangeServerPrompt(Member member) {
        if (member == null) return false;
        if (access.adminRole().filter(roleIds(member)::contains).isPresent()) return true;
        return member.hasPermission(Permission.MANAGE_SERVER);
    }

    /** Whether {@code member} has the configured admin role (who may act on anyone's answer). */
    public boolean isAdmin(Member member) {
        return member != null && access.adminRole().filter(roleIds(member)::contains).isPresent();
    }

    private static List<String> roleIds(Member member) {
        return member.getRoles().stream().map(Role::getId).toList();
    }
}
