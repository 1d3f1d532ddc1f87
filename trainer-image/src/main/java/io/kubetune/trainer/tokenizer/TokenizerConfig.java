package io.kubetune.trainer.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What {@code tokenizer_config.json} says beyond tokenizer.json: the named special tokens, the chat
 * template(s) and the tokenizer class.
 *
 * @param specialTokens the named special tokens that are set (bos_token, eos_token, pad_token,
 *     unk_token, sep_token, cls_token, mask_token), by name, in file order; these are also the
 *     variables a chat template sees
 * @param additionalSpecialTokens additional_special_tokens (also a template variable)
 * @param specialAddedTokens contents of added_tokens_decoder entries marked special
 * @param chatTemplates chat templates by name; a plain string template is named "default"
 * @param tokenizerClass tokenizer_class, e.g. Qwen2Tokenizer (empty when absent)
 */
public record TokenizerConfig(
    Map<String, String> specialTokens,
    List<String> additionalSpecialTokens,
    List<String> specialAddedTokens,
    Map<String, String> chatTemplates,
    Optional<String> tokenizerClass) {

  /** The named special tokens HF's SpecialTokensMixin knows, in its order. */
  public static final List<String> SPECIAL_TOKEN_NAMES =
      List.of(
          "bos_token",
          "eos_token",
          "unk_token",
          "sep_token",
          "pad_token",
          "cls_token",
          "mask_token");

  public static final String DEFAULT_TEMPLATE = "default";

  public TokenizerConfig {
    specialTokens = Collections.unmodifiableMap(new LinkedHashMap<>(specialTokens));
    additionalSpecialTokens = List.copyOf(additionalSpecialTokens);
    specialAddedTokens = List.copyOf(specialAddedTokens);
    chatTemplates = Collections.unmodifiableMap(new LinkedHashMap<>(chatTemplates));
  }

  public static TokenizerConfig empty() {
    return new TokenizerConfig(Map.of(), List.of(), List.of(), Map.of(), Optional.empty());
  }

  /**
   * Reads {@code dir/tokenizer_config.json} (absent: empty). A chat template may also live in
   * {@code chat_template.jinja} beside it, as recent transformers releases save it.
   */
  public static TokenizerConfig read(Path dir, ObjectMapper json) throws IOException {
    Path file = dir.resolve("tokenizer_config.json");
    JsonNode root = Files.exists(file) ? Tokenizer.readJson(file) : json.createObjectNode();
    Map<String, String> special = new LinkedHashMap<>();
    for (String name : SPECIAL_TOKEN_NAMES) {
      tokenText(root.get(name)).ifPresent(t -> special.put(name, t));
    }
    List<String> additional = new ArrayList<>();
    for (JsonNode t : iterable(root.get("additional_special_tokens"))) {
      tokenText(t).ifPresent(additional::add);
    }
    List<String> specialAdded = new ArrayList<>();
    JsonNode decoder = root.get("added_tokens_decoder");
    if (decoder != null && decoder.isObject()) {
      for (JsonNode t : iterable(decoder)) {
        if (t.path("special").asBoolean(false)) {
          specialAdded.add(t.path("content").asText());
        }
      }
    }
    Map<String, String> templates = new LinkedHashMap<>();
    JsonNode ct = root.get("chat_template");
    if (ct != null && ct.isTextual()) {
      templates.put(DEFAULT_TEMPLATE, ct.asText());
    } else if (ct != null && ct.isArray()) {
      // [{"name": "default", "template": "..."}, {"name": "tool_use", ...}]
      for (JsonNode t : ct) {
        templates.put(t.path("name").asText(), t.path("template").asText());
      }
    }
    Path jinja = dir.resolve("chat_template.jinja");
    if (!templates.containsKey(DEFAULT_TEMPLATE) && Files.exists(jinja)) {
      templates.put(DEFAULT_TEMPLATE, Files.readString(jinja));
    }
    Optional<String> cls =
        root.hasNonNull("tokenizer_class")
            ? Optional.of(root.get("tokenizer_class").asText())
            : Optional.empty();
    return new TokenizerConfig(special, additional, specialAdded, templates, cls);
  }

  /** The default chat template, if the tokenizer has one. */
  public Optional<String> chatTemplate() {
    return Optional.ofNullable(chatTemplates.get(DEFAULT_TEMPLATE));
  }

  /** A token is either a string or an AddedToken object {"content": ...}; null means unset. */
  private static Optional<String> tokenText(JsonNode node) {
    if (node == null || node.isNull()) {
      return Optional.empty();
    }
    if (node.isTextual()) {
      return Optional.of(node.asText());
    }
    if (node.isObject() && node.hasNonNull("content")) {
      return Optional.of(node.get("content").asText());
    }
    return Optional.empty();
  }

  private static Iterable<JsonNode> iterable(JsonNode node) {
    return node == null ? List.of() : node::elements;
  }
}
