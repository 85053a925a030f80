package dev.synthiabot.bot.discord;

import dev.synthiabot.bot.ask.AskCommand;
import dev.synthiabot.bot.prompt.PromptCommand;
import dev.synthiabot.bot.status.StatusCommand;
import dev.synthiabot.bot.translate.TranslateCommand;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import net.dv8tion.jda.api.interactions.DiscordLocale;
import net.dv8tion.jda.api.interactions.IntegrationType;
import net.dv8tion.jda.api.interactions.InteractionContextType;
import net.dv8tion.jda.api.interactions.commands.OptionType;
import net.dv8tion.jda.api.interactions.commands.build.CommandData;
import net.dv8tion.jda.api.interactions.commands.build.Commands;
import net.dv8tion.jda.api.interactions.commands.build.OptionData;
import net.dv8tion.jda.api.interactions.commands.build.SlashCommandData;
import net.dv8tion.jda.api.interactions.commands.build.SubcommandData;

/** The bot's application commands, with Japanese names and descriptions. */
public final class CommandCatalog {
    private static final DiscordLocale JA = DiscordLocale.JAPANESE;

    private CommandCatalog() {}

    /**
     * @param translations target language codes (each becomes a {@code /translate} subcommand)
     * @param maxInput the longest text option Discord should accept (at most 6000)
     */
    public static List<CommandData> commands(Iterable<String> translations, int maxInput) {
        int max = Math.min(maxInput, OptionData.MAX_STRING_OPTION_LENGTH);
        List<CommandData> all = new ArrayList<>();

        SlashCommandData ask = Commands.slash(AskCommand.NAME, "Ask SynthIA a question")
            .setNameLocalization(JA, "質問")
            .setDescriptionLocalization(JA, "SynthIA に質問する")
            .addOptions(
                new OptionData(OptionType.STRING, AskCommand.QUESTION, "Your question", true).setMaxLength(max)
                    .setNameLocalization(JA, "質問内容").setDescriptionLocalization(JA, "質問の内容"),
                new OptionData(OptionType.BOOLEAN, AskCommand.PRIVATE, "Only you see the answer", false)
                    .setNameLocalization(JA, "非公開").setDescriptionLocalization(JA, "自分だけに回答を表示する"));
        all.add(guildOnly(ask));

        SlashCommandData translate = Commands.slash(TranslateCommand.NAME, "Translate text")
            .setNameLocalization(JA, "翻訳")
            .setDescriptionLocalization(JA, "テキストを翻訳する");
        boolean japanese = false;
        for (String code : translations) {
            japanese |= code.equals("ja");
            String en = Locale.forLanguageTag(code).getDisplayName(Locale.ENGLISH);
            String jaName = Locale.forLanguageTag(code).getDisplayName(Locale.JAPANESE);
            translate.addSubcommands(new SubcommandData(code, "Translate into " + en)
                .setNameLocalization(JA, code.equals("ja") ? "日本語" : code)
                .setDescriptionLocalization(JA, jaName + "に翻訳する")
                .addOptions(new OptionData(OptionType.STRING, TranslateCommand.TEXT, "The text to translate", true).setMaxLength(max)
                    .setNameLocalization(JA, "テキスト").setDescriptionLocalization(JA, "翻訳するテキスト")));
        }
        all.add(guildOnly(translate));
        if (japanese) {
            all.add(guildOnly(Commands.message(TranslateCommand.CONTEXT_MENU_JA).setNameLocalizations(Map.of(JA, "日本語に翻訳"))));
        }

        SlashCommandData prompt = Commands.slash(PromptCommand.NAME, "This channel's system prompt")
            .setNameLocalization(JA, "プロンプト")
            .setDescriptionLocalization(JA, "このチャンネルのシステムプロンプト")
            .addSubcommands(
                new SubcommandData(PromptCommand.SHOW, "Show the system prompt used here")
                    .setNameLocalization(JA, "表示").setDescriptionLocalization(JA, "ここで使われるシステムプロンプトを表示する"),
                new SubcommandData(PromptCommand.SET, "Set this channel's system prompt (admins)")
                    .setNameLocalization(JA, "設定").setDescriptionLocalization(JA, "このチャンネルのシステムプロンプトを設定する（管理者）")
                    .addOptions(new OptionData(OptionType.STRING, PromptCommand.TEXT, "The new system prompt", true)
                        .setMaxLength(OptionData.MAX_STRING_OPTION_LENGTH)
                        .setNameLocalization(JA, "テキスト").setDescriptionLocalization(JA, "新しいシステムプロンプト"), serverOption()),
                new SubcommandData(PromptCommand.RESET, "Go back to the inherited or default prompt (admins)")
                    .setNameLocalization(JA, "リセット").setDescriptionLocalization(JA, "継承または既定のプロンプトに戻す（管理者）")
                    .addOptions(serverOption()));
        all.add(guildOnly(prompt));

        all.add(guildOnly(Commands.slash(StatusCommand.NAME, "How the bot is doing: model, speed, queue, memory (only you see it)")
            .setNameLocalization(JA, "状態")
            .setDescriptionLocalization(JA, "ボットの状態: モデル、速度、待ち行列、メモリ（自分だけに表示）")));
        return all;
    }

    /** {@code server:true}: the server's default prompt (every channel without its own) instead of this channel's. */
    private static OptionData serverOption() {
        return new OptionData(OptionType.BOOLEAN, PromptCommand.SERVER, "For the whole server: the default of channels without their own (Manage Server)", false)
            .setNameLocalization(JA, "サーバー").setDescriptionLocalization(JA, "サーバー全体の既定（独自のプロンプトがないチャンネル）（サーバー管理）");
    }

    private static CommandData guildOnly(CommandData c) {
        return c.setContexts(InteractionContextType.GUILD).setIntegrationTypes(IntegrationType.GUILD_INSTALL);
    }
}
