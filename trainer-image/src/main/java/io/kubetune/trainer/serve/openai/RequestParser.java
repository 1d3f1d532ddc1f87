package io.kubetune.trainer.serve.openai;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.kubetune.trainer.tokenizer.ChatMessage;
import io.kubetune.trainer.vision.RgbImage;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads and checks the JSON bodies of the completion endpoints; every problem is an {@link
 * ApiError} (400) naming the parameter. Fields this server does not use (user, presence_penalty,
 * ...) are ignored; those it cannot honour (n > 1, tools, logprobs) are refused.
 */
public final class RequestParser {
  /** Stop sequences per request, as OpenAI allows. */
  public static final int MAX_STOP_SEQUENCES = 4;

  /** Roles a chat template understands; developer is OpenAI's newer name for system. */
  private static final Map<String, String> ROLES =
      Map.of("system", "system", "developer", "system", "user", "user", "assistant", "assistant");

  private static final ObjectMapper JSON =
      JsonMapper.builder()
          .enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .build();

  private RequestParser() {}

  public static ChatCompletionRequest chat(byte[] body) {
    JsonNode root = object(body);
    JsonNode messages = root.get("messages");
    if (messages == null || messages.isNull()) {
      throw ApiError.invalid("Missing required parameter: 'messages'.", "messages");
    }
    if (!messages.isArray()) {
      throw ApiError.invalid("'messages' must be an array of messages.", "messages");
    }
    if (messages.isEmpty()) {
      throw ApiError.invalid("'messages' must hold at least one message.", "messages");
    }
    List<ChatMessage> parsed = new ArrayList<>();
    List<RgbImage> images = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      String where = "messages[" + i + "]";
      String role = role(messages.get(i), where);
      MessageContent content =
          MessageContent.parse(messages.get(i).get("content"), where + ".content");
      if (!content.images().isEmpty() && !role.equals("user")) {
        throw ApiError.invalid(
            where + ": only user messages may hold image_url parts.", where + ".content");
      }
      parsed.add(new ChatMessage(role, content.text()));
      images.addAll(content.images());
    }
    refuseUnsupported(root);
    return new ChatCompletionRequest(parsed, images, options(root));
  }

  public static CompletionRequest completion(byte[] body) {
    JsonNode root = object(body);
    JsonNode prompt = root.get("prompt");
    String text;
    if (prompt == null || prompt.isNull()) {
      throw ApiError.invalid("Missing required parameter: 'prompt'.", "prompt");
    } else if (prompt.isTextual()) {
      text = prompt.asText();
    } else if (prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual()) {
      text = prompt.get(0).asText();
    } else {
      throw ApiError.invalid(
          "'prompt' must be a string (or a list of one string): this server completes one prompt"
              + " per request.",
          "prompt");
    }
    if (text.isEmpty()) {
      throw ApiError.invalid("'prompt' must not be empty.", "prompt");
    }
    refuseUnsupported(root);
    return new CompletionRequest(text, options(root));
  }

  private static JsonNode object(byte[] body) {
    JsonNode root;
    try {
      root = JSON.readTree(utf8(body));
    } catch (JsonProcessingException e) {
      throw ApiError.invalidJson(e.getOriginalMessage() + location(e));
    } catch (IOException e) {
      throw ApiError.invalidJson(e.getMessage());
    }
    if (root == null || root.isMissingNode()) {
      throw ApiError.invalidJson("the body is empty; send a JSON object.");
    }
    if (!root.isObject()) {
      throw ApiError.invalidJson("the body must be a JSON object.");
    }
    return root;
  }

  /**
   * The body as text, strictly: JSON bodies are UTF-8 (RFC 8259), and Jackson's own decoder lets
   * overlong forms through (C0 AF reads as '/'), which a filter that looks at the bytes would miss.
   * The JDK's decoder refuses overlong forms, surrogates and code points beyond U+10FFFF.
   */
  private static String utf8(byte[] body) {
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(body);
    CharBuffer out = CharBuffer.allocate(body.length);
    CoderResult result = decoder.decode(in, out, true);
    if (!result.isError()) {
      result = decoder.flush(out);
    }
    if (result.isError()) {
      throw ApiError.invalidJson(
          "the body is not valid UTF-8 (byte " + in.position() + " starts an invalid sequence).");
    }
    out.flip();
    // a byte order mark is allowed to be ignored (RFC 8259, section 8.1)
    if (out.hasRemaining() && out.get(0) == '\uFEFF') {
      out.position(1);
    }
    return out.toString();
  }

  private static String location(JsonProcessingException e) {
    return e.getLocation() == null
        ? ""
        : " (line "
            + e.getLocation().getLineNr()
            + ", column "
            + e.getLocation().getColumnNr()
            + ")";
  }

  /** The message's role, as the chat template names it. */
  private static String role(JsonNode m, String where) {
    if (!m.isObject()) {
      throw ApiError.invalid(where + " must be an object with 'role' and 'content'.", where);
    }
    JsonNode role = m.get("role");
    if (role == null || role.isNull()) {
      throw ApiError.invalid(where + " has no 'role'.", where + ".role");
    }
    String mapped = role.isTextual() ? ROLES.get(role.asText()) : null;
    if (mapped == null) {
      throw ApiError.invalid(
          where
              + ".role is "
              + role
              + "; expected one of 'system', 'developer', 'user', 'assistant' (no tools here).",
          where + ".role");
    }
    return mapped;
  }

  private static void refuseUnsupported(JsonNode root) {
    JsonNode n = root.get("n");
    if (n != null && !n.isNull() && !(n.canConvertToExactIntegral() && n.asInt() == 1)) {
      throw ApiError.invalid("This server returns one choice per request: 'n' must be 1.", "n");
    }
    for (String field : List.of("tools", "functions")) {
      JsonNode tools = root.get(field);
      if (tools != null && !tools.isNull() && !tools.isEmpty()) {
        throw ApiError.invalid("This server does not support '" + field + "'.", field);
      }
    }
    JsonNode logprobs = root.get("logprobs");
    if (logprobs != null && logprobs.asBoolean()) {
      throw ApiError.invalid("This server does not return 'logprobs'.", "logprobs");
    }
  }

  private static GenerationOptions options(JsonNode root) {
    JsonNode model = root.get("model");
    if (model == null || model.isNull()) {
      throw ApiError.invalid("You must provide a model parameter.", "model");
    }
    if (!model.isTextual()) {
      throw ApiError.invalid("'model' must be a string.", "model");
    }
    Integer maxTokens = positiveInt(root, "max_completion_tokens");
    if (maxTokens == null) {
      maxTokens = positiveInt(root, "max_tokens");
    }
    Double temperature = number(root, "temperature", 0, 2);
    Double topP = number(root, "top_p", 0, 1);
    boolean stream = bool(root, "stream");
    JsonNode streamOptions = root.get("stream_options");
    boolean includeUsage = false;
    if (streamOptions != null && !streamOptions.isNull()) {
      if (!streamOptions.isObject()) {
        throw ApiError.invalid("'stream_options' must be an object.", "stream_options");
      }
      includeUsage = bool(streamOptions, "include_usage");
    }
    return new GenerationOptions(
        model.asText(),
        maxTokens,
        temperature,
        topP,
        stop(root.get("stop")),
        seed(root.get("seed")),
        stream,
        includeUsage);
  }

  private static Integer positiveInt(JsonNode root, String name) {
    JsonNode v = root.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.canConvertToExactIntegral() || !v.canConvertToInt()) {
      throw ApiError.invalid("'" + name + "' must be an integer, got " + v + ".", name);
    }
    if (v.asInt() < 1) {
      throw ApiError.invalid("'" + name + "' must be at least 1, got " + v.asInt() + ".", name);
    }
    return v.asInt();
  }

  private static Double number(JsonNode root, String name, double min, double max) {
    JsonNode v = root.get(name);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isNumber()) {
      throw ApiError.invalid("'" + name + "' must be a number, got " + v + ".", name);
    }
    double d = v.asDouble();
    if (!(d >= min && d <= max)) {
      throw ApiError.invalid(
          "'" + name + "' must be between " + min + " and " + max + ", got " + v + ".", name);
    }
    return d;
  }

  private static boolean bool(JsonNode root, String name) {
    JsonNode v = root.get(name);
    if (v == null || v.isNull()) {
      return false;
    }
    if (!v.isBoolean()) {
      throw ApiError.invalid("'" + name + "' must be true or false, got " + v + ".", name);
    }
    return v.asBoolean();
  }

  private static Long seed(JsonNode v) {
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.canConvertToExactIntegral() || !v.canConvertToLong()) {
      throw ApiError.invalid("'seed' must be an integer, got " + v + ".", "seed");
    }
    return v.asLong();
  }

  private static List<String> stop(JsonNode v) {
    if (v == null || v.isNull()) {
      return List.of();
    }
    if (v.isTextual()) {
      return List.of(v.asText());
    }
    if (v.isArray()) {
      if (v.size() > MAX_STOP_SEQUENCES) {
        throw ApiError.invalid(
            "'stop' holds at most " + MAX_STOP_SEQUENCES + " sequences, got " + v.size() + ".",
            "stop");
      }
      List<String> stops = new ArrayList<>();
      for (JsonNode s : v) {
        if (!s.isTextual()) {
          throw ApiError.invalid("'stop' must hold strings, got " + s + ".", "stop");
        }
        stops.add(s.asText());
      }
      return stops;
    }
    throw ApiError.invalid("'stop' must be a string or a list of strings.", "stop");
  }
}
