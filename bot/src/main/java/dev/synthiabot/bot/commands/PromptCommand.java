package dev.synthiabot.bot.commands;

import static dev.synthiabot.bot.commands.Definitions.JA;

import dev.synthiabot.bot.answer.AccessPolicy;
import dev.synthiabot.bot.answer.ChannelPrompts;
import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.reply.AllowedMentions;
import dev.synthiabot.config.PromptSettings;
import dev.synthiabot.config.prompts.ChannelPromptStore;
import dev.synthiabot.config.prompts.PromptRejectedException;
import dev.synthiabot.config.prompts.ChannelSetting;
import dev.synthiabot.config.prompts.ResolvedPrompt;
import dev.synthiabot.config.prompts.ResolvedSetting;
import java.util.Locale;
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
 * {@code /prompt show|set|reset|language|reasoning}: the channel's system prompt, the language its answers are given in
 * and how their reasoning is shown. Anyone may see them; changing them needs the configured admin role or Manage
 * Channels (Manage Server with {@code server:true}). A thread inherits its parent's until it gets its own. Replies are
 * ephemeral; the database write happens off JDA's threads.
 */
public final class PromptCommand implements SlashCommand {
    private static final Logger log = LoggerFactory.getLogger(PromptCommand.class);
    static final String NAME = "prompt";
    static final String SHOW = "show";
    static final String SET = "set";
    static final String RESET = "reset";
    static final String TEXT = "text";
    static final String SERVER = "server";
    static final String LANGUAGE = "language";
    static final String REASONING = "reasoning";
    /** The {@code language} and {@code reasoning} choice that removes a scope's own value (it then inherits). */
    static final String INHERIT = "inherit";

    private final ChannelPrompts prompts;
    private final PromptSettings settings;
    private final AccessPolicy access;
    private final Executor storage;

    /**
     * @param settings the translation languages ({@code /prompt language}'s choices) and the default answer language
     * @param storage runs the database reads and writes, off JDA's threads
     */
    public PromptCommand(ChannelPrompts prompts, PromptSettings settings, AccessPolicy access, Executor storage) {
        this.prompts = prompts;
        this.settings = settings;
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
                    .addOptions(serverOption()),
                new SubcommandData(LANGUAGE, "The language answers are given in here (admins)")
                    .setNameLocalization(JA, "言語").setDescriptionLocalization(JA, "ここでの回答の言語（管理者）")
                    .addOptions(languageOption(), serverOption()),
                new SubcommandData(REASONING, "How answers' reasoning is shown here (admins)")
                    .setNameLocalization(JA, "推論").setDescriptionLocalization(JA, "ここでの回答の推論の表示方法（管理者）")
                    .addOptions(reasoningOption(), serverOption())));
    }

    /** folded, inline, hidden, or back to what is inherited. */
    private static OptionData reasoningOption() {
        return new OptionData(OptionType.STRING, REASONING, "folded: a button shows it; inline: all of it; hidden: the answer alone", true)
            .setNameLocalization(JA, "推論").setDescriptionLocalization(JA, "folded: ボタンで表示、inline: すべて表示、hidden: 回答のみ")
            .addChoice("folded (the answer, a button shows the reasoning)", PromptSettings.Reasoning.FOLDED.key())
            .addChoice("inline (all of it, as written)", PromptSettings.Reasoning.INLINE.key())
            .addChoice("hidden (the answer alone)", PromptSettings.Reasoning.HIDDEN.key())
            .addChoice("inherit (the server's or the bot's default)", INHERIT);
    }

    private static Optional<String> inheritOr(String value) {
        return value.equals(INHERIT) ? Optional.empty() : Optional.of(value);
    }

    private String languageLine(Texts texts, MessageChannel channel) {
        ResolvedSetting l = prompts.setting(ChannelSetting.ANSWER_LANGUAGE, channel, settings.answerLanguage());
        return texts.answerLanguage(l.value(), texts.source(l.source().name()));
    }

    private String reasoningLine(Texts texts, MessageChannel channel) {
        ResolvedSetting r = prompts.setting(ChannelSetting.REASONING, channel, settings.reasoning());
        return texts.reasoning(r.value(), texts.source(r.source().name()));
    }

    /** auto, en, each translation language, or back to what is inherited. */
    private OptionData languageOption() {
        OptionData o = new OptionData(OptionType.STRING, LANGUAGE, "auto: the question's; en: as the model writes; or always one language", true)
            .setNameLocalization(JA, "言語").setDescriptionLocalization(JA, "auto: 質問の言語、en: モデルのまま、または常に一つの言語");
        o.addChoice("auto (the question's language)", PromptSettings.AUTO).addChoice("en (as the model writes)", PromptSettings.MODEL_LANGUAGE);
        for (String code : settings.translation().keySet()) {
            if (!code.equals(PromptSettings.MODEL_LANGUAGE)) o.addChoice(code + " (" + Locale.forLanguageTag(code).getDisplayName(Locale.ENGLISH) + ")", code);
        }
        return o.addChoice("inherit (the server's or the bot's default)", INHERIT);
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
                    case LANGUAGE -> {
                        String language = Optional.ofNullable(event.getOption(LANGUAGE)).map(OptionMapping::getAsString).orElse(INHERIT);
                        if (!language.equals(INHERIT) && !settings.answerLanguageAllowed(language)) {
                            yield texts.unknownLanguage(language, settings.translation().keySet());
                        }
                        prompts.store().setSetting(ChannelSetting.ANSWER_LANGUAGE, scope, inheritOr(language), who);
                        yield "✅ " + languageLine(texts, channel);
                    }
                    case REASONING -> {
                        String reasoning = Optional.ofNullable(event.getOption(REASONING)).map(OptionMapping::getAsString).orElse(INHERIT);
                        if (!reasoning.equals(INHERIT) && PromptSettings.Reasoning.of(reasoning).isEmpty()) yield texts.promptRejected(reasoning);
                        prompts.store().setSetting(ChannelSetting.REASONING, scope, inheritOr(reasoning), who);
                        yield "✅ " + reasoningLine(texts, channel);
                    }
                    default -> {
                        ResolvedPrompt r = prompts.resolve(channel);
                        yield texts.promptShow(r.prompt(), texts.source(r.source().name())) + "\n" + languageLine(texts, channel) + "\n"
                            + reasoningLine(texts, channel);
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
