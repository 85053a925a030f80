package dev.synthiabot.bot.commands;

import static org.assertj.core.api.Assertions.assertThat;

import dev.synthiabot.config.PromptSettings;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import net.dv8tion.jda.api.interactions.commands.build.CommandData;
import net.dv8tion.jda.api.interactions.commands.build.SlashCommandData;
import org.junit.jupiter.api.Test;

/** Whether the bot re-registers its commands: only when Discord's differ from the bot's own definitions. */
class CommandRegistrarTest {
    private static List<CommandData> definitions(Map<String, String> translations) {
        Map<String, String> sorted = new PromptSettings("System.", translations, Map.of(), 4000, "auto", "folded").translation();
        TranslateCommand translate = new TranslateCommand(null, sorted, 4000);
        return List.of(new AskCommand(null, 4000).definition(), translate.definition(), new PromptCommand(null, new PromptSettings("System.", Map.of("ja", "J."), Map.of(), 4000, "auto", "folded"), null, null).definition(),
            new StatusCommand("model", null, null, null, null).definition(), new TranslateMessageCommand(translate).definition());
    }

    /** The commands as Discord sends them back: parsed from their JSON. */
    private static List<CommandData> asDiscordHasThem(List<CommandData> commands) {
        return commands.stream().map(c -> CommandData.fromData(c.toData())).toList();
    }

    @Test
    void should_find_discords_copy_of_our_commands_the_same_in_any_command_order() {
        List<CommandData> ours = definitions(Map.of("ja", "To Japanese.", "fr", "To French."));
        List<CommandData> theirs = new java.util.ArrayList<>(asDiscordHasThem(ours));
        java.util.Collections.reverse(theirs);

        assertThat(CommandRegistrar.sameDefinitions(theirs, ours)).isTrue();
    }

    @Test
    void should_list_translation_languages_in_the_same_order_whatever_order_the_settings_gave() {
        Map<String, String> one = new LinkedHashMap<>(), other = new LinkedHashMap<>();
        one.put("ja", "To Japanese.");
        one.put("fr", "To French.");
        one.put("de", "To German.");
        other.put("de", "To German.");
        other.put("ja", "To Japanese.");
        other.put("fr", "To French.");

        assertThat(CommandRegistrar.sameDefinitions(asDiscordHasThem(definitions(one)), definitions(other))).isTrue();
    }

    @Test
    void should_see_a_changed_option_a_new_language_or_a_new_command() {
        List<CommandData> ours = definitions(Map.of("ja", "To Japanese."));
        List<CommandData> changed = new java.util.ArrayList<>(asDiscordHasThem(ours));
        ((SlashCommandData) changed.get(0)).setDescription("Ask something else");

        assertThat(CommandRegistrar.sameDefinitions(changed, ours)).as("a changed description").isFalse();
        assertThat(CommandRegistrar.sameDefinitions(asDiscordHasThem(definitions(Map.of("ja", "J.", "fr", "F."))), ours))
            .as("a language more").isFalse();
        assertThat(CommandRegistrar.sameDefinitions(asDiscordHasThem(ours.subList(0, 4)), ours)).as("a command fewer").isFalse();
    }

    @Test
    void should_see_subcommands_in_another_order_as_a_change() {
        SlashCommandData a = new TranslateCommand(null, new LinkedHashMap<>(Map.of("ja", "J.")), 4000).definition();
        Map<String, String> two = new LinkedHashMap<>();
        two.put("fr", "F.");
        two.put("ja", "J.");
        Map<String, String> swapped = new LinkedHashMap<>();
        swapped.put("ja", "J.");
        swapped.put("fr", "F.");

        assertThat(a.getSubcommands()).hasSize(1);
        assertThat(CommandRegistrar.sameDefinitions(List.of(new TranslateCommand(null, two, 4000).definition()),
            List.of(new TranslateCommand(null, swapped, 4000).definition()))).isFalse();
    }
}
