package dev.synthiabot.bot;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.synthiabot.bot.answer.Answers;
import dev.synthiabot.bot.commands.SlashCommand;
import dev.synthiabot.bot.sim.DiscordSimulator;
import dev.synthiabot.bot.sim.RecordedRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import net.dv8tion.jda.api.interactions.DiscordLocale;
import net.dv8tion.jda.api.interactions.commands.OptionMapping;
import net.dv8tion.jda.api.interactions.commands.OptionType;
import net.dv8tion.jda.api.events.interaction.command.SlashCommandInteractionEvent;
import net.dv8tion.jda.api.interactions.commands.build.Commands;
import net.dv8tion.jda.api.interactions.commands.build.SlashCommandData;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What docs/development.md promises a newcomer: a new slash command is one class, added with one line. The class
 * below is the guide's {@code /summarize}; the bot registers it, routes it, and answers it through the same queue,
 * model and streaming reply as {@code /ask}.
 */
class NewCommandIT {
    /** The newcomer's class: definition (with Japanese), handler, and its own system prompt. */
    static final class SummarizeCommand implements SlashCommand {
        static final String PROMPT = "Summarize the USER input in three sentences.";
        private final Answers answers;

        SummarizeCommand(Answers answers) {
            this.answers = answers;
        }

        @Override
        public SlashCommandData definition() {
            return Commands.slash("summarize", "Summarize a text")
                .setNameLocalization(DiscordLocale.JAPANESE, "要約")
                .addOption(OptionType.STRING, "text", "The text to summarize", true);
        }

        @Override
        public void handle(SlashCommandInteractionEvent event) {
            String text = Optional.ofNullable(event.getOption("text")).map(OptionMapping::getAsString).orElse("");
            answers.answerCommand("summarize", event, event.getChannel(), text, false, () -> PROMPT);
        }
    }

    @TempDir
    Path dir;

    @Test
    void should_register_route_and_answer_a_command_added_as_one_class() throws Exception {
        RecordingModel model = new RecordingModel(new ScriptedModel("A short summary.", 50, 5));
        // The one line: in BotApp it is an entry of the list of commands; here the same list, extended by the test.
        try (BotHarness h = BotHarness.start(dir, model, null, Map.of(), answers -> List.of(new SummarizeCommand(answers)))) {
            DiscordSimulator d = h.discord;
            RecordedRequest registered = d.await(r -> r.is("PUT", "applications/\\d+/guilds/\\d+/commands"), Duration.ofSeconds(30));
            assertThat(registered.body().findValuesAsText("name")).contains("ask", "translate", "prompt", "status", "summarize");

            String id = d.slash(d.alice, d.general, "summarize", DiscordSimulator.options("text", "A long text about many things."), "en-US");

            assertThat(d.ackNanos(id)).isLessThan(Duration.ofSeconds(3).toNanos());
            d.await(r -> r.is("PATCH", "webhooks/\\d+/tok-" + id + "/messages/@original") && "A short summary.".equals(r.content())
                && !DiscordSimulator.hasCancelButton(r.body()), Duration.ofSeconds(30));
            assertThat(model.requests).hasSize(1);
            assertThat(model.requests.get(0).messages()).containsExactly(SystemMessage.from(SummarizeCommand.PROMPT),
                UserMessage.from("A long text about many things."));
        }
    }
}
