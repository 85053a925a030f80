package dev.synthiabot.config;

import java.util.List;
import java.util.Optional;

/** Who may use the bot where, and who may change prompts. Empty lists allow everything. */
public record AccessSettings(List<String> allowedGuilds, List<String> allowedChannels, List<String> allowedRoles, Optional<String> adminRole) {
    public AccessSettings {
        allowedGuilds = List.copyOf(allowedGuilds);
        allowedChannels = List.copyOf(allowedChannels);
        allowedRoles = List.copyOf(allowedRoles);
        Problems p = new Problems();
        p.snowflakes("access.allowed_guilds", allowedGuilds);
        p.snowflakes("access.allowed_channels", allowedChannels);
        p.snowflakes("access.allowed_roles", allowedRoles);
        adminRole.ifPresent(r -> p.snowflakes("access.admin_role", List.of(r)));
        p.throwIfAny();
    }

    public boolean guildAllowed(String guildId) {
        return allowedGuilds.isEmpty() || allowedGuilds.contains(guildId);
    }

    /** A thread is allowed where its parent channel is. */
    public boolean channelAllowed(String channelId, Optional<String> parentId) {
        return allowedChannels.isEmpty() || allowedChannels.contains(channelId) || parentId.filter(allowedChannels::contains).isPresent();
    }

    public boolean memberAllowed(List<String> roleIds) {
        return allowedRoles.isEmpty() || roleIds.stream().anyMatch(allowedRoles::contains);
    }
}
