package dev.synthiabot.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.synthiabot.server.ScriptedModel.Script;
import java.net.http.HttpResponse;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The wire format of streamed answers, the parameters only raw clients send, and the other endpoints. */
class EndpointsTest {
    private final ScriptedModel model = new ScriptedModel(Script.answer("Hel", "lo"));
    private Harness h = new Harness(model);

    @AfterEach
    void stop() {
        h.close();
    }

    @Test
    void streamsChunksThenFinishThenUsageThenDone() {
        HttpResponse<String> r = h.post(Harness.chat("Hi", "\"stream\":true,\"stream_options\":{\"include_usage\":true}"));

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/event-stream"));
        List<String> events = Harness.events(r.body());
        assertThat(events).hasSize(6);
        List<JsonNode> chunks = events.subList(0, 5).stream().map(Harness::json).toList();
        String id = chunks.get(0).get("id").asText();
        assertThat(id).startsWith("chatcmpl-");
        for (JsonNode c : chunks) {
            assertThat(c.get("object").asText()).isEqualTo("chat.completion.chunk");
            assertThat(c.get("id").asText()).isEqualTo(id);
            assertThat(c.get("model").asText()).isEqualTo(Harness.MODEL_ID);
        }
        JsonNode first = chunks.get(0).get("choices").get(0);
        assertThat(first.get("delta").get("role").asText()).isEqualTo("assistant");
        assertThat(first.get("finish_reason").isNull()).isTrue();
        assertThat(chunks.get(1).get("choices").get(0).get("delta").get("content").asText()).isEqualTo("Hel");
        assertThat(chunks.get(2).get("choices").get(0).get("delta").get("content").asText()).isEqualTo("lo");
        assertThat(chunks.get(1).get("usage").isNull()).isTrue();
        JsonNode finish = chunks.get(3).get("choices").get(0);
        assertThat(finish.get("finish_reason").asText()).isEqualTo("stop");
        assertThat(finish.get("delta").isEmpty()).isTrue();
        JsonNode usageChunk = chunks.get(4);
        assertThat(usageChunk.get("choices").isEmpty()).isTrue();
        assertThat(usageChunk.get("usage").get("prompt_tokens").asInt()).isEqualTo(ScriptedModel.PROMPT_TOKENS);
        assertThat(usageChunk.get("usage").get("completion_tokens").asInt()).isEqualTo(2);
        assertThat(usageChunk.get("usage").get("total_tokens").asInt()).isEqualTo(ScriptedModel.PROMPT_TOKENS + 2);
        assertThat(usageChunk.get("usage").get("prompt_tokens_details").get("cached_tokens").asInt()).isEqualTo(ScriptedModel.CACHED_TOKENS);
        assertThat(events.get(5)).isEqualTo("[DONE]");
    }

    @Test
    void streamsWithoutUsageUnlessAsked() {
        HttpResponse<String> r = h.post(Harness.chat("Hi", "\"stream\":true"));

        List<String> events = Harness.events(r.body());
        assertThat(events).hasSize(5).last().isEqualTo("[DONE]");
        assertThat(events.subList(0, 4)).noneMatch(e -> Harness.json(e).has("usage"));
        assertThat(Harness.json(events.get(3)).get("choices").get(0).get("finish_reason").asText()).isEqualTo("stop");
    }

    @Test
    void aWholeCompletionHasOpenAisShape() {
        HttpResponse<String> r = h.post(Harness.chat("Hi", "\"stream\":false"));

        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode c = Harness.json(r.body());
        assertThat(c.get("object").asText()).isEqualTo("chat.completion");
        assertThat(c.get("id").asText()).startsWith("chatcmpl-");
        assertThat(c.get("created").asLong()).isPositive();
        JsonNode choice = c.get("choices").get(0);
        assertThat(choice.get("index").asInt()).isZero();
        assertThat(choice.get("message").get("role").asText()).isEqualTo("assistant");
        assertThat(choice.get("message").get("content").asText()).isEqualTo("Hello");
        assertThat(choice.get("finish_reason").asText()).isEqualTo("stop");
        assertThat(c.get("usage").get("prompt_tokens_details").get("cached_tokens").asInt()).isEqualTo(ScriptedModel.CACHED_TOKENS);
    }

    @Test
    void continuesAConversationThatEndsWithAnAssistantMessage() {
        String body = "{\"model\":\"" + Harness.MODEL_ID + "\",\"messages\":[{\"role\":\"user\",\"content\":\"Tell me a story\"},"
            + "{\"role\":\"assistant\",\"content\":\"Once upon a\"}]}";

        assertThat(h.post(body).statusCode()).isEqualTo(200);

        var seen = model.lastCall().request;
        assertThat(seen.messages()).containsExactly(UserMessage.from("Tell me a story"), AiMessage.from("Once upon a"));
    }

    @Test
    void takesTextPartsTopKAndMaxCompletionTokens() {
        String body = "{\"model\":\"" + Harness.MODEL_ID + "\",\"messages\":[{\"role\":\"system\",\"content\":[{\"type\":\"text\",\"text\":\"Be brief.\"}]},"
            + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"first\"},{\"type\":\"text\",\"text\":\"second\"}]}],"
            + "\"top_k\":40,\"max_completion_tokens\":9,\"max_tokens\":99,\"stop\":\"END\",\"seed\":7,\"n\":1,\"user\":\"u1\","
            + "\"response_format\":{\"type\":\"text\"},\"tools\":[],\"logprobs\":false,\"some_future_field\":{\"x\":1}}";

        assertThat(h.post(body).statusCode()).isEqualTo(200);

        var seen = model.lastCall().request;
        assertThat(seen.messages()).hasSize(2);
        assertThat(seen.messages().get(1)).isEqualTo(UserMessage.from("first\nsecond"));
        ChatRequestParameters p = seen.parameters();
        assertThat(p.topK()).isEqualTo(40);
        assertThat(p.maxOutputTokens()).isEqualTo(9);
        assertThat(p.stopSequences()).containsExactly("END");
    }

    @Test
    void topKOfMinusOneIsNoLimit() {
        assertThat(h.post(Harness.chat("Hi", "\"top_k\":-1")).statusCode()).isEqualTo(200);
        assertThat(model.lastCall().request.parameters().topK()).isZero();
    }

    @Test
    void listsTheOneModel() {
        JsonNode list = Harness.json(h.get("/v1/models").body());
        assertThat(list.get("object").asText()).isEqualTo("list");
        assertThat(list.get("data")).hasSize(1);
        assertThat(list.get("data").get(0).get("id").asText()).isEqualTo(Harness.MODEL_ID);
        assertThat(list.get("data").get(0).get("object").asText()).isEqualTo("model");

        assertThat(h.get("/v1/models/" + Harness.MODEL_ID).statusCode()).isEqualTo(200);
        HttpResponse<String> other = h.get("/v1/models/gpt-4o");
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(ApiErrorsTest.errorOf(other).get("code").asText()).isEqualTo("model_not_found");
    }

    @Test
    void healthIs503WhileTheModelLoadsThen200() {
        h.close();
        h = new Harness(Harness.settings(), null);

        HttpResponse<String> loading = h.get("/health");
        assertThat(loading.statusCode()).isEqualTo(503);
        assertThat(Harness.json(loading.body()).get("status").asText()).isEqualTo("loading");
        HttpResponse<String> early = h.post(Harness.chat("Hi", ""));
        assertThat(early.statusCode()).isEqualTo(503);
        assertThat(early.headers().firstValue("Retry-After")).isPresent();
        assertThat(ApiErrorsTest.errorOf(early).get("code").asText()).isEqualTo("model_loading");
        assertThat(h.server.state()).isEqualTo(OpenAiServer.State.LOADING);

        h.server.modelReady(model);

        HttpResponse<String> ready = h.get("/health");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(Harness.json(ready.body()).get("status").asText()).isEqualTo("ok");
        assertThat(h.post(Harness.chat("Hi", "")).statusCode()).isEqualTo(200);
    }

    @Test
    void metricsServeTheSharedRegistryWithTheServersMeters() {
        h.registry.counter("bot.own.counter").increment();
        h.post(Harness.chat("Hi", ""));
        h.post("{}");

        HttpResponse<String> r = h.get("/metrics");

        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(r.body())
            .contains("bot_own_counter_total")
            .contains("synthia_openai_requests_total{endpoint=\"chat_completions\",outcome=\"answered\",status=\"200\"} 1.0")
            .contains("synthia_openai_requests_total{endpoint=\"chat_completions\",outcome=\"bad_request\",status=\"400\"} 1.0")
            .contains("synthia_openai_tokens_total{type=\"completion\"} 2.0")
            .contains("synthia_openai_tokens_total{type=\"cached_prompt\"} " + ScriptedModel.CACHED_TOKENS + ".0")
            .contains("synthia_openai_time_to_first_token_seconds_count 1")
            .contains("synthia_openai_answers_running 0.0");
    }
}
