package dev.synthiabot.bot.i18n;

import java.util.Locale;

/** What the bot tells users, in English or Japanese (by the user's Discord locale). */
public enum Texts {
    EN, JA;

    public static Texts forLocale(String discordLocale) {
        return discordLocale != null && discordLocale.toLowerCase(Locale.ROOT).startsWith("ja") ? JA : EN;
    }

    /** While a translated answer's first step runs: it is written in English first, then translated. */
    public String answeringBeforeTranslating(String language, int words) {
        String name = java.util.Locale.forLanguageTag(language).getDisplayName(this == JA ? java.util.Locale.JAPANESE : java.util.Locale.ENGLISH);
        return this == JA ? "🤔 考えています…（英語で " + words + " 語、このあと" + name + "に翻訳します）"
            : "🤔 Thinking… (" + words + " words in English so far; then translated into " + name + ")";
    }

    public String thinking() {
        return this == JA ? "🤔 考えています…" : "🤔 Thinking…";
    }

    /** The queue position, and about how long the wait is once the bot has timed an answer. */
    public String queued(int position, java.util.Optional<java.time.Duration> estimatedWait) {
        String base = this == JA ? "⏳ 順番待ち: " + position + " 番目" : "⏳ Waiting in the queue: position " + position;
        return estimatedWait.map(wait -> base + about(wait)).orElse(base);
    }

    /** While the model loads: the asker's place in line and, once the load has a rate, the time it has left. */
    public String queuedWhileLoading(int position, java.util.Optional<java.time.Duration> loadLeft) {
        String left = loadLeft.map(this::about).orElse("");
        if (this == JA) return "⏳ モデルを読み込んでいます" + left + "。" + (position == 1 ? "読み込みが終わったら、次にあなたの質問に答えます。" : "あなたの質問は " + position + " 番目です。");
        return "⏳ The model is loading" + left + "; your question is " + (position == 1 ? "next in line." : "number " + position + " in line.");
    }

    /** " (about 40 s)": to the next ten seconds under a minute, else to the minute. */
    private String about(java.time.Duration d) {
        long s = d.toSeconds();
        if (s < 60) {
            long tens = Math.max(10, (s + 9) / 10 * 10);
            return this == JA ? "（約 " + tens + " 秒）" : " (about " + tens + " s)";
        }
        long min = Math.round(s / 60.0);
        return this == JA ? "（約 " + min + " 分）" : " (about " + min + " min)";
    }

    public String cancelButton() {
        return this == JA ? "キャンセル" : "Cancel";
    }

    public String busy() {
        return this == JA ? "🚦 混み合っています。少し待ってからもう一度お試しください。" : "🚦 I'm busy with other requests right now. Please try again in a minute.";
    }

    public String userLimit() {
        return this == JA ? "⏳ 前のリクエストがまだ終わっていません。終わってからもう一度どうぞ。" : "⏳ Your previous request is still running; please wait until it finishes.";
    }

    public String cooldown(long seconds) {
        return this == JA ? "⏱️ あと " + seconds + " 秒待ってからもう一度お試しください。" : "⏱️ Please wait " + seconds + " s before asking again.";
    }

    public String shuttingDown() {
        return this == JA ? "🔌 ボットを再起動しています。あとでもう一度お試しください。" : "🔌 The bot is restarting; please try again shortly.";
    }

    /** Below an answer cut short by a shutdown. */
    public String stoppedForRestart() {
        return this == JA ? "🔌 ボットの再起動のため、回答はここで終わります。少ししてからもう一度お試しください。"
            : "🔌 The bot is restarting, so this answer stops here. Please ask again shortly.";
    }

    /** After a crash: the request had not been answered yet. */
    public String restartedBeforeAnswer() {
        return this == JA ? "🔌 回答する前にボットが再起動しました。もう一度お試しください。"
            : "🔌 The bot restarted before it could answer this. Please ask again.";
    }

    /** After a crash: below the part of the answer that was written. */
    public String restartedWhileWriting() {
        return this == JA ? "🔌 回答の途中でボットが再起動したため、ここで終わっています。もう一度お試しください。"
            : "🔌 The bot restarted while writing this answer, so it ends here. Please ask again.";
    }

    public String unknownLanguage(String language, java.util.Collection<String> available) {
        String list = String.join(", ", available.stream().map(l -> "`" + l + "`").toList());
        return this == JA ? "🌐 「" + language + "」への翻訳はできません。使える言語: " + list
            : "🌐 I can't translate into \"" + language + "\". Available: " + list;
    }

    /** The {@code /status} reply. */
    public String status(String model, java.util.Optional<dev.synthiabot.adapter.SynthiaModelStatus> m,
                         java.util.List<dev.synthiabot.bot.servers.ServerStatus> servers, java.time.Duration uptime, int running,
                         int atOnce, int waiting, dev.synthiabot.bot.answer.AnswerStats.Summary recent, long heapUsed, long heapMax, java.util.Optional<Long> rss) {
        boolean ja = this == JA;
        StringBuilder sb = new StringBuilder("**SynthIA** — `" + model + "`\n");
        if (servers.isEmpty()) {
            sb.append(ja ? "カーネル: " : "Kernels: ").append(m.map(dev.synthiabot.adapter.SynthiaModelStatus::forwardPass).orElse(ja ? "（読み込み中）" : "(loading)"))
                .append('\n');
        }
        for (var server : servers) {
            sb.append("• `").append(server.name()).append("` — ");
            if (server.up()) {
                sb.append(ja ? "稼働中、回答中 " + server.running() + " / " + server.places() + " 件" : "up, " + server.running() + " / " + server.places() + " answering")
                    .append(server.decodeTokensPerSecond().map(r -> String.format(ja ? "、生成 %.1f トークン/秒" : ", decode %.1f tokens/s", r)).orElse(""));
            } else {
                sb.append(ja ? "停止中" : "down").append(server.problem().map(p -> " (" + p + ")").orElse(""));
            }
            sb.append('\n');
        }
        long h = uptime.toHours(), min = uptime.toMinutesPart();
        sb.append(ja ? "稼働時間 " + h + " 時間 " + min + " 分 · 回答中 " + running + " 件（同時に最大 " + atOnce + " 件）、待ち " + waiting + " 件"
            : "Up " + h + " h " + min + " min · " + running + " answering (up to " + atOnce + " at once), " + waiting + " waiting").append('\n');
        if (recent.answers() == 0) {
            sb.append(ja ? "最近の回答: まだありません" : "Recent answers: none yet");
        } else {
            sb.append(ja ? "最近の " + recent.answers() + " 件: " : "Last " + recent.answers() + " answers: ")
                .append(ja ? "プロンプト " : "prompt ").append(recent.promptTokensPerSecond().map(r -> String.format("%.1f", r)).orElse("–"))
                .append(ja ? " トークン/秒、生成 " : " tokens/s, decode ").append(recent.decodeTokensPerSecond().map(r -> String.format("%.1f", r)).orElse("–"))
                .append(ja ? " トークン/秒、" : " tokens/s, ")
                .append(recent.cachedShare().map(s -> String.format("%.0f%%", 100 * s)).orElse("–"))
                .append(ja ? " のプロンプトを KV キャッシュから再利用" : " of prompt tokens from the KV cache");
        }
        if (recent.translated() > 0) {
            sb.append(ja ? " · 翻訳して回答: " + recent.translated() + " 件" : " · " + recent.translated() + " answered in the asker's language (translated)");
        }
        sb.append('\n');
        m.ifPresent(s -> sb.append(ja ? "KV キャッシュ: 会話 " + s.kvCacheConversations() + " 件、" : "KV cache: " + s.kvCacheConversations() + " conversations, ")
            .append(s.kvCacheBytes() >> 20).append(" / ").append(s.kvCacheBudgetBytes() >> 20).append(" MB\n"));
        sb.append(ja ? "メモリ: ヒープ " : "Memory: heap ").append(String.format("%.1f / %.1f GB", heapUsed / 1e9, heapMax / 1e9))
            .append(rss.map(r -> (ja ? "、プロセス " : ", process ") + String.format("%.1f GB", r / 1e9)).orElse(""));
        return sb.toString();
    }

    public String emptyInput() {
        return this == JA ? "✏️ 内容が空です。質問かテキストを入力してください。" : "✏️ That's empty: please write a question or some text.";
    }

    public String tooLong(int length, int max) {
        return this == JA ? "✂️ 長すぎます（" + length + " 文字、上限 " + max + " 文字）。短くしてください。"
            : "✂️ That's too long (" + length + " characters; the limit is " + max + "). Please shorten it.";
    }

    public String tooLongForModel() {
        return this == JA ? "✂️ メッセージがモデルの文脈長に収まりません。短くしてください。" : "✂️ That message doesn't fit in the model's context window. Please shorten it.";
    }

    public String modelFailed() {
        return this == JA ? "⚠️ モデルでエラーが発生しました。もう一度お試しください。" : "⚠️ The model failed on this one. Please try again.";
    }

    public String timedOut(long seconds) {
        return this == JA ? "⏱️ " + seconds + " 秒を超えたため停止しました。" : "⏱️ Stopped: the answer took longer than " + seconds + " s.";
    }

    public String cancelled() {
        return this == JA ? "🛑 キャンセルしました。" : "🛑 Cancelled.";
    }

    public String emptyAnswer() {
        return this == JA ? "（モデルは何も答えませんでした）" : "(The model gave no answer.)";
    }

    public String notYourRequest() {
        return this == JA ? "自分のリクエストだけキャンセルできます。" : "You can only cancel your own requests.";
    }

    public String alreadyFinished() {
        return this == JA ? "このリクエストはもう終わっています。" : "That request has already finished.";
    }

    public String notAllowedHere() {
        return this == JA ? "🚫 ここではこのボットを使えません。" : "🚫 This bot is not available here.";
    }

    public String noPermissionToChangePrompt() {
        return this == JA ? "🔒 プロンプトの変更には管理者ロールかチャンネル管理権限が必要です。"
            : "🔒 Changing the prompt needs the bot's admin role or the Manage Channels permission.";
    }

    public String promptShow(String prompt, String source) {
        return (this == JA ? "このチャンネルのシステムプロンプト（" + source + "）:\n" : "System prompt of this channel (" + source + "):\n") + quote(prompt);
    }

    public String noPermissionToChangeServerPrompt() {
        return this == JA ? "🔒 サーバーの既定プロンプトの変更には管理者ロールかサーバー管理権限が必要です。"
            : "🔒 Changing the server's default prompt needs the bot's admin role or the Manage Server permission.";
    }

    public String serverPromptSet(String prompt) {
        return (this == JA ? "✅ サーバーの既定のシステムプロンプト（独自のプロンプトがないチャンネル用）を設定しました:\n"
            : "✅ Default system prompt of this server (channels without their own) set to:\n") + quote(prompt);
    }

    public String promptSet(String prompt) {
        return (this == JA ? "✅ このチャンネルのシステムプロンプトを設定しました:\n" : "✅ System prompt of this channel set to:\n") + quote(prompt);
    }

    public String promptReset(String fallback) {
        return (this == JA ? "↩️ 元に戻しました。現在のプロンプト:\n" : "↩️ Reset. This channel now uses:\n") + quote(fallback);
    }

    /** The answer language that applies here and where it comes from (shown by {@code /prompt show} and after a change). */
    public String answerLanguage(String language, String source) {
        String what = switch (language) {
            case "auto" -> this == JA ? "質問の言語（英語で答えてから翻訳）" : "the question's (answered in English, then translated)";
            case "en" -> this == JA ? "英語（モデルのまま）" : "English (as the model writes)";
            default -> (this == JA ? java.util.Locale.forLanguageTag(language).getDisplayName(java.util.Locale.JAPANESE) + "（英語で答えてから翻訳）"
                : java.util.Locale.forLanguageTag(language).getDisplayName(java.util.Locale.ENGLISH) + " (answered in English, then translated)");
        };
        return (this == JA ? "回答の言語: " : "Answer language: ") + what + " — " + source;
    }

    public String reasoning(String reasoning, String source) {
        String what = switch (reasoning) {
            case "folded" -> this == JA ? "折りたたみ（回答のみ表示、ボタンで推論を表示）" : "folded (the answer; a button shows the reasoning)";
            case "inline" -> this == JA ? "すべて表示" : "inline (all of it, as written)";
            default -> this == JA ? "非表示（回答のみ）" : "hidden (the answer alone)";
        };
        return (this == JA ? "推論の表示: " : "Reasoning: ") + what + " — " + source;
    }

    /** While a folded answer's reasoning is written, before its "Answer:". */
    public String reasoningStatus(int words) {
        return this == JA ? "🧠 推論中… " + words + " 語" : "🧠 Reasoning… " + words + " words";
    }

    public String showReasoningButton() {
        return this == JA ? "🧠 推論を表示" : "🧠 Show reasoning";
    }

    public String showEnglishButton() {
        return this == JA ? "🇬🇧 英語の原文" : "🇬🇧 English original";
    }

    public String regenerateButton() {
        return this == JA ? "🔄 再生成" : "🔄 Regenerate";
    }

    public String continueButton() {
        return this == JA ? "▶ 続ける" : "▶ Continue";
    }

    public String notYourAnswer() {
        return this == JA ? "このボタンは質問した人（または管理者）だけが使えます。" : "Only the person who asked (or an admin) can use this button.";
    }

    public String answerButtonsExpired() {
        return this == JA ? "このボタンはもう使えません（回答を作り直し中か、その後ボットが再起動しました）。必要ならもう一度質問してください。"
            : "This button no longer works: the answer is being redone, or the bot restarted since. Please ask again if you need to.";
    }

    public String privateWhileLoading() {
        return this == JA ? "⏳ モデルを読み込み中です。非公開の回答は読み込みを待てないため、準備ができてからもう一度お試しください。"
            : "⏳ The model is still loading, and a private answer cannot wait that long. Please ask again once it is ready.";
    }

    public String reasoningGone() {
        return this == JA ? "この回答の推論はもう残っていません。" : "I no longer have the reasoning behind this answer.";
    }

    public String promptRejected(String why) {
        return (this == JA ? "❌ プロンプトを保存できません: " : "❌ Can't store that prompt: ") + why;
    }

    public String source(String source) {
        return switch (source) {
            case "CHANNEL" -> this == JA ? "このチャンネル" : "set for this channel";
            case "PARENT_CHANNEL" -> this == JA ? "親チャンネルから継承" : "inherited from the parent channel";
            case "GUILD_DEFAULT" -> this == JA ? "サーバーの既定" : "the server's default";
            default -> this == JA ? "ボットの既定" : "the bot's default";
        };
    }

    public String cannotPost() {
        return this == JA ? "⚠️ このチャンネルにメッセージを送る権限がありません。" : "⚠️ I don't have permission to post in this channel.";
    }

    /** A prompt quoted, cut to leave room in a 2000-character message for the lines around it (`/prompt show`). */
    private static String quote(String s) {
        String q = "> " + s.replace("\n", "\n> ");
        return q.length() > 1500 ? q.substring(0, 1497) + "…" : q;
    }
}
