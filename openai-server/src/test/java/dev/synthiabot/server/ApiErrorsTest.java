package dev.synthiabot.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.exception.InvalidRequestException;
import dev.synthiabot.server.ScriptedModel.Script;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Bad input gets a 4xx and an OpenAI error body, never a 500 nor a stack trace; the model is not called. */
class ApiErrorsTest {
    private static final String USER = "{\"role\":\"user\",\"content\":\"Hi\"}";
    private static final String M = "\"model\":\"" + Harness.MODEL_ID + "\"";

    private final ScriptedModel model = new ScriptedModel(Script.answer("ok"));
    private final Harness h = new Harness(Harness.settings().withMaxBodyKb(1).withContextWindowTokens(4096), model);

    @AfterEach
    void stop() {
        h.close();
    }

    static Stream<Arguments> badRequests() {
        return Stream.of(
            Arguments.of("malformed JSON", "{\"model\":", 400, null, "invalid_json"),
            Arguments.of("trailing garbage", "{" + M + ",\"messages\":[" + USER + "]} x", 400, null, "invalid_json"),
            Arguments.of("empty body", "", 400, null, "invalid_json"),
            Arguments.of("not an object", "[1,2]", 400, "body", "invalid_type"),
            Arguments.of("messages missing", "{" + M + "}", 400, "messages", "missing_required_parameter"),
            Arguments.of("messages empty", "{" + M + ",\"messages\":[]}", 400, "messages", "empty_array"),
            Arguments.of("messages a string", "{" + M + ",\"messages\":\"Hi\"}", 400, "messages", "invalid_type"),
            Arguments.of("message not an object", "{" + M + ",\"messages\":[\"Hi\"]}", 400, "messages[0]", "invalid_type"),
            Arguments.of("role missing", "{" + M + ",\"messages\":[{\"content\":\"Hi\"}]}", 400, "messages[0].role", "missing_required_parameter"),
            Arguments.of("unknown role", "{" + M + ",\"messages\":[{\"role\":\"robot\",\"content\":\"Hi\"}]}", 400, "messages[0].role", "invalid_value"),
            Arguments.of("tool role", "{" + M + ",\"messages\":[" + USER + ",{\"role\":\"tool\",\"content\":\"x\",\"tool_call_id\":\"1\"}]}", 400,
                "messages[1].role", "unsupported_parameter"),
            Arguments.of("content a number", "{" + M + ",\"messages\":[{\"role\":\"user\",\"content\":42}]}", 400, "messages[0].content", "invalid_type"),
            Arguments.of("user content missing", "{" + M + ",\"messages\":[{\"role\":\"user\"}]}", 400, "messages[0].content", "missing_required_parameter"),
            Arguments.of("text part without text", "{" + M + ",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\"}]}]}", 400,
                "messages[0].content[0].text", "missing_required_parameter"),
            Arguments.of("image part", "{" + M + ",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"What is it?\"},"
                + "{\"type\":\"image_url\",\"image_url\":{\"url\":\"data:image/png;base64,AAAA\"}}]}]}", 400, "messages[0].content[1].type", "unsupported_content"),
            Arguments.of("audio part", "{" + M + ",\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"input_audio\","
                + "\"input_audio\":{\"data\":\"AAAA\",\"format\":\"wav\"}}]}]}", 400, "messages[0].content[0].type", "unsupported_content"),
            Arguments.of("assistant tool calls", "{" + M + ",\"messages\":[" + USER + ",{\"role\":\"assistant\",\"content\":null,\"tool_calls\":"
                + "[{\"id\":\"1\",\"type\":\"function\",\"function\":{\"name\":\"f\",\"arguments\":\"{}\"}}]}," + USER + "]}", 400,
                "messages[1].tool_calls", "unsupported_parameter"),
            Arguments.of("an answer with no question", "{" + M + ",\"messages\":[{\"role\":\"assistant\",\"content\":\"Hello\"}]}", 400,
                "messages", "invalid_value"),
            Arguments.of("only a system message", "{" + M + ",\"messages\":[{\"role\":\"system\",\"content\":\"Be nice.\"}]}", 400, "messages",
                "invalid_value"),
            Arguments.of("n = 2", body("\"n\":2"), 400, "n", "unsupported_parameter"),
            Arguments.of("n = 0", body("\"n\":0"), 400, "n", "invalid_value"),
            Arguments.of("tools", body("\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}]"), 400, "tools",
                "unsupported_parameter"),
            Arguments.of("functions", body("\"functions\":[{\"name\":\"f\",\"parameters\":{}}]"), 400, "functions", "unsupported_parameter"),
            Arguments.of("tool_choice", body("\"tool_choice\":\"auto\""), 400, "tool_choice", "unsupported_parameter"),
            Arguments.of("json response format", body("\"response_format\":{\"type\":\"json_object\"}"), 400, "response_format", "unsupported_parameter"),
            Arguments.of("json schema response format", body("\"response_format\":{\"type\":\"json_schema\",\"json_schema\":{\"name\":\"x\"}}"), 400,
                "response_format", "unsupported_parameter"),
            Arguments.of("response format a string", body("\"response_format\":\"text\""), 400, "response_format", "invalid_type"),
            Arguments.of("logprobs", body("\"logprobs\":true"), 400, "logprobs", "unsupported_parameter"),
            Arguments.of("top_logprobs", body("\"top_logprobs\":3"), 400, "top_logprobs", "unsupported_parameter"),
            Arguments.of("temperature a string", body("\"temperature\":\"hot\""), 400, "temperature", "invalid_type"),
            Arguments.of("temperature too high", body("\"temperature\":2.5"), 400, "temperature", "invalid_value"),
            Arguments.of("top_p above 1", body("\"top_p\":1.5"), 400, "top_p", "invalid_value"),
            Arguments.of("top_k a decimal", body("\"top_k\":2.5"), 400, "top_k", "invalid_type"),
            Arguments.of("max_tokens a decimal", body("\"max_tokens\":1.5"), 400, "max_tokens", "invalid_type"),
            Arguments.of("max_tokens zero", body("\"max_tokens\":0"), 400, "max_tokens", "invalid_value"),
            Arguments.of("max_tokens over the window", body("\"max_tokens\":5000"), 400, "max_tokens", "invalid_value"),
            Arguments.of("max_completion_tokens a string", body("\"max_completion_tokens\":\"10\""), 400, "max_completion_tokens", "invalid_type"),
            Arguments.of("stop a number", body("\"stop\":5"), 400, "stop", "invalid_type"),
            Arguments.of("stop with a number", body("\"stop\":[\"a\",5]"), 400, "stop[1]", "invalid_type"),
            Arguments.of("stop empty string", body("\"stop\":\"\""), 400, "stop", "invalid_value"),
            Arguments.of("seed a string", body("\"seed\":\"x\""), 400, "seed", "invalid_type"),
            Arguments.of("user a number", body("\"user\":5"), 400, "user", "invalid_type"),
            Arguments.of("stream a string", body("\"stream\":\"yes\""), 400, "stream", "invalid_type"),
            Arguments.of("include_usage a string", body("\"stream\":true,\"stream_options\":{\"include_usage\":\"yes\"}"), 400,
                "stream_options.include_usage", "invalid_type"),
            Arguments.of("model a number", "{\"model\":42,\"messages\":[" + USER + "]}", 400, "model", "invalid_type"),
            Arguments.of("unknown model", "{\"model\":\"gpt-4o\",\"messages\":[" + USER + "]}", 404, "model", "model_not_found"));
    }

    private static String body(String extra) {
        return "{" + M + ",\"messages\":[" + USER + "]," + extra + "}";
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badRequests")
    void badRequestGetsAnOpenAiError(String name, String body, int status, String param, String code) {
        HttpResponse<String> r = h.post(body);

        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        JsonNode error = errorOf(r);
        assertThat(error.get("param").isNull() ? null : error.get("param").asText()).isEqualTo(param);
        assertThat(error.get("code").asText()).isEqualTo(code);
        assertThat(error.get("type").asText()).isEqualTo("invalid_request_error");
        assertThat(model.calls).isEmpty();
    }

    /** The error object, checked for OpenAI's four fields and for the absence of a Java stack trace. */
    static JsonNode errorOf(HttpResponse<String> r) {
        assertThat(r.headers().firstValue("Content-Type")).hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(r.body()).doesNotContain("Exception").doesNotContain("\tat ").doesNotContain(".java:");
        JsonNode error = Harness.json(r.body()).get("error");
        assertThat(error).isNotNull();
        assertThat(error.get("message").asText()).isNotBlank();
        assertThat(error.has("type")).isTrue();
        assertThat(error.has("param")).isTrue();
        assertThat(error.has("code")).isTrue();
        return error;
    }

    @Test
    void aBodyOverTheLimitIs413() {
        String big = "x".repeat(2048);
        HttpResponse<String> r = h.post(Harness.chat(big, ""));

        assertThat(r.statusCode()).isEqualTo(413);
        assertThat(errorOf(r).get("code").asText()).isEqualTo("request_too_large");
        assertThat(model.calls).isEmpty();
    }

    @Test
    void aPromptOverTheContextWindowIs400WithTheTokenCounts() {
        model.script(Script.failing(() -> new InvalidRequestException(
            "The prompt is 5000 tokens (system prompt and the last message, without history), but the context window is 4096 tokens "
                + "with 512 kept for the answer: shorten the message or the system prompt.")));

        for (String stream : new String[] {"false", "true"}) {
            HttpResponse<String> r = h.post(Harness.chat("Hi", "\"stream\":" + stream));

            assertThat(r.statusCode()).as("stream " + stream).isEqualTo(400);
            JsonNode error = errorOf(r);
            assertThat(error.get("code").asText()).isEqualTo("context_length_exceeded");
            assertThat(error.get("param").asText()).isEqualTo("messages");
            assertThat(error.get("message").asText()).contains("4096 tokens").contains("5000 tokens");
        }
    }

    @Test
    void aFailingModelIs500WithoutItsStackTrace() {
        model.script(Script.failing(() -> new IllegalStateException("kernel exploded at Foo.java:12")));

        HttpResponse<String> r = h.post(Harness.chat("Hi", ""));

        assertThat(r.statusCode()).isEqualTo(500);
        JsonNode error = errorOf(r);
        assertThat(error.get("type").asText()).isEqualTo("server_error");
        assertThat(r.body()).doesNotContain("kernel exploded");
    }

    @Test
    void unknownPathsAndMethods() {
        HttpResponse<String> notFound = h.get("/v2/engines");
        assertThat(notFound.statusCode()).isEqualTo(404);
        assertThat(errorOf(notFound).get("code").asText()).isEqualTo("unknown_url");

        HttpResponse<String> wrongMethod = h.get("/v1/chat/completions");
        assertThat(wrongMethod.statusCode()).isEqualTo(405);
        assertThat(wrongMethod.headers().firstValue("Allow")).hasValue("POST");
        assertThat(errorOf(wrongMethod).get("code").asText()).isEqualTo("method_not_allowed");
    }

    @Test
    void apiKeysGuardV1ButNotHealth() {
        try (Harness guarded = new Harness(Harness.settings().withApiKeys(java.util.Set.of("key-one", "key-two")), model)) {
            String body = Harness.chat("Hi", "");

            HttpResponse<String> none = guarded.post("/v1/chat/completions", body, Map.of());
            assertThat(none.statusCode()).isEqualTo(401);
            assertThat(errorOf(none).get("code").asText()).isEqualTo("invalid_api_key");
            assertThat(none.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");

            HttpResponse<String> wrong = guarded.post("/v1/chat/completions", body, Map.of("Authorization", "Bearer key-three"));
            assertThat(wrong.statusCode()).isEqualTo(401);
            assertThat(errorOf(wrong).get("code").asText()).isEqualTo("invalid_api_key");

            HttpResponse<String> notBearer = guarded.post("/v1/chat/completions", body, Map.of("Authorization", "Basic a2V5LW9uZQ=="));
            assertThat(notBearer.statusCode()).isEqualTo(401);

            assertThat(guarded.get("/v1/models").statusCode()).isEqualTo(401);
            assertThat(model.calls).isEmpty();

            assertThat(guarded.post("/v1/chat/completions", body, Map.of("Authorization", "Bearer key-two")).statusCode()).isEqualTo(200);
            assertThat(guarded.get("/v1/models", Map.of("Authorization", "Bearer key-one")).statusCode()).isEqualTo(200);
            assertThat(guarded.get("/health").statusCode()).isEqualTo(200);
        }
    }
}
