package dev.synthiabot.bot.servers;

import static org.assertj.core.api.Assertions.assertThat;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.synthiabot.config.GenerationSettings;
import dev.synthiabot.config.ProviderSettings;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The bot on model servers, against stand-in servers on 127.0.0.1 through LangChain4j's real OpenAI client. */
class ModelServersTest {
    private final FakeOpenAiServer a, b;
    private final MovableClock clock = new MovableClock();
    private final ModelServers servers;

    ModelServersTest() throws Exception {
        a = new FakeOpenAiServer();
        b = new FakeOpenAiServer();
        servers = ModelServers.connect(new ProviderSettings(ProviderSettings.Provider.OPENAI, List.of(
                new ProviderSettings.Endpoint(a.baseUrl(), "synthia-7b-v1.3", 2, Optional.empty()),
                new ProviderSettings.Endpoint(b.baseUrl(), "synthia-7b-v1.3", 2, Optional.empty()))),
            new GenerationSettings(0.75, 50, 1.0, 64, List.of()), clock);
    }

    @AfterEach
    void close() {
        a.close();
        b.close();
    }

    /** What one answer delivered: its pieces, then its response or its error. */
    private record Outcome(List<String> pieces, ChatResponse response, Throwable error) {}

    private Outcome ask(List<ChatMessage> messages) throws Exception {
        List<String> pieces = new ArrayList<>();
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        servers.chat(ChatRequest.builder().messages(messages).build(), new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                pieces.add(partial.text());
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(new Outcome(pieces, response, null));
            }

            @Override
            public void onError(Throwable error) {
                done.complete(new Outcome(pieces, null, error));
            }
        });
        return done.get(30, TimeUnit.SECONDS);
    }

    private static List<ChatMessage> conversation(String question, String... laterTurns) {
        List<ChatMessage> m = new ArrayList<>(List.of(SystemMessage.from("Be brief."), UserMessage.from(question)));
        for (int i = 0; i < laterTurns.length; i++) m.add(i % 2 == 0 ? AiMessage.from(laterTurns[i]) : UserMessage.from(laterTurns[i]));
        return m;
    }

    @Test
    void should_stream_an_answer_and_send_a_follow_up_to_the_server_of_its_conversation_with_the_same_header() throws Exception {
        Outcome first = ask(conversation("What is a KV cache?"));
        assertThat(String.join("", first.pieces())).isEqualTo("Hello from a server.");
        assertThat(first.response().aiMessage().text()).isEqualTo("Hello from a server.");
        FakeOpenAiServer served = a.chatRequests() == 1 ? a : b, other = served == a ? b : a;

        for (int i = 0; i < 3; i++) ask(conversation("Something else " + i)); // other conversations spread over both
        ask(conversation("What is a KV cache?", "Hello from a server.", "And why does it help?"));

        assertThat(served.conversationHeaders.get(0)).matches("[0-9a-f]{16}");
        assertThat(served.conversationHeaders).as("the follow-up went where the first turn went, under the same key")
            .filteredOn(h -> h.equals(served.conversationHeaders.get(0))).hasSize(2);
        assertThat(other.conversationHeaders).doesNotContain(served.conversationHeaders.get(0));
        assertThat(other.chatRequests()).as("the other conversations used the other server too").isPositive();
        assertThat(servers.status()).allSatisfy(s -> assertThat(s.up()).isTrue()).extracting(ServerStatus::answered).containsExactlyInAnyOrder(
            (long) a.chatRequests(), (long) b.chatRequests());
    }

    @Test
    void should_try_another_server_when_one_fails_before_answering_then_probe_it_back_into_use() throws Exception {
        a.mode = FakeOpenAiServer.Mode.FAIL_500;
        b.mode = FakeOpenAiServer.Mode.FAIL_500;
        Outcome none = ask(conversation("Anyone?"));
        assertThat(none.error()).isInstanceOf(ModelServers.NoModelServerException.class);
        assertThat(a.chatRequests() + b.chatRequests()).as("each tried once").isEqualTo(2);
        assertThat(servers.status()).noneMatch(ServerStatus::up);

        b.mode = FakeOpenAiServer.Mode.ANSWER;
        assertThat(ask(conversation("Still down?")).error()).as("within the backoff, nobody is asked").isInstanceOf(ModelServers.NoModelServerException.class);
        assertThat(a.chatRequests() + b.chatRequests()).isEqualTo(2);

        clock.advance(ModelServer.FIRST_BACKOFF);
        Outcome back = ask(conversation("And now?"));
        assertThat(back.response().aiMessage().text()).isEqualTo("Hello from a server.");
        assertThat(b.chatRequests()).as("b answered its probe and took the question").isEqualTo(2);
        assertThat(a.chatRequests()).as("a failed its probe: not asked").isEqualTo(1);
        assertThat(servers.status()).extracting(ServerStatus::up).containsExactly(false, true);
    }

    @Test
    void should_answer_on_the_other_server_when_the_first_choice_fails_before_its_first_word() throws Exception {
        a.mode = FakeOpenAiServer.Mode.FAIL_500;
        for (int i = 0; i < 3; i++) {
            Outcome o = ask(conversation("Question " + i));
            assertThat(o.response().aiMessage().text()).isEqualTo("Hello from a server.");
        }
        assertThat(a.chatRequests()).as("asked once, then out for its backoff").isLessThanOrEqualTo(1);
        assertThat(b.chatRequests()).isEqualTo(3);
    }

    @Test
    void should_end_an_answer_cut_mid_stream_with_what_it_had_and_not_ask_again() throws Exception {
        a.mode = FakeOpenAiServer.Mode.DIE_MID_ANSWER;
        b.mode = FakeOpenAiServer.Mode.DIE_MID_ANSWER;
        Outcome cut = ask(conversation("Tell me everything."));

        assertThat(cut.error()).isNotNull();
        assertThat(String.join("", cut.pieces())).isEqualTo("Hello from");
        assertThat(a.chatRequests() + b.chatRequests()).as("shown text is never asked for twice").isEqualTo(1);
    }

    @Test
    void should_fail_at_once_when_every_server_refuses_connections() throws Exception {
        a.close();
        b.close();
        long t0 = System.nanoTime();
        Outcome o = ask(conversation("Hello?"));

        assertThat(o.error()).isInstanceOf(ModelServers.NoModelServerException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void should_key_a_conversation_by_its_system_prompt_and_first_question() {
        String key = ModelServers.conversationKey(conversation("Q"));
        assertThat(ModelServers.conversationKey(conversation("Q", "A", "Q2"))).isEqualTo(key);
        assertThat(ModelServers.conversationKey(conversation("Other"))).isNotEqualTo(key);
        assertThat(ModelServers.conversationKey(List.of(SystemMessage.from("Other prompt."), UserMessage.from("Q")))).isNotEqualTo(key);
    }

    /** A clock that moves only when told to. */
    private static final class MovableClock extends Clock {
        private volatile Instant now = Instant.parse("2026-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
