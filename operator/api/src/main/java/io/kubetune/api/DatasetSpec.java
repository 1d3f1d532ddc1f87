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
@ValidationRule(
    value = "!has(self.imageFolder) || (has(self.format) && self.format == 'llava')",
    message = "imageFolder is read only for format llava")
public record DatasetSpec(
    @Required
        @Pattern(SourceUri.SOURCE_PATTERN)
        @ValidationRule(
            value = SourceUri.NORMALISED_RULE,
            message = SourceUri.NOT_NORMALISED_MESSAGE)
        @Size(max = SourceUri.MAX_LENGTH)
        @JsonPropertyDescription(
            "The dataset file: file:///abs/path, pvc://claim/path,"
                + " hf://datasets/org/name[@revision]/path/file.jsonl (a file of a HuggingFace"
                + " dataset repository) or s3://bucket/key (fetched once with an ETag check).")
        String source,
    @JsonPropertyDescription(
            "Record format: openai (messages; an assistant message with loss: false is context,"
                + " not a target), alpaca (instruction/input/output; other fields, system included,"
                + " are not read, as in XTuner), sharegpt (conversations with from/value), xtuner"
                + " (conversation: [{system, input, output, output_with_loss}]), text (raw text"
                + " for incremental pre-training) or llava (LLaVA's JSON: id, image, conversations"
                + " with <image> in a human turn; needs a model with a vision tower). Default"
                + " openai.")
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
        Integer maxSamples,
    @Pattern(SourceUri.PATTERN)
        @ValidationRule(
            value = SourceUri.NORMALISED_RULE,
            message = SourceUri.NOT_NORMALISED_MESSAGE)
        @Size(max = SourceUri.MAX_LENGTH)
        @JsonPropertyDescription(
            "For format llava: the folder the records' image paths are relative to (file:///abs"
                + " or pvc://claim/path). Default: the dataset file's folder.")
        String imageFolder) {

  /** A dataset with no image folder. */
  public DatasetSpec(
      String source, Format format, Template template, OnInvalid onInvalid, Integer maxSamples) {
    this(source, format, template, onInvalid, maxSamples, null);
  }

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
    TEXT,
    @JsonProperty("llava")
    LLAVA
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
