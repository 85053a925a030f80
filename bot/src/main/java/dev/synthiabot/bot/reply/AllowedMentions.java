package dev.synthiabot.bot.reply;

import java.util.EnumSet;
import net.dv8tion.jda.api.entities.Message;

/** Nothing the bot sends may ping anyone, whatever the model wrote ({@code @everyone}, roles, users). */
public final class AllowedMentions {
    private AllowedMentions() {}

    public static EnumSet<Message.MentionType> none() {
        return EnumSet.noneOf(Message.MentionType.class);
    }
}
