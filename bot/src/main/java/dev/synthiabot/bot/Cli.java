package dev.synthiabot.bot;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

/** The command line of the shipped artifact (picocli): {@code run} (the default) and {@code prepare-model}. */
@Command(name = "synthia-bot", mixinStandardHelpOptions = true, version = "synthia-bot 0.1.0",
    description = "A self-hosted Discord bot that answers with SynthIA-7B (Q4) on Jlama. Without a command it runs the bot.",
    subcommands = {Cli.Run.class, Cli.PrepareModel.class},
    footer = {"", "Exit codes (README.md): 0 stopped, 1 unexpected error, 2 bad settings, 3 model not preparable,",
        "4 invalid Discord token, 5 Discord unreachable, 6 Message Content intent off, 7 Java < 21 or no Vector API."})
final class Cli implements Callable<Integer> {
    @Option(names = "--config", paramLabel = "FILE", scope = ScopeType.INHERIT,
        description = "Settings file (default: $SYNTHIA_CONFIG, else ./synthia-bot.yaml; optional).")
    Path config;

    @Override
    public Integer call() throws Exception {
        return Main.runBot(Optional.ofNullable(config)).code;
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Run the bot (needs DISCORD_TOKEN).")
    static final class Run implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Override
        public Integer call() throws Exception {
            return cli.call();
        }
    }

    @Command(name = "prepare-model", mixinStandardHelpOptions = true,
        description = {"Download, convert and quantize the model into model.cache_dir, then exit; no Discord token needed.",
            "Pre-builds the cache for a Docker image or a first start; later starts use it offline."})
    static final class PrepareModel implements Callable<Integer> {
        @ParentCommand
        Cli cli;

        @Override
        public Integer call() {
            return Main.prepareModel(Optional.ofNullable(cli.config)).code;
        }
    }
}
