package dev.synthiabot.bot.commands;

import static dev.synthiabot.bot.commands.Definitions.JA;

import dev.synthiabot.bot.answer.AccessPolicy;
import dev.synthiabot.bot.answer.ChannelPrompts;
import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.reply.AllowedMentions;
import dev.synthiabot.config.prompts.ChannelPromptStore;
import dev.synthiabot.config.prompts.PromptRejectedException;
import dev.synthiabot.config.prompts.ResolvedPrompt;
import java.util.Optional;
import java.util.concurrent.Executor;
import net.dv8tion.jda.api.entities.channel.middleman.MessageChannel;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.interactions.commands.OptionMapping;
import net.dv8tion.jda.api.interactions.commands.OptionType;
import net.dv8tion.jda.api.interactions.commands.build.Commands;
import net.dv8tion.jda.api.interactions.commands.build.OptionData;
import net.dv8tion.jda.api.interactions.commands.build.SlashCommandData;
import net.dv8tion.jda.api.interactions.commands.build.SubcommandData;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /prompt show|set|reset}: the channel's system prompt. Anyone may see it; setting or resetting
 * needs the configured admin role or Manage Channels. A thread inherits its parent's prompt until it
 * gets its own. Replies are ephemeral; the database write happens off JDA's threads.
 */
public final class PromptCommand implements SlashCommand {
    private static final Logger log = LoggerFactory.getLogger(PromptCommand.class);
    static final String NAME = "prompt";
    static final String SHOW = "show";
    static final String SET = "set";
    static final String RESET = "reset";
    static final String TEXT = "text";
    static final String SERVER = "server";

    private final ChannelPrompts prompts;
    private final AccessPolicy access;
    private final Executor storage;

    /** @param storage runs the database reads and writes, off JDA's threads */
    public PromptCommand(ChannelPrompts prompts, AccessPolicy access, Executor storage) {
        this.prompts = prompts;
        this.access = access;
        this.storage = storage;
    }

    @Override
    public SlashCommandData definition() {
        return Definitions.guildOnly(Commands.slash(NAME, "This channel's system prompt")
            .setNameLocalization(JA, "プロンプト")
            .setDescriptionLocalization(JA, "このチャンネルのシステムプロンプト")
            .addSubcommands(
                new SubcommandData(SHOW, "Show the system prompt used here")
                    .setNameLocalization(JA, "表示").setDescriptionLocalization(JA, "ここで使われるシステムプロンプトを表示する"),
                new SubcommandData(SET, "Set this channel's system prompt (admins)")
                    .setNameLocalization(JA, "設定").setDescriptionLocalization(JA, "このチャンネルのシステムプロンプトを設定する（管理者）")
                    .addOptions(new OptionData(OptionType.STRING, TEXT, "The new system prompt", true)
                        .setMaxLength(OptionData.MAX_STRING_OPTION_LENGTH)
                        .setNameLocalization(JA, "テキスト").setDescriptionLocalization(JA, "新しいシステムプロンプト"), serverOption()),
                new SubcommandData(RESET, "Go back to the inherited or default prompt (admins)")
                    .setNameLocalization(JA, "リセット").setDescriptionLocalization(JA, "継承または既定のプロンプトに戻す（管理者）")
                    .addOptions(serverOption())));
    }

    /** {@code server:true}: the server's default prompt (every channel without its own) instead of this channel's. */
    private static OptionData serverOption() {
        return new OptionData(OptionType.BOOLEAN, SERVER, "For the whole server: the default of channels without their own (Manage Server)", false)
            .setNameLocalization(JA, "サーバー").setDescriptionLocalization(JA, "サーバー全体の既定（独自のプロンプトがないチャンネル）（サーバー管理）");
    }

    @Override
    public void handle(SlashCommandInteractionEvent event) {
        Texts texts = Texts.forLocale(event.getUserLocale().getLocale());
        MessageChannel channel = event.getChannel();
        String sub = Optional.ofNullable(event.getSubcommandName()).orElse(SHOW);
        if (!access.allowed(channel, event.getMember())) {
            event.reply(texts.notAllowedHere()).setEphemeral(true).queue();
            return;
        }
        boolean server = Optional.ofNullable(event.getOption(SERVER)).map(OptionMapping::getAsBoolean).orElse(false);
        if (!sub.equals(SHOW) && !(server ? access.mayChangeServerPrompt(event.getMember()) : access.mayChangePrompts(event.getMember(), channel))) {
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
                        String set = prompts.store().set(scope, text, who).prompt();
                        yield server ? texts.serverPromptSet(set) : texts.promptSet(set);
                    }
                    case RESET -> {
                        prompts.store().reset(scope, who);
                        yield texts.promptReset(prompts.resolve(channel).prompt());
                    }
                    default -> {
                        ResolvedPrompt r = prompts.resolve(channel);
                        yield texts.promptShow(r.prompt(), texts.source(r.source().name()));
                    }
                };
            } catch (PromptRejectedException e) {
                answer = texts.promptRejected(e.getMessage());
            } catch (RuntimeException e) {
                log.error("Prompt {} failed in {}", sub, channel.getId(), e);
                answer = texts.promptRejected("storage error");
            }
            event.getHook().editOriginal(answer).setAllowedMentions(AllowedMentions.none()).queue();
        });
    }
}
