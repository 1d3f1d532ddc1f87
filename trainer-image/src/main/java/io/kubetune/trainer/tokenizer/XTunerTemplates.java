package io.kubetune.trainer.tokenizer;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * XTuner's prompt templates that kubetune offers, re-stated from xtuner 0.2.0
 * xtuner/utils/templates.py (PROMPT_TEMPLATE); the fixture templates.json records the same strings
 * under {@code xtuner_templates} and a test compares them.
 */
public final class XTunerTemplates {
  public static final XTunerTemplate INTERNLM2_CHAT =
      new XTunerTemplate(
          "internlm2_chat",
          "<|im_start|>system\n{system}<|im_end|>\n",
          "<|im_start|>user\n{input}<|im_end|>\n<|im_start|>assistant\n",
          "<|im_end|>",
          true,
          "\n",
          List.of("<|im_end|>"));

  public static final XTunerTemplate QWEN_CHAT =
      new XTunerTemplate(
          "qwen_chat",
          "<|im_start|>system\n{system}<|im_end|>\n",
          "<|im_start|>user\n{input}<|im_end|>\n<|im_start|>assistant\n",
          "<|im_end|>",
          true,
          "\n",
          List.of("<|im_end|>", "<|endoftext|>"));

  public static final XTunerTemplate LLAMA3_CHAT =
      new XTunerTemplate(
          "llama3_chat",
          "<|start_header_id|>system<|end_header_id|>\n\n{system}<|eot_id|>",
          "<|start_header_id|>user<|end_header_id|>\n\n{input}<|eot_id|>"
              + "<|start_header_id|>assistant<|end_header_id|>\n\n",
          "<|eot_id|>",
          true,
          "", // llama3_chat has no SEP
          List.of("<|eot_id|>"));

  /** By XTuner name, in a fixed order. */
  public static final Map<String, XTunerTemplate> ALL =
      byName(INTERNLM2_CHAT, QWEN_CHAT, LLAMA3_CHAT);

  private XTunerTemplates() {}

  public static Optional<XTunerTemplate> named(String name) {
    return Optional.ofNullable(ALL.get(name));
  }

  private static Map<String, XTunerTemplate> byName(XTunerTemplate... templates) {
    Map<String, XTunerTemplate> m = new LinkedHashMap<>();
    for (XTunerTemplate t : templates) {
      m.put(t.name(), t);
    }
    return java.util.Collections.unmodifiableMap(m);
  }
}
