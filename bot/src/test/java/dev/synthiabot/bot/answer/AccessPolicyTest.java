package dev.synthiabot.bot.answer;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synthiabot.config.AccessSettings;
import java.lang.reflect.Proxy;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import net.dv8tion.jda.api.Permission;
import net.dv8tion.jda.api.entities.Guild;
import net.dv8tion.jda.api.entities.Member;
import net.dv8tion.jda.api.entities.Role;
import net.dv8tion.jda.api.entities.channel.concrete.PrivateChannel;
import net.dv8tion.jda.api.entities.channel.concrete.TextChannel;
import net.dv8tion.jda.api.entities.channel.concrete.ThreadChannel;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.entities.channel.unions.IThreadContainerUnion;
import org.junit.jupiter.api.Test;

class AccessPolicyTest {
    /** A JDA entity answering only the methods named (others fail the test loudly). */
    @SuppressWarnings("unchecked")
    private static <T> T fake(Class<T> type, Map<String, Function<Object[], Object>> answers) {
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) -> {
            Function<Object[], Object> answer = answers.get(method.getName());
            if (answer == null) throw new UnsupportedOperationException(type.getSimpleName() + "." + method.getName());
            return answer.apply(args);
        });
    }

    private static Guild guild(String id) {
        return fake(Guild.class, Map.of("getId", a -> id));
    }

    private static TextChannel channel(String id, String guildId) {
        return fake(TextChannel.class, Map.of("getId", a -> id, "getGuild", a -> guild(guildId)));
    }

    private static ThreadChannel thread(String id, TextChannel parent) {
        IThreadContainerUnion parentAsJdaGivesIt = fake(IThreadContainerUnion.class, Map.of("getId", a -> parent.getId()));
        return fake(ThreadChannel.class, Map.of("getId", a -> id, "getGuild", a -> parent.getGuild(), "getParentChannel", a -> parentAsJdaGivesIt));
    }

    /** A member with these roles and these permissions (in every channel). */
    private static Member member(List<String> roles, Set<Permission> permissions) {
        List<Role> roleList = roles.stream().map(r -> fake(Role.class, Map.of("getId", a -> r))).toList();
        return fake(Member.class, Map.of("getRoles", a -> roleList,
            "hasPermission", a -> permissions.containsAll(List.of(a).stream().filter(x -> x instanceof Permission[]).map(x -> (Permission[]) x)
                .flatMap(p -> List.of(p).stream()).toList())));
    }

    private static final String GUILD = "100000000000000001", OTHER_GUILD = "100000000000000002";
    private static final String CHANNEL = "200000000000000001", OTHER_CHANNEL = "200000000000000002";
    private static final String ROLE = "300000000000000001", ADMIN = "300000000000000002";

    @Test
    void should_allow_everyone_everywhere_in_servers_when_nothing_is_restricted() {
        AccessPolicy open = new AccessPolicy(new AccessSettings(List.of(), List.of(), List.of(), Optional.empty()));
        Member anyone = member(List.of(), Set.of());

        assertThat(open.allowed(channel(CHANNEL, GUILD), anyone)).isTrue();
        assertThat(open.allowed(channel(CHANNEL, GUILD), null)).as("no member (a webhook)").isFalse();
        assertThat(open.allowed(fake(PrivateChannel.class, Map.of("getId", a -> "9")), anyone)).as("direct messages").isFalse();
    }

    @Test
    void should_keep_to_the_allowed_servers_channels_and_roles_threads_following_their_parent() {
        AccessPolicy policy = new AccessPolicy(new AccessSettings(List.of(GUILD), List.of(CHANNEL), List.of(ROLE), Optional.empty()));
        Member withRole = member(List.of(ROLE), Set.of()), without = member(List.of("300000000000000009"), Set.of());
        TextChannel allowed = channel(CHANNEL, GUILD);

        assertThat(policy.allowed(allowed, withRole)).isTrue();
        assertThat(policy.allowed(allowed, without)).as("role missing").isFalse();
        assertThat(policy.allowed(channel(OTHER_CHANNEL, GUILD), withRole)).as("other channel").isFalse();
        assertThat(policy.allowed(channel(CHANNEL, OTHER_GUILD), withRole)).as("other server").isFalse();
        assertThat(policy.allowed(thread("400000000000000001", allowed), withRole)).as("thread of an allowed channel").isTrue();
        assertThat(policy.allowed(thread("400000000000000002", channel(OTHER_CHANNEL, GUILD)), withRole)).isFalse();
    }

    @Test
    void should_let_the_admin_role_or_manage_permissions_change_prompts() {
        AccessPolicy policy = new AccessPolicy(new AccessSettings(List.of(), List.of(), List.of(), Optional.of(ADMIN)));
        MessageChannel here = channel(CHANNEL, GUILD);
        Member admin = member(List.of(ADMIN), Set.of()), channelManager = member(List.of(), Set.of(Permission.MANAGE_CHANNEL)),
            serverManager = member(List.of(), Set.of(Permission.MANAGE_SERVER)), anyone = member(List.of(ROLE), Set.of());

        assertThat(policy.mayChangePrompts(admin, here)).isTrue();
        assertThat(policy.mayChangePrompts(channelManager, here)).isTrue();
        assertThat(policy.mayChangePrompts(anyone, here)).isFalse();
        assertThat(policy.mayChangePrompts(null, here)).isFalse();
        assertThat(policy.mayChangeServerPrompt(admin)).isTrue();
        assertThat(policy.mayChangeServerPrompt(serverManager)).isTrue();
        assertThat(policy.mayChangeServerPrompt(channelManager)).as("managing a channel is not managing the server").isFalse();
    }
}
