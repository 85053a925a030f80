package dev.synthiabot.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.langchain4j.model.output.FinishReason;

/** The JSON bodies the server sends, shaped as OpenAI's. */
final class Responses {
    private static final ObjectMapper JSON = JsonMapper.builder().build();

    private Responses() {}

    static ObjectNode object() {
        return JSON.createObjectNode();
    }

    static byte[] bytes(ObjectNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A JSON tree always serializes", e);
        }
    }

    static String text(ObjectNode node) {
        try {
            return JSON.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("A JSON tree always serializes", e);
        }
    }

    static ObjectNode error(ApiError e) {
        return error(e.getMessage(), e.type(), e.param(), e.code());
    }

    static ObjectNode error(String message, String type, String param, String code) {
        ObjectNode root = object();
        ObjectNode err = root.putObject("error");
        err.put("message", message);
        err.put("type", type);
        err.put("param", param);
        err.put("code", code);
        return root;
    }

    /** OpenAI's {@code finish_reason} for LangChain4j's. */
    static String finishReason(FinishReason reason) {
        if (reason == null) return "stop";
        return switch (reason) {
            case LENGTH -> "length";
            case CONTENT_FILTER -> "content_filter";
            case TOOL_EXECUTION -> "tool_calls";
            case STOP, OTHER -> "stop";
        };
    }

    static ObjectNode usage(Usage u) {
        ObjectNode n = object();
        n.put("prompt_tokens", u.promptTokens());
        n.put("completion_tokens", u.completionTokens());
        n.put("total_tokens", u.totalTokens());
        n.putObject("prompt_tokens_details").put("cached_tokens", u.cachedTokens());
        return n;
    }

    /** A {@code chat.completion}: the whole answer. */
    static ObjectNode completion(String id, long created, String model, String content, String finishReason, Usage usage) {
        ObjectNode root = object();
        root.put("id", id);
        root.put("object", "chat.completion");
        root.put("created", created);
        root.put("model", model);
        ObjectNode choice = root.putArray("choices").addObject();
        choice.put("index", 0);
        ObjectNode message = choice.putObject("message");
        message.put("role", "assistant");
        message.put("content", content);
        message.putNull("refusal");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        root.set("usage", usage(usage));
        root.putNull("system_fingerprint");
        return root;
    }

    /** A {@code chat.completion.chunk} header; the caller adds its choices. */
    static ObjectNode chunk(String id, long created, String model, boolean withNullUsage) {
        ObjectNode root = object();
        root.put("id", id);
        root.put("object", "chat.completion.chunk");
        root.put("created", created);
        root.put("model", model);
        root.putNull("system_fingerprint");
        root.putArray("choices");
        if (withNullUsage) root.putNull("usage");
        return root;
    }

    /** A chunk with one choice of {@code delta}: {@code role} and/or {@code content} (either may be null). */
    static ObjectNode deltaChunk(String id, long created, String model, boolean withNullUsage, String role, String content) {
        ObjectNode root = chunk(id, created, model, withNullUsage);
        ObjectNode choice = ((ArrayNode) root.get("choices")).addObject();
        choice.put("index", 0);
        ObjectNode delta = choice.putObject("delta");
        if (role != null) delta.put("role", role);
        if (content != null) delta.put("content", content);
        choice.putNull("logprobs");
        choice.putNull("finish_reason");
        return root;
    }

    /** The last chunk of the answer: an empty delta and the finish reason. */
    static ObjectNode finishChunk(String id, long created, String model, boolean withNullUsage, String finishReason) {
        ObjectNode root = chunk(id, created, model, withNullUsage);
        ObjectNode choice = ((ArrayNode) root.get("choices")).addObject();
        choice.put("index", 0);
        choice.putObject("delta");
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
        return root;
    }

    /** The usage chunk after the last one ({@code stream_options.include_usage}): no choices. */
    static ObjectNode usageChunk(String id, long created, String model, Usage usage) {
        ObjectNode root = chunk(id, created, model, false);
        root.set("usage", usage(usage));
        return root;
    }
}
