package dev.synthiabot.bot.app;

import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.ScopeType;

/** The command line of the shipped artifact (picocli): {@code run} (the default), {@code serve}, the terminal commands and {@code prepare-model}. */
@Command(name = "synthia-bot", mixinStandardHelpOptions = true, version = "synthia-bot 0.1.0",
    description = "A self-hosted Discord bot that answers with SynthIA-7B (Q4) on Jlama. Without a command it runs the bot.",
    subcommands = {Cli.Run.class, Cli.Serve.class, Cli.Ask.class, Cli.Translate.class, Cli.Chat.class, Cli.PrepareModel.class},
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

    @Command(name = "serve", mixinStandardHelpOptions = true,
        description = {"Serve the model behind the OpenAI Chat Completions API (no Discord): for a bot on another machine",
            "(model.provider: openai) or any OpenAI client. SIGTERM / Ctrl-C drains it and exits 0."})
    static final class Serve implements Callable<Integer> {
        @ParentCommand
        Cli cli;
        @Option(names = "--port", paramLabel = "PORT", description = "Port to listen on (default: server.port, 8080).")
        Integer port;

        @Override
        public Integer call() throws Exception {
            return Main.serve(Optional.ofNullable(cli.config), Optional.ofNullable(port)).code;
        }
    }

    @Command(name = "ask", mixinStandardHelpOptions = true,
        description = {"Answer one question in the terminal with the bot's model and settings (no Discord), streaming as it writes.",
            "Tokens go to standard output; the log and the speed line to standard error."})
    static final class Ask implements Callable<Integer> {
        @ParentCommand
        Cli cli;
        @Option(names = "--system", paramLabel = "PROMPT", description = "System prompt (default: prompts.default_system).")
        String system;
        @Parameters(paramLabel = "QUESTION", description = "The question.")
        String question;

        @Override
        public Integer call() {
            return Main.answerInTerminal(Optional.ofNullable(cli.config), Optional.ofNullable(system), Optional.empty(), question).code;
        }
    }

    @Command(name = "translate", mixinStandardHelpOptions = true,
        description = "Translate a text in the terminal with the bot's translation prompt for a language (no Discord).")
    static final class Translate implements Callable<Integer> {
        @ParentCommand
        Cli cli;
        @Option(names = "--to", paramLabel = "LANGUAGE", defaultValue = "ja", description = "A key of prompts.translation (default: ${DEFAULT-VALUE}).")
        String language;
        @Parameters(paramLabel = "TEXT", description = "The text to translate.")
        String text;

        @Override
        public Integer call() {
            return Main.answerInTerminal(Optional.ofNullable(cli.config), Optional.empty(), Optional.of(language), text).code;
        }
    }

    @Command(name = "chat", mixinStandardHelpOptions = true,
        description = {"Talk with the model in the terminal (no Discord): the conversation is kept, so the KV cache reuses it.",
            "/reset starts over, /system <prompt> sets the system prompt, Ctrl-C stops an answer, Ctrl-D leaves."})
    static final class Chat implements Callable<Integer> {
        @ParentCommand
        Cli cli;
        @Option(names = "--system", paramLabel = "PROMPT", description = "System prompt (default: prompts.default_system).")
        String system;

        @Override
        public Integer call() {
            return Main.chat(Optional.ofNullable(cli.config), Optional.ofNullable(system)).code;
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
