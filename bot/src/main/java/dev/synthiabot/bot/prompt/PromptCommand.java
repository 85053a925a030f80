package dev.synthiabot.bot.prompt;

import dev.synthiabot.bot.Feature;
import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.config.prompts.ChannelPromptStore;
import dev.synthiabot.config.prompts.PromptRejectedException;
import dev.synthiabot.config.prompts.ResolvedPrompt;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.interactions.commands.OptionMapping;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /prompt show|set|reset}: the channel's system prompt. Anyone may see it; setting or resetting
 * needs the configured admin role or Manage Channels. A thread inherits its parent's prompt until it
 * gets its own. Replies are ephemeral; the database write happens off JDA's threads.
 */
public final class PromptCommand {
    private static final Logger log = LoggerFactory.getLogger(PromptCommand.class);
    public static final String NAME = "prompt";
    public static final String SHOW = "show";
    public static final String SET = "set";
    public static final String RESET = "reset";
    public static final String TEXT = "text";
    public static final String SERVER = "server";

    private final Feature feature;
    private final ExecutorService storage;

    public PromptCommand(Feature feature, ExecutorService storage) {
        this.feature = feature;
        this.storage = storage;
    }

    public void handle(SlashCommandInteractionEvent event) {
        Texts texts = Texts.forLocale(event.getUserLocale().getLocale());
        MessageChannel channel = event.getChannel();
        String sub = Optional.ofNullable(event.getSubcommandName()).orElse(SHOW);
        if (!feature.allowed(channel, event.getMember())) {
            event.reply(texts.notAllowedHere()).setEphemeral(true).queue();
            return;
        }
        boolean server = Optional.ofNullable(event.getOption(SERVER)).map(OptionMapping::getAsBoolean).orElse(false);
        if (!sub.equals(SHOW) && !(server ? feature.mayChangeServerPrompt(event.getMember()) : feature.mayChangePrompts(event.getMember(), channel))) {
            event.reply(server ? texts.noPermissionToChangeServerPrompt() : texts.noPermissionToChangePrompt()).setEphemeral(true).queue();
            return;
        }
        event.deferReply(true).queue();
        String who = event.getUser().getName() + " (" + event.getUser().getId() + ")";
        String text = Optional.ofNullable(event.getOption(TEXT)).map(OptionMapping::getAsString).orElse("");
        String scope = server && event.getGuild() != null ? ChannelPromptStore.guildScope(event.getGuild().getId()) : channel.getId();
        storage.execute(() -> {
            String answer;
            try {
                answer = switch (sub) {
                    case SET -> {
                        String set = feature.prompts().set(scope, text, who).prompt();
                        yield server ? texts.serverPromptSet(set) : texts.promptSet(set);
                    }
                    case RESET -> {
                        feature.prompts().reset(scope, who);
                        yield texts.promptReset(feature.resolvePrompt(channel).prompt());
                    }
                    default -> {
                        ResolvedPrompt r = feature.resolvePrompt(channel);
                        yield texts.promptShow(r.prompt(), texts.source(r.source().name()));
                    }
                };
            } catch (PromptRejectedException e) {
                answer = texts.promptRejected(e.getMessage());
            } catch (RuntimeException e) {
                log.error("Prompt {} failed in {}", sub, channel.getId(), e);
                answer = texts.promptRejected("storage error");
            }
            event.getHook().editOriginal(answer).setAllowedMentions(dev.synthiabot.bot.reply.Mentions.none()).queue();
        });
    }
}
