package dev.synthiabot.bot;

import static com.tngtech.archunit.base.DescribedPredicate.not;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The design's arrows, on the compiled main classes of all three modules: the bot reaches the model only through
 * LangChain4j types and the adapter's root package (its entry point and the plain values it returns); the adapter
 * knows nothing of Discord or the bot; the settings module uses neither JDA nor Jlama.
 */
class ArchitectureTest {
    static JavaClasses main;

    @BeforeAll
    static void importMainClasses() {
        ImportOption mainOnly = location -> !location.contains("/test-classes/") && !location.contains("-tests.jar");
        main = new ClassFileImporter().withImportOption(mainOnly).importPackages("dev.synthiabot");
    }

    @Test
    void the_bot_uses_only_the_adapters_entry_point() {
        noClasses().that().resideInAPackage("dev.synthiabot.bot..")
            .should().dependOnClassesThat(resideInAPackage("dev.synthiabot.adapter..").and(not(resideInAPackage("dev.synthiabot.adapter"))))
            .because("the adapter's kernels, loading and generation are its own business")
            .check(main);
    }

    @Test
    void the_adapter_knows_nothing_of_discord_or_the_bot() {
        noClasses().that().resideInAPackage("dev.synthiabot.adapter..")
            .should().dependOnClassesThat(resideInAnyPackage("net.dv8tion..", "dev.synthiabot.bot..", "dev.synthiabot.config.."))
            .check(main);
    }

    @Test
    void the_settings_use_neither_jda_nor_jlama() {
        noClasses().that().resideInAPackage("dev.synthiabot.config..")
            .should().dependOnClassesThat(resideInAnyPackage("net.dv8tion..", "com.github.tjake..", "dev.synthiabot.adapter..", "dev.synthiabot.bot.."))
            .check(main);
    }

    // The bot's own parts (README "Changing the bot"): app composes; commands and mentions take requests; answer runs
    // them through the queue and the model into replies; queue, reply and recovery are the machinery under it.

    @Test
    void nothing_depends_on_the_composition_root() {
        noClasses().that().resideInAPackage("dev.synthiabot.bot..").and().resideOutsideOfPackage("dev.synthiabot.bot.app..")
            .should().dependOnClassesThat().resideInAPackage("dev.synthiabot.bot.app..")
            .because("app wires the parts together; the parts don't know how they are wired")
            .check(main);
    }

    @Test
    void the_queue_is_plain_java() {
        noClasses().that().resideInAPackage("dev.synthiabot.bot.queue..")
            .should().dependOnClassesThat(resideInAnyPackage("net.dv8tion..", "dev.langchain4j..", "dev.synthiabot.adapter..",
                "dev.synthiabot.bot.answer..", "dev.synthiabot.bot.commands..", "dev.synthiabot.bot.reply..", "dev.synthiabot.bot.mention.."))
            .because("the queue's order and fairness are tested as values, without Discord or a model")
            .check(main);
    }

    @Test
    void replies_know_nothing_of_the_model_or_the_queue() {
        noClasses().that().resideInAPackage("dev.synthiabot.bot.reply..")
            .should().dependOnClassesThat(resideInAnyPackage("dev.langchain4j..", "dev.synthiabot.adapter..", "dev.synthiabot.bot.queue..",
                "dev.synthiabot.bot.answer..", "dev.synthiabot.bot.commands..", "dev.synthiabot.bot.mention.."))
            .because("a reply shows text on Discord, whatever produced it")
            .check(main);
    }

    @Test
    void commands_and_mentions_reach_the_model_only_through_the_answer_pipeline() {
        noClasses().that().resideInAnyPackage("dev.synthiabot.bot.commands..", "dev.synthiabot.bot.mention..")
            .should().dependOnClassesThat(resideInAnyPackage("dev.langchain4j.model..", "dev.synthiabot.bot.recovery..")
                .or(resideInAPackage("dev.synthiabot.bot.queue..").and(not(com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleName("InferenceQueue")))))
            .because("a command asks Answers; only the Cancel button and /status talk to the queue, through its public face")
            .check(main);
    }

    @Test
    void the_answer_pipeline_does_not_know_its_callers() {
        noClasses().that().resideInAPackage("dev.synthiabot.bot.answer..")
            .should().dependOnClassesThat(resideInAnyPackage("dev.synthiabot.bot.commands..", "dev.synthiabot.bot.mention..",
                "dev.synthiabot.bot.terminal.."))
            .check(main);
    }

    @Test
    void the_terminal_needs_no_discord() {
        noClasses().that().resideInAPackage("dev.synthiabot.bot.terminal..")
            .should().dependOnClassesThat(resideInAnyPackage("net.dv8tion..", "dev.synthiabot.bot.reply..", "dev.synthiabot.bot.queue.."))
            .check(main);
    }

    @Test
    void the_openai_server_needs_neither_discord_nor_the_kernels() {
        noClasses().that().resideInAPackage("dev.synthiabot.server..")
            .should().dependOnClassesThat(resideInAnyPackage("net.dv8tion..", "dev.synthiabot.bot..", "dev.synthiabot.config..", "com.github.tjake..")
                .or(resideInAPackage("dev.synthiabot.adapter..").and(not(resideInAPackage("dev.synthiabot.adapter")))))
            .because("it serves any LangChain4j StreamingChatModel; of the adapter it reads only the entry point's plain values")
            .check(main);
    }

    @Test
    void the_import_sees_all_three_modules() {
        org.assertj.core.api.Assertions.assertThat(main.containPackage("dev.synthiabot.bot.app")).isTrue();
        org.assertj.core.api.Assertions.assertThat(main.containPackage("dev.synthiabot.adapter.kernels")).isTrue();
        org.assertj.core.api.Assertions.assertThat(main.containPackage("dev.synthiabot.config")).isTrue();
        org.assertj.core.api.Assertions.assertThat(main.containPackage("dev.synthiabot.server")).isTrue();
    }
}
