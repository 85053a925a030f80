package dev.synthiabot.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * A {@code POST /v1/chat/completions} body, checked and mapped onto a LangChain4j {@link ChatRequest}.
 *
 * <p>Taken: {@code messages} (roles {@code system}, {@code user}, {@code assistant}; {@code content} a string or an
 * array of {@code {type: text, text}} parts, joined by a newline), {@code model}, {@code temperature}, {@code top_p},
 * {@code top_k} (as llama.cpp and vLLM take it: 0 or less is no limit), {@code max_tokens} /
 * {@code max_completion_tokens}, {@code stop} (a string or an array), {@code frequency_penalty},
 * {@code presence_penalty}, {@code seed}, {@code n} (1 only), {@code user}, {@code stream}, {@code stream_options}.
 * A {@code null} value is the same as leaving the field out; fields not named here are ignored, as OpenAI's newer
 * fields would be by an older server. Refused with 400: tools and functions, a {@code response_format} other than
 * text, images, audio and files, {@code logprobs}, {@code n > 1}, and a conversation that ends with neither a user
 * message (SynthIA answers it) nor an assistant message after one (SynthIA continues that answer, as llama-server
 * takes an assistant prefill: the response is the new text only).
 *
 * <p>{@code seed} is checked and kept ({@link #seed()}) but LangChain4j's {@code ChatRequestParameters} has no seed, so
 * the model does not see it: {@code SynthiaChatModel} takes a seed only for all its answers, from its builder.
 * Blank system messages are left out (LangChain4j refuses a blank {@code SystemMessage}).
 *
 * @param chatRequest the messages and sampling parameters for the model
 * @param stream whether the answer goes out as server-sent events
 * @param includeUsage whether a stream ends with a usage chunk ({@code stream_options.include_usage})
 * @param seed the client's seed, not passed on (see above)
 */
record ChatCompletionRequest(ChatRequest chatRequest, boolean stream, boolean includeUsage, OptionalLong seed) {

    private static final ObjectMapper JSON = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();

    /** The most stop sequences a request may give. */
    static final int MAX_STOP_SEQUENCES = 16;

    /**
     * Parses and checks a request body.
     *
     * @param modelId the one model served: another {@code model} gets 404 {@code model_not_found}
     * @param contextWindowTokens the most {@code max_tokens} may be
     * @throws ApiError what is wrong with the body, as OpenAI reports it
     */
    static ChatCompletionRequest parse(byte[] body, String modelId, int contextWindowTokens) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JsonProcessingException e) {
            throw ApiError.invalid(null, "invalid_json", "We could not parse the JSON body of your request. (HINT: This likely means you aren't "
                + "using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)");
        } catch (IOException e) {
            throw ApiError.invalid(null, "invalid_json", "We could not read the body of your request.");
        }
        if (root == null || root.isMissingNode()) throw ApiError.invalid(null, "invalid_json", "The request body is empty: expected a JSON object.");
        if (!root.isObject()) throw ApiError.wrongType("body", "an object", describe(root));

        JsonNode model = field(root, "model");
        if (model != null) {
            if (!model.isTextual()) throw ApiError.wrongType("model", "a string", describe(model));
            if (!model.asText().equals(modelId)) {
                throw new ApiError(404, ApiError.INVALID_REQUEST, "model", "model_not_found",
                    "The model `" + model.asText() + "` does not exist or you do not have access to it. This server serves `" + modelId + "`.");
            }
        }

        refuseUnsupported(root);
        List<ChatMessage> messages = messages(root);

        DefaultChatRequestParameters.Builder<?> params = DefaultChatRequestParameters.builder();
        Double temperature = number(root, "temperature", 0, 2);
        if (temperature != null) params.temperature(temperature);
        Double topP = number(root, "top_p", 0, 1);
        if (topP != null) params.topP(topP);
        Long topK = integer(root, "top_k", Long.MIN_VALUE, Integer.MAX_VALUE);
        if (topK != null) params.topK((int) Math.max(0, topK));
        Double frequencyPenalty = number(root, "frequency_penalty", -2, 2);
        if (frequencyPenalty != null) params.frequencyPenalty(frequencyPenalty);
        Double presencePenalty = number(root, "presence_penalty", -2, 2);
        if (presencePenalty != null) params.presencePenalty(presencePenalty);
        Integer maxTokens = maxTokens(root, contextWindowTokens);
        if (maxTokens != null) params.maxOutputTokens(maxTokens);
        List<String> stop = stop(root);
        if (!stop.isEmpty()) params.stopSequences(stop);

        Long n = integer(root, "n", Long.MIN_VALUE, Long.MAX_VALUE);
        if (n != null && n != 1) {
            throw n < 1 ? ApiError.invalid("n", "invalid_value", n + " is less than the minimum of 1 - 'n'")
                : ApiError.unsupported("n", "n = " + n + " is not supported: this server generates one choice per request (n = 1).");
        }
        Long seed = integer(root, "seed", Long.MIN_VALUE, Long.MAX_VALUE);
        JsonNode user = field(root, "user");
        if (user != null && !user.isTextual()) throw ApiError.wrongType("user", "a string", describe(user));

        boolean stream = bool(root, "stream");
        boolean includeUsage = false;
        JsonNode streamOptions = field(root, "stream_options");
        if (streamOptions != null) {
            if (!streamOptions.isObject()) throw ApiError.wrongType("stream_options", "an object", describe(streamOptions));
            JsonNode include = field(streamOptions, "include_usage");
            if (include != null) {
                if (!include.isBoolean()) throw ApiError.wrongType("stream_options.include_usage", "a boolean", describe(include));
                includeUsage = include.asBoolean();
            }
        }

        ChatRequest request = ChatRequest.builder().messages(messages).parameters(params.build()).build();
        return new ChatCompletionRequest(request, stream, includeUsage, seed == null ? OptionalLong.empty() : OptionalLong.of(seed));
    }

    private static void refuseUnsupported(JsonNode root) {
        for (String p : List.of("tools", "functions")) {
            JsonNode v = field(root, p);
            if (v != null && !(v.isArray() && v.isEmpty())) {
                throw ApiError.unsupported(p, "'" + p + "' is not supported: this model does not call tools or functions.");
            }
        }
        for (String p : List.of("tool_choice", "function_call")) {
            JsonNode v = field(root, p);
            if (v != null && !(v.isTextual() && v.asText().equals("none"))) {
                throw ApiError.unsupported(p, "'" + p + "' is not supported: this model does not call tools or functions.");
            }
        }
        JsonNode format = field(root, "response_format");
        if (format != null) {
            if (!format.isObject()) throw ApiError.wrongType("response_format", "an object", describe(format));
            JsonNode type = field(format, "type");
            if (type == null || !type.isTextual()) throw ApiError.invalid("response_format.type", "invalid_value", "'response_format.type' is required: 'text'.");
            if (!type.asText().equals("text")) {
                throw ApiError.unsupported("response_format", "response_format of type '" + type.asText()
                    + "' is not supported: this server answers in plain text only (type 'text').");
            }
        }
        if (bool(root, "logprobs")) throw ApiError.unsupported("logprobs", "'logprobs' is not supported by this server.");
        Long topLogprobs = integer(root, "top_logprobs", 0, Long.MAX_VALUE);
        if (topLogprobs != null && topLogprobs > 0) throw ApiError.unsupported("top_logprobs", "'top_logprobs' is not supported by this server.");
    }

    private static List<ChatMessage> messages(JsonNode root) {
        JsonNode messages = field(root, "messages");
        if (messages == null) throw ApiError.invalid("messages", "missing_required_parameter", "Missing required parameter: 'messages'.");
        if (!messages.isArray()) throw ApiError.wrongType("messages", "an array", describe(messages));
        if (messages.isEmpty()) throw ApiError.invalid("messages", "empty_array", "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.");
        List<ChatMessage> out = new ArrayList<>();
        String lastRole = null;
        for (int i = 0; i < messages.size(); i++) {
            String at = "messages[" + i + "]";
            JsonNode m = messages.get(i);
            if (!m.isObject()) throw ApiError.wrongType(at, "an object", describe(m));
            JsonNode roleNode = field(m, "role");
            if (roleNode == null) throw ApiError.invalid(at + ".role", "missing_required_parameter", "Missing required parameter: '" + at + ".role'.");
            if (!roleNode.isTextual()) throw ApiError.wrongType(at + ".role", "a string", describe(roleNode));
            String role = roleNode.asText();
            switch (role) {
                case "system" -> {
                    String text = content(m, at, false);
                    if (!text.isBlank()) out.add(SystemMessage.from(text));
                }
                case "user" -> {
                    out.add(UserMessage.from(content(m, at, false)));
                    lastRole = role;
                }
                case "assistant" -> {
                    JsonNode toolCalls = field(m, "tool_calls");
                    if (toolCalls != null && !(toolCalls.isArray() && toolCalls.isEmpty())) {
                        throw ApiError.unsupported(at + ".tool_calls", "'tool_calls' are not supported: this model does not call tools.");
                    }
                    if (field(m, "function_call") != null) {
                        throw ApiError.unsupported(at + ".function_call", "'function_call' is not supported: this model does not call functions.");
                    }
                    out.add(AiMessage.from(content(m, at, true)));
                    lastRole = role;
                }
                case "tool", "function" -> throw ApiError.unsupported(at + ".role",
                    "Messages with role '" + role + "' are not supported: this model does not call tools or functions.");
                default -> throw ApiError.invalid(at + ".role", "invalid_value",
                    "Invalid value: '" + role + "'. Supported values are: 'system', 'user' and 'assistant'.");
            }
        }
        if (!"user".equals(lastRole) && !("assistant".equals(lastRole) && out.stream().anyMatch(UserMessage.class::isInstance))) {
            throw ApiError.invalid("messages", "invalid_value",
                "The conversation must end with a user message (the model answers it), or with an assistant message after one (the model continues it).");
        }
        return out;
    }

    /** A message's text: a string, or text parts joined by a newline; an assistant's may be null (empty). */
    private static String content(JsonNode m, String at, boolean mayBeNull) {
        String param = at + ".content";
        JsonNode content = field(m, "content");
        if (content == null) {
            if (mayBeNull) return "";
            throw ApiError.invalid(param, "missing_required_parameter", "Missing required parameter: '" + param + "'.");
        }
        if (content.isTextual()) return content.asText();
        if (!content.isArray()) throw ApiError.wrongType(param, "a string or an array of content parts", describe(content));
        List<String> texts = new ArrayList<>();
        for (int j = 0; j < content.size(); j++) {
            String partAt = param + "[" + j + "]";
            JsonNode part = content.get(j);
            if (!part.isObject()) throw ApiError.wrongType(partAt, "an object", describe(part));
            JsonNode type = field(part, "type");
            if (type == null || !type.isTextual()) throw ApiError.invalid(partAt + ".type", "missing_required_parameter", "Missing required parameter: '" + partAt + ".type'.");
            switch (type.asText()) {
                case "text" -> {
                    JsonNode text = field(part, "text");
                    if (text == null) throw ApiError.invalid(partAt + ".text", "missing_required_parameter", "Missing required parameter: '" + partAt + ".text'.");
                    if (!text.isTextual()) throw ApiError.wrongType(partAt + ".text", "a string", describe(text));
                    texts.add(text.asText());
                }
                case "image_url", "input_image", "image", "input_audio", "audio", "file", "input_file" -> throw ApiError.invalid(partAt + ".type",
                    "unsupported_content", "Content of type '" + type.asText() + "' is not supported: this model reads text only.");
                default -> throw ApiError.invalid(partAt + ".type", "invalid_value",
                    "Invalid value: '" + type.asText() + "'. Supported value is: 'text'.");
            }
        }
        return String.join("\n", texts);
    }

    private static Integer maxTokens(JsonNode root, int contextWindowTokens) {
        String param = field(root, "max_completion_tokens") != null ? "max_completion_tokens" : "max_tokens";
        Long v = integer(root, param, 1, Long.MAX_VALUE);
        if (v == null) return null;
        if (v > contextWindowTokens) {
            throw ApiError.invalid(param, "invalid_value", param + " is too large: " + v + ". This model's context window is "
                + contextWindowTokens + " tokens, for the prompt and the answer together.");
        }
        return v.intValue();
    }

    private static List<String> stop(JsonNode root) {
        JsonNode stop = field(root, "stop");
        if (stop == null) return List.of();
        List<String> out = new ArrayList<>();
        if (stop.isTextual()) {
            out.add(stop.asText());
        } else if (stop.isArray()) {
            if (stop.size() > MAX_STOP_SEQUENCES) {
                throw ApiError.invalid("stop", "invalid_value", "'stop' has " + stop.size() + " sequences; at most " + MAX_STOP_SEQUENCES + " are allowed.");
            }
            for (int i = 0; i < stop.size(); i++) {
                if (!stop.get(i).isTextual()) throw ApiError.wrongType("stop[" + i + "]", "a string", describe(stop.get(i)));
                out.add(stop.get(i).asText());
            }
        } else {
            throw ApiError.wrongType("stop", "a string or an array of strings", describe(stop));
        }
        if (out.stream().anyMatch(String::isEmpty)) throw ApiError.invalid("stop", "invalid_value", "'stop' sequences must not be empty strings.");
        return out;
    }

    /** A field's value, or null when absent or JSON null. */
    private static JsonNode field(JsonNode object, String name) {
        JsonNode v = object.get(name);
        return v == null || v.isNull() ? null : v;
    }

    private static boolean bool(JsonNode root, String name) {
        JsonNode v = field(root, name);
        if (v == null) return false;
        if (!v.isBoolean()) throw ApiError.wrongType(name, "a boolean", describe(v));
        return v.asBoolean();
    }

    private static Double number(JsonNode root, String name, double min, double max) {
        JsonNode v = field(root, name);
        if (v == null) return null;
        if (!v.isNumber()) throw ApiError.wrongType(name, "a number", describe(v));
        double d = v.asDouble();
        if (!(d >= min)) throw ApiError.invalid(name, "invalid_value", "Invalid '" + name + "': " + v + " is less than the minimum of " + trim(min) + ".");
        if (!(d <= max)) throw ApiError.invalid(name, "invalid_value", "Invalid '" + name + "': " + v + " is greater than the maximum of " + trim(max) + ".");
        return d;
    }

    private static Long integer(JsonNode root, String name, long min, long max) {
        JsonNode v = field(root, name);
        if (v == null) return null;
        if (!v.isIntegralNumber()) throw ApiError.wrongType(name, "an integer", v.isNumber() ? "a decimal" : describe(v));
        if (!v.canConvertToLong()) throw ApiError.invalid(name, "invalid_value", "Invalid '" + name + "': " + v + " is out of range.");
        long l = v.asLong();
        if (l < min) throw ApiError.invalid(name, "invalid_value", "Invalid '" + name + "': " + l + " is less than the minimum of " + min + ".");
        if (l > max) throw ApiError.invalid(name, "invalid_value", "Invalid '" + name + "': " + l + " is greater than the maximum of " + max + ".");
        return l;
    }

    private static String trim(double d) {
        return d == Math.rint(d) ? Long.toString((long) d) : Double.toString(d);
    }

    private static final Map<JsonNodeType, String> TYPE_NAMES = Map.of(
        JsonNodeType.ARRAY, "an array",
        JsonNodeType.OBJECT, "an object",
        JsonNodeType.STRING, "a string",
        JsonNodeType.NUMBER, "a number",
        JsonNodeType.BOOLEAN, "a boolean",
        JsonNodeType.NULL, "null");

    private static String describe(JsonNode v) {
        return TYPE_NAMES.getOrDefault(v.getNodeType(), "a value of another type");
    }
}
