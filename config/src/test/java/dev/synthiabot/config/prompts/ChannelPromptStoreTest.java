package dev.synthiabot.config.prompts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.synthiabot.config.prompts.ResolvedPrompt.Source;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChannelPromptStoreTest {
    static final String GLOBAL = "Global default.";
    static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-27T10:00:00Z"), ZoneOffset.UTC);

    @TempDir
    Path dir;

    private ChannelPromptStore open() {
        return new ChannelPromptStore(dir.resolve("data/prompts.db"), GLOBAL, 4000, CLOCK);
    }

    @Test
    void should_set_get_reset_and_list_with_who_and_when() {
        try (ChannelPromptStore store = open()) {
            store.set("100", "  You are a pirate.  ", "alice");
            store.set("200", "Be brief.", "bob");

            assertThat(store.get("100")).contains(new ChannelPrompt("100", "You are a pirate.", "alice", CLOCK.instant()));
            assertThat(store.list()).extracting(ChannelPrompt::scope).containsExactly("100", "200");
            assertThat(store.reset("100", "alice")).isTrue();
            assertThat(store.reset("100", "alice")).isFalse();
            assertThat(store.get("100")).isEmpty();
        }
    }

    @Test
    void should_resolve_channel_then_parent_then_guild_then_global() {
        try (ChannelPromptStore store = open()) {
            Optional<String> guild = Optional.of("9");
            assertThat(store.resolve("t1", Optional.of("c1"), guild)).isEqualTo(new ResolvedPrompt(GLOBAL, Source.GLOBAL_DEFAULT));

            store.set(ChannelPromptStore.guildScope("9"), "Guild prompt.", "admin");
            assertThat(store.resolve("t1", Optional.of("c1"), guild)).isEqualTo(new ResolvedPrompt("Guild prompt.", Source.GUILD_DEFAULT));

            store.set("c1", "Channel prompt.", "admin");
            assertThat(store.resolve("t1", Optional.of("c1"), guild)).isEqualTo(new ResolvedPrompt("Channel prompt.", Source.PARENT_CHANNEL));
            assertThat(store.resolve("c1", Optional.empty(), guild)).isEqualTo(new ResolvedPrompt("Channel prompt.", Source.CHANNEL));

            store.set("t1", "Thread prompt.", "admin");
            assertThat(store.resolve("t1", Optional.of("c1"), guild)).isEqualTo(new ResolvedPrompt("Thread prompt.", Source.CHANNEL));
        }
    }

    @Test
    void should_reject_empty_and_too_long_prompts_clearly() {
        try (ChannelPromptStore store = open()) {
            assertThatThrownBy(() -> store.set("1", "   ", "a")).isInstanceOf(PromptRejectedException.class).hasMessage("The prompt is empty.");
            assertThatThrownBy(() -> store.set("1", "x".repeat(4001), "a"))
                .isInstanceOf(PromptRejectedException.class).hasMessage("The prompt is 4001 characters; the limit is 4000.");
            assertThat(store.get("1")).isEmpty();
        }
    }

    @Test
    void should_keep_prompts_across_reopening_and_seed_only_where_none_is_set() {
        try (ChannelPromptStore store = open()) {
            store.set("1", "Set from Discord.", "admin");
        }
        try (ChannelPromptStore store = open()) {
            assertThat(store.seed("1", "From the settings file.")).isFalse();
            assertThat(store.seed("2", "From the settings file.")).isTrue();

            assertThat(store.get("1").orElseThrow().prompt()).isEqualTo("Set from Discord.");
            assertThat(store.get("2").orElseThrow().changedBy()).isEqualTo("settings file");
        }
    }

    @Test
    void should_migrate_a_version_1_database_keeping_its_prompts() throws Exception {
        Path file = dir.resolve("old.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE channel_prompt (scope TEXT PRIMARY KEY, prompt TEXT NOT NULL, changed_by TEXT NOT NULL, changed_at INTEGER NOT NULL)");
            s.execute("INSERT INTO channel_prompt VALUES ('5', 'Old prompt.', 'someone', 0)");
            s.execute("PRAGMA user_version=1");
        }

        try (ChannelPromptStore store = new ChannelPromptStore(file, GLOBAL, 4000, CLOCK)) {
            assertThat(store.schemaVersion()).isEqualTo(6);
            assertThat(store.get("5").orElseThrow().prompt()).isEqualTo("Old prompt.");
            store.set("5", "New prompt.", "admin"); // writes to the table version 2 added
        }
    }

    @Test
    void should_keep_the_replies_in_flight_of_a_database_that_made_its_table_before_it_was_numbered() throws Exception {
        Path file = dir.resolve("v2.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE channel_prompt (scope TEXT PRIMARY KEY, prompt TEXT NOT NULL, changed_by TEXT NOT NULL, changed_at INTEGER NOT NULL)");
            s.execute("CREATE TABLE prompt_history (id INTEGER PRIMARY KEY AUTOINCREMENT, scope TEXT NOT NULL, prompt TEXT, changed_by TEXT NOT NULL, changed_at INTEGER NOT NULL)");
            s.execute("PRAGMA user_version=2");
            s.execute("CREATE TABLE IF NOT EXISTS pending_reply (key TEXT PRIMARY KEY, interaction_token TEXT, created_at INTEGER NOT NULL, "
                + "channel_id TEXT NOT NULL, trigger_message_id TEXT, message_ids TEXT NOT NULL, ephemeral INTEGER NOT NULL, "
                + "locale TEXT NOT NULL, writing INTEGER NOT NULL)");
            s.execute("INSERT INTO pending_reply VALUES ('t1', NULL, 0, '5', NULL, '', 0, 'en-US', 0)");
        }

        try (ChannelPromptStore store = new ChannelPromptStore(file, GLOBAL, 4000, CLOCK)) {
            assertThat(store.schemaVersion()).isEqualTo(6);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement();
             java.sql.ResultSet rs = s.executeQuery("SELECT key FROM pending_reply")) {
            assertThat(rs.next()).isTrue();
            assertThat(rs.getString(1)).isEqualTo("t1");
        }
    }

    /**
     * Several connections to one file, as the bot has (the prompt store, the replies in flight): opened at once (each
     * migrating the new file) and writing at once, so SQLite itself arbitrates, not this class's lock.
     */
    @Test
    void should_not_corrupt_under_concurrent_connections_writing() throws Exception {
        int connections = 4, threadsEach = 2, writes = 25;
        ExecutorService pool = Executors.newFixedThreadPool(connections * threadsEach);
        List<ChannelPromptStore> stores = new ArrayList<>();
        try {
            List<Future<ChannelPromptStore>> opening = new ArrayList<>();
            for (int c = 0; c < connections; c++) opening.add(pool.submit(this::open));
            for (Future<ChannelPromptStore> f : opening) stores.add(f.get(60, TimeUnit.SECONDS));
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < connections * threadsEach; t++) {
                int thread = t;
                ChannelPromptStore store = stores.get(t % connections);
                futures.add(pool.submit(() -> {
                    for (int i = 0; i < writes; i++) {
                        store.set("ch" + thread + "-" + i, "prompt " + thread + "/" + i, "user" + thread);
                        store.set("shared", "shared by " + thread + "/" + i, "user" + thread);
                        store.resolve("ch" + thread + "-" + i, Optional.of("shared"), Optional.empty());
                    }
                }));
            }
            for (Future<?> f : futures) f.get(120, TimeUnit.SECONDS);
        } finally {
            stores.forEach(ChannelPromptStore::close);
            pool.shutdownNow();
        }
        try (ChannelPromptStore reopened = open()) {
            assertThat(reopened.schemaVersion()).isEqualTo(6);
            assertThat(reopened.list()).hasSize(connections * threadsEach * writes + 1);
            assertThat(reopened.get("ch7-24").orElseThrow().prompt()).isEqualTo("prompt 7/24");
            assertThat(reopened.get("shared").orElseThrow().prompt()).startsWith("shared by ");
        }
    }

    @Test
    void should_resolve_channel_settings_from_channel_parent_server_then_settings_and_keep_them_across_restarts() {
        ChannelSetting lang = ChannelSetting.ANSWER_LANGUAGE;
        try (ChannelPromptStore store = open()) {
            assertThat(store.resolve(lang, "10", Optional.of("20"), Optional.of("30"), "auto"))
                .isEqualTo(new ResolvedSetting("auto", Source.GLOBAL_DEFAULT));
            store.setSetting(lang, ChannelPromptStore.guildScope("30"), Optional.of("ja"), "admin");
            assertThat(store.resolve(lang, "10", Optional.of("20"), Optional.of("30"), "auto"))
                .isEqualTo(new ResolvedSetting("ja", Source.GUILD_DEFAULT));
            store.setSetting(lang, "20", Optional.of("en"), "admin");
            assertThat(store.resolve(lang, "10", Optional.of("20"), Optional.of("30"), "auto").source()).isEqualTo(Source.PARENT_CHANNEL);
            store.setSetting(lang, "10", Optional.of("auto"), "admin");
            store.setSetting(ChannelSetting.REASONING, "10", Optional.of("hidden"), "admin");
        }
        try (ChannelPromptStore store = open()) {
            assertThat(store.resolve(lang, "10", Optional.of("20"), Optional.of("30"), "en"))
                .isEqualTo(new ResolvedSetting("auto", Source.CHANNEL));
            assertThat(store.resolve(ChannelSetting.REASONING, "10", Optional.empty(), Optional.empty(), "folded"))
                .as("each setting its own value in the same scope").isEqualTo(new ResolvedSetting("hidden", Source.CHANNEL));
            store.setSetting(lang, "10", Optional.empty(), "admin");
            assertThat(store.resolve(lang, "10", Optional.of("20"), Optional.of("30"), "auto"))
                .isEqualTo(new ResolvedSetting("en", Source.PARENT_CHANNEL));
            assertThat(store.setting(ChannelSetting.REASONING, "10")).as("removing one setting leaves the other").contains("hidden");
        }
    }

    @Test
    void should_carry_answer_languages_stored_before_channel_settings_into_them() throws Exception {
        Path file = dir.resolve("data/prompts.db");
        try (ChannelPromptStore store = open()) {
            assertThat(store.schemaVersion()).isEqualTo(6);
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + file); Statement s = c.createStatement()) {
            // back to version 5 as a bot of that version left it, with a channel's language set
            s.execute("DROP TABLE channel_setting");
            s.execute("CREATE TABLE channel_language (scope TEXT PRIMARY KEY, language TEXT NOT NULL, changed_by TEXT NOT NULL, changed_at INTEGER NOT NULL)");
            s.execute("INSERT INTO channel_language VALUES ('10', 'ja', 'admin', 1)");
            s.execute("PRAGMA user_version=5");
        }
        try (ChannelPromptStore store = open()) {
            assertThat(store.schemaVersion()).isEqualTo(6);
            assertThat(store.setting(ChannelSetting.ANSWER_LANGUAGE, "10")).contains("ja");
        }
    }
}
