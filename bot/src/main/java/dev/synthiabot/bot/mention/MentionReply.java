package dev.synthiabot.bot.mention;

import dev.synthiabot.bot.answer.AccessPolicy;
import dev.synthiabot.bot.answer.Answers;
import dev.synthiabot.bot.answer.ChannelPrompts;
import dev.synthiabot.bot.answer.ChatRequests;
import dev.synthiabot.bot.i18n.Texts;
import dev.synthiabot.bot.reply.AllowedMentions;
import dev.synthiabot.bot.reply.MessageReplyTarget;
import java.util.Optional;
import net.dv8tion.jda.api.Permission;
import net.dv8tion.jda.api.entities.Message;
import net.dv8tion.jda.api.entities.User;
import net.dv8tion.jda.api.entities.channel.middleman.GuildChannel;
import net.dv8tion.jda.api.events.message.MessageReceivedEvent;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mentioning the bot gets a reply; replying to one of the bot's answers continues that conversation
 * (the reply chain is the memory). Messages by bots, the bot itself included, never trigger it.
 */
public final class MentionReply {
    private static final Logger log = LoggerFactory.getLogger(MentionReply.class);
    /** The command name mentions are counted under in the metrics. */
    static final String NAME = "mention";
    private final Answers answers;
    private final ChannelPrompts prompts;
    private final AccessPolicy access;

    public MentionReply(Answers answers, ChannelPrompts prompts, AccessPolicy access) {
        this.answers = answers;
        this.prompts = prompts;
        this.access = access;
    }

    /** On JDA's event thread: checks and queues; the reply chain is fetched later, on the worker. */
    public void handle(MessageReceivedEvent event) {
        Message message = event.getMessage();
        User self = event.getJDA().getSelfUser();
        if (event.getAuthor().isBot() || event.getAuthor().isSystem() || event.isWebhookMessage() || !event.isFromGuild()) return;
        boolean mentioned = message.getMentions().isMentioned(self, Message.MentionType.USER);
        Message ref = message.getReferencedMessage();
        boolean replyToBot = ref != null && ref.getAuthor().getId().equals(self.getId());
        if (!mentioned && !replyToBot) return;
        // A message carries no user locale: the server's language (Community settings) decides, English by default.
        String locale = event.getGuild().getLocale().getLocale();
        Texts texts = Texts.forLocale(locale);
        if (!(event.getChannel() instanceof GuildChannel gc) || !event.getGuild().getSelfMember().hasPermission(gc, Permission.MESSAGE_SEND)) {
            log.info("Mentioned in {} where I cannot post: telling the author privately", event.getChannel().getId());
            event.getAuthor().openPrivateChannel()
                .flatMap(dm -> dm.sendMessage(texts.cannotPost()).setAllowedMentions(AllowedMentions.none()))
                .queue(ok -> {}, err -> log.info("Could not tell {} either: {}", event.getAuthor().getId(), err.toString()));
            return;
        }
        if (!access.allowed(event.getChannel(), event.getMember())) return;
        String text = ReplyChain.clean(message.getContentRaw(), self.getId());
        Optional<String> bad = answers.checkInput(text, texts);
        if (bad.isPresent()) {
            answers.badInput(NAME);
            message.reply(bad.get()).mentionRepliedUser(false).setAllowedMentions(AllowedMentions.none()).queue();
            return;
        }
        event.getChannel().sendTyping().queue(ok -> {}, err -> {});
        String system = prompts.systemPrompt(event.getChannel());
        var target = new MessageReplyTarget(message, texts, locale);
        answers.enqueue(NAME, event.getAuthor().getId(), target, texts,
                () -> ChatRequests.of(system, ReplyChain.of(message, self.getId(), answers::original)), answers.translationFor(event.getChannel(), text, locale), answers.reasoningFor(event.getChannel()))
            .ifPresent(refusal -> message.reply(refusal).mentionRepliedUser(false).setAllowedMentions(AllowedMentions.none()).queue());
    }
}
