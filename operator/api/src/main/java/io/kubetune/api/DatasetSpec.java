package io.kubetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Required;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/** One dataset file (JSONL or JSON) and how to read it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatasetSpec(
    @Required
        @Pattern(SourceUri.PATTERN)
        @ValidationRule(
            value = SourceUri.NORMALISED_RULE,
            message = SourceUri.NOT_NORMALISED_MESSAGE)
        @Size(max = SourceUri.MAX_LENGTH)
        @JsonPropertyDescription("The dataset file: file:///abs/path or pvc://claim/path.")
        String source,
    @JsonPropertyDescription(
            "Record format: openai (messages), alpaca (instruction/input/output), sharegpt"
                + " (conversations with from/value), xtuner (conversation: [{system, input,"
                + " output}]) or text (raw text for incremental pre-training). Default openai.")
        Format format,
    @JsonPropertyDescription(
            "Chat template: internlm2_chat, qwen_chat, llama3_chat, or tokenizer (the model's own"
                + " chat_template). Ignored for format text. Default tokenizer.")
        Template template,
    @JsonPropertyDescription(
            "What a malformed line does: fail (stop with file:line and the reason) or skip (count"
                + " it and go on). Default fail.")
        OnInvalid onInvalid,
    @Min(1)
        @JsonPropertyDescription("Use at most this many samples of this dataset (default: all).")
        Integer maxSamples) {

  public DatasetSpec {
    format = format == null ? Format.OPENAI : format;
    template = template == null ? Template.TOKENIZER : template;
    onInvalid = onInvalid == null ? OnInvalid.FAIL : onInvalid;
  }

  /** Record layouts users already have. */
  public enum Format {
    @JsonProperty("openai")
    OPENAI,
    @JsonProperty("alpaca")
    ALPACA,
    @JsonProperty("sharegpt")
    SHAREGPT,
    @JsonProperty("xtuner")
    XTUNER,
    @JsonProperty("text")
    TEXT
  }

  /** Chat templates: XTuner's PROMPT_TEMPLATE entries, or the tokenizer's own. */
  public enum Template {
    @JsonProperty("internlm2_chat")
    INTERNLM2_CHAT,
    @JsonProperty("qwen_chat")
    QWEN_CHAT,
    @JsonProperty("llama3_chat")
    LLAMA3_CHAT,
    @JsonProperty("tokenizer")
    TOKENIZER
  }

  /** Policy for a malformed dataset line. */
  public enum OnInvalid {
    @JsonProperty("fail")
    FAIL,
    @JsonProperty("skip")
    SKIP
  }
}
