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

    @Test
    void the_import_sees_all_three_modules() {
        org.assertj.core.api.Assertions.assertThat(main.containPackage("dev.synthiabot.bot")).isTrue();
        org.assertj.core.api.Assertions.assertThat(main.containPackage("dev.synthiabot.adapter.kernels")).isTrue();
        org.assertj.core.api.Assertions.assertThat(main.containPackage("dev.synthiabot.config")).isTrue();
    }
}
