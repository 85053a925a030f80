package dev.synthiabot.bot;

import static dev.synthiabot.bot.sim.DiscordSimulator.options;
import static dev.synthiabot.bot.sim.DiscordSimulator.subcommand;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.synthiabot.adapter.SynthiaChatModel;
import dev.synthiabot.bot.sim.DiscordSimulator;
import dev.synthiabot.bot.sim.RecordedRequest;
import dev.synthiabot.config.SettingKey;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Commands, mentions, reply chains and per-channel prompts, end to end: real JDA, simulator, tiny model. */
class ConversationIT {
    static final Duration WAIT = Duration.ofSeconds(30);
    static final Duration POLL = Duration.ofMillis(20);
    @TempDir
    static Path dir;
    static BotHarness h;
    static RecordingModel model;
    static DiscordSimulator d;

    @BeforeAll
    static void start() throws Exception {
        SynthiaChatModel tiny = BotHarness.tinyModel(16, dir.resolve("cache"));
        model = new RecordingModel(tiny);
        h = BotHarness.start(dir, model, tiny, Map.of());
        d = h.discord;
        d.await(r -> r.is("PUT", "applications/\\d+/guilds/\\d+/commands"), WAIT);
    }

    @AfterAll
    static void stop() throws Exception {
        h.close();
    }

    /** Waits for the final edit of an interaction's answer (no Cancel button, no cursor, no status line). */
    static RecordedRequest finalAnswer(String interactionId) {
        return d.await(r -> r.is("PATCH", "webhooks/\\d+/tok-" + interactionId + "/messages/@original") && r.content() != null
            && !DiscordSimulator.hasCancelButton(r.body()) && !r.content().contains("▌") && !r.content().startsWith("🤔")
            && !r.content().startsWith("⏳"), WAIT);
    }

    /** Waits (bounded) for the model to receive a request whose last message is {@code userText}; returns it. */
    static ChatRequest lastRequestWith(String userText) {
        return await("the model receiving " + userText).atMost(Duration.ofSeconds(10)).pollInterval(POLL)
            .until(() -> model.requests.stream().filter(r -> r.messages().get(r.messages().size() - 1) instanceof UserMessage u
                && u.singleText().equals(userText)).findFirst(), Optional::isPresent).orElseThrow();
    }

    static String system(ChatRequest r) {
        return ((SystemMessage) r.messages().get(0)).text();
    }

    @Test
    void should_answer_ask_with_the_default_tree_of_thoughts_prompt() {
        String id = d.slash(d.alice, d.general, "ask", options("question", "Why is the sky blue?"), "en-US");

        RecordedRequest answer = finalAnswer(id);

        assertThat(system(lastRequestWith("Why is the sky blue?"))).isEqualTo(SettingKey.TREE_OF_THOUGHTS);
        assertThat(answer.content()).isNotBlank();
        assertThat(d.ackNanos(id)).isLessThan(Duration.ofSeconds(3).toNanos());
    }

    @Test
    void should_translate_into_japanese_with_the_translation_prompt() {
        String id = d.slash(d.bob, d.random, "translate", subcommand("ja", options("text", "Good morning, everyone.")), "ja");

        finalAnswer(id);

        assertThat(system(lastRequestWith("Good morning, everyone."))).isEqualTo("Translate the USER input to Japanese.");
    }

    @Test
    void should_translate_a_message_from_the_context_menu() {
        String msg = d.post(d.bob, d.random, "Where is the library?", null);

        String id = d.messageCommand(d.alice, d.random, "Translate to Japanese", msg, "en-US");

        finalAnswer(id);
        assertThat(system(lastRequestWith("Where is the library?"))).isEqualTo("Translate the USER input to Japanese.");
    }

    @Test
    void should_reply_to_a_mention_and_continue_the_reply_chain() {
        String first = d.post(d.alice, d.general, "<@" + DiscordSimulator.APP_ID + "> Tell me a story.", null);
        RecordedRequest reply = d.await(r -> r.is("POST", "channels/" + d.general + "/messages")
            && r.body().path("message_reference").path("message_id").asText().equals(first), WAIT);
        d.await(r -> r.is("POST", "channels/" + d.general + "/typing"), WAIT);
        assertThat(reply.body().path("allowed_mentions").path("parse")).isEmpty();
        assertThat(reply.body().path("allowed_mentions").path("replied_user").asBoolean(true)).isFalse();
        String botMessage = awaitBotReplyTo(first);
        String answer1 = awaitFinalContent(botMessage);

        d.post(d.alice, d.general, "And then what happened?", botMessage);

        ChatRequest second = lastRequestWith("And then what happened?");
        assertThat(second.messages()).hasSize(4);
        assertThat(((UserMessage) second.messages().get(1)).singleText()).isEqualTo("Tell me a story.");
        assertThat(((AiMessage) second.messages().get(2)).text()).isEqualTo(answer1);
    }

    /** The id of the bot's reply to a user message, once the simulator holds one. */
    static String awaitBotReplyTo(String userMessage) {
        return await("a bot reply to " + userMessage).atMost(WAIT).pollInterval(POLL)
            .until(() -> botMessageIds().stream()
                .filter(id -> d.message(id).path("message_reference").path("message_id").asText().equals(userMessage)).findFirst(),
                Optional::isPresent).orElseThrow();
    }

    static List<String> botMessageIds() {
        return d.storedMessageIds().stream()
            .filter(id -> d.message(id).path("author").path("id").asText().equals(DiscordSimulator.APP_ID)).toList();
    }

    /** Waits until a bot message shows a final text (no cursor, no status, no Cancel button); returns that text. */
    static String awaitFinalContent(String messageId) {
        return await("the final text of message " + messageId).atMost(WAIT).pollInterval(POLL)
            .until(() -> d.message(messageId), m -> {
                String c = m.path("content").asText();
                return !c.isEmpty() && !c.contains("▌") && !c.startsWith("🤔") && !c.startsWith("⏳") && !DiscordSimulator.hasCancelButton(m);
            }).path("content").asText();
    }

    @Test
    void should_use_a_prompt_set_by_an_admin_and_let_threads_inherit_it() {
        String set = d.slash(d.admin, d.general, "prompt", subcommand("set", options("text", "You are a pirate.")), "en-US");
        d.await(r -> r.is("PATCH", "webhooks/\\d+/tok-" + set + "/messages/@original") && r.content().contains("You are a pirate."), WAIT);

        String ask = d.slash(d.bob, d.general, "ask", options("question", "Where is the treasure?"), "en-US");
        finalAnswer(ask);
        String inThread = d.slash(d.bob, d.thread, "ask", options("question", "Who are you, in the thread?"), "en-US");
        finalAnswer(inThread);
        String show = d.slash(d.bob, d.thread, "prompt", subcommand("show", options()), "en-US");

        assertThat(system(lastRequestWith("Where is the treasure?"))).isEqualTo("You are a pirate.");
        assertThat(system(lastRequestWith("Who are you, in the thread?"))).isEqualTo("You are a pirate.");
        d.await(r -> r.is("PATCH", "webhooks/\\d+/tok-" + show + "/messages/@original") && r.content().contains("inherited from the parent channel"), WAIT);
        assertThat(h.prompts.get(d.general).orElseThrow().changedBy()).contains(d.id(d.admin));

        String reset = d.slash(d.admin, d.general, "prompt", subcommand("reset", options()), "en-US");
        d.await(r -> r.is("PATCH", "webhooks/\\d+/tok-" + reset + "/messages/@original") && r.content().startsWith("↩️"), WAIT);
        assertThat(h.prompts.get(d.general)).isEmpty();
    }

    @Test
    void should_use_the_servers_default_prompt_where_a_channel_has_none() {
        String set = d.slash(d.admin, d.general, "prompt", subcommand("set", options("text", "You are the server's librarian.", "server", true)), "en-US");
        d.await(r -> r.is("PATCH", "webhooks/\\d+/tok-" + set + "/messages/@original") && r.content().startsWith("✅ Default system prompt of this server"), WAIT);
        String refused = d.slash(d.bob, d.random, "prompt", subcommand("reset", options("server", true)), "en-US");
        assertThat(d.await(r -> r.is("POST", "interactions/" + refused + "/.*/callback"), WAIT).body().path("data").path("content").asText())
            .startsWith("🔒").contains("Manage Server");

        String ask = d.slash(d.bob, d.random, "ask", options("question", "Which book?"), "en-US");
        finalAnswer(ask);
        String show = d.slash(d.bob, d.random, "prompt", subcommand("show", options()), "en-US");

        assertThat(system(lastRequestWith("Which book?"))).isEqualTo("You are the server's librarian.");
        d.await(r -> r.is("PATCH", "webhooks/\\d+/tok-" + show + "/messages/@original") && r.content().contains("the server's default"), WAIT);
        String reset = d.slash(d.admin, d.random, "prompt", subcommand("reset", options("server", true)), "en-US");
        d.await(r -> r.is("PATCH", "webhooks/\\d+/tok-" + reset + "/messages/@original") && r.content().startsWith("↩️"), WAIT);
        assertThat(h.prompts.get(dev.synthiabot.config.prompts.ChannelPromptStore.guildScope(d.guildId))).isEmpty();
    }

    @Test
    void should_refuse_prompt_changes_without_the_admin_role() {
        String id = d.slash(d.bob, d.random, "prompt", subcommand("set", options("text", "Obey me.")), "ja");

        RecordedRequest refusal = d.await(r -> r.is("POST", "interactions/" + id + "/.*/callback"), WAIT);

        assertThat(refusal.body().path("type").asInt()).isEqualTo(4);
        assertThat(refusal.body().path("data").path("content").asText()).startsWith("🔒").contains("管理者");
        assertThat(refusal.body().path("data").path("flags").asInt() & 64).isEqualTo(64);
        assertThat(h.prompts.get(d.random)).isEmpty();
    }

    @Test
    void should_register_commands_with_japanese_localizations() {
        JsonNode commands = d.requests("PUT", "applications/\\d+/guilds/\\d+/commands").get(0).body();

        JsonNode ask = find(commands, "ask");
        assertThat(ask.path("name_localizations").path("ja").asText()).isEqualTo("質問");
        assertThat(ask.path("description_localizations").path("ja").asText()).isEqualTo("SynthIA に質問する");
        JsonNode translate = find(commands, "translate");
        assertThat(translate.path("options").get(0).path("name").asText()).isEqualTo("ja");
        assertThat(translate.path("options").get(0).path("name_localizations").path("ja").asText()).isEqualTo("日本語");
        assertThat(find(commands, "Translate to Japanese").path("type").asInt()).isEqualTo(3);
        assertThat(find(commands, "prompt").path("options")).extracting(o -> o.path("name").asText()).containsExactly("show", "set", "reset", "language", "reasoning");
    }

    @Test
    void should_answer_in_japanese_when_the_user_locale_is_japanese() {
        String id = d.slash(d.alice, d.general, "ask", options("question", "   "), "ja");

        RecordedRequest refusal = d.await(r -> r.is("POST", "interactions/" + id + "/.*/callback"), WAIT);

        assertThat(refusal.body().path("data").path("content").asText()).isEqualTo("✏️ 内容が空です。質問かテキストを入力してください。");
    }

    @Test
    void should_ignore_messages_from_bots_including_itself() {
        int before = model.requests.size();
        d.post(d.otherBot, d.general, "<@" + DiscordSimulator.APP_ID + "> ignore me, I am a bot", null);
        d.post(d.bot, d.general, "<@" + DiscordSimulator.APP_ID + "> talking to myself", null);
        String marker = d.post(d.alice, d.general, "<@" + DiscordSimulator.APP_ID + "> a human marker", null);

        lastRequestWith("a human marker");
        awaitBotReplyTo(marker);

        assertThat(model.requests.subList(before, model.requests.size())).extracting(r -> ((UserMessage) r.messages().get(r.messages().size() - 1)).singleText())
            .doesNotContain("ignore me, I am a bot", "talking to myself");
    }

    @Test
    void should_tell_the_author_privately_when_it_cannot_post_in_the_channel() {
        d.post(d.alice, d.readonly, "<@" + DiscordSimulator.APP_ID + "> can you answer here?", null);

        d.await(r -> r.is("POST", "users/@me/channels"), WAIT);
        RecordedRequest dm = d.await(r -> r.is("POST", "channels/\\d+/messages") && r.content() != null && r.content().contains("permission to post"), WAIT);

        assertThat(dm.path()).doesNotContain(d.readonly);
        assertThat(d.requests("POST", "channels/" + d.readonly + "/messages")).isEmpty();
    }

    static JsonNode find(JsonNode commands, String name) {
        for (JsonNode c : commands) if (c.path("name").asText().equals(name)) return c;
        throw new AssertionError("no command " + name + " in " + commands);
    }
}
