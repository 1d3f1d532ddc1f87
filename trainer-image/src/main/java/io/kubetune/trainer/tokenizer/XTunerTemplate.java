package io.kubetune.trainer.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One entry of XTuner's {@code PROMPT_TEMPLATE} (xtuner 0.2.0, xtuner/utils/templates.py). The
 * strings are Python format strings: {@code SYSTEM} takes {@code {system}}, {@code INSTRUCTION}
 * takes {@code {input}} and {@code {round}} (1-based).
 *
 * <p>This one definition drives training ({@code XTunerEncoder} in the data package), export
 * ({@link #toJinja()} goes into tokenizer_config.json's chat_template) and serving (which renders
 * that Jinja), so the three cannot disagree.
 *
 * @param name the XTuner name, e.g. qwen_chat
 * @param system SYSTEM
 * @param instruction INSTRUCTION: the user turn and the header that opens the reply
 * @param suffix SUFFIX appended to every reply, with loss ("" when the template has none)
 * @param suffixAsEos SUFFIX_AS_EOS: the suffix ends a reply, so no eos token is appended
 * @param sep SEP after every reply, without loss ("" when the template has none)
 * @param stopWords STOP_WORDS: generation stops at any of them
 */
public record XTunerTemplate(
    String name,
    String system,
    String instruction,
    String suffix,
    boolean suffixAsEos,
    String sep,
    List<String> stopWords) {

  public XTunerTemplate {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(system, "system");
    Objects.requireNonNull(instruction, "instruction");
    suffix = suffix == null ? "" : suffix;
    sep = sep == null ? "" : sep;
    stopWords = List.copyOf(stopWords);
    // fail at definition time, not in the middle of a training run
    PythonFormat.parse(system, Set.of("system"));
    PythonFormat.parse(instruction, Set.of("input", "round"));
  }

  /** SYSTEM.format(system=...) */
  public String formatSystem(String systemText) {
    return PythonFormat.format(system, java.util.Map.of("system", systemText));
  }

  /** INSTRUCTION.format(input=..., round=...) */
  public String formatInstruction(String input, int round) {
    return PythonFormat.format(
        instruction, java.util.Map.of("input", input, "round", Integer.toString(round)));
  }

  /**
   * The HuggingFace chat template (Jinja2) that renders conversations exactly as XTuner builds its
   * training text, for tokenizer_config.json. It follows openai_map_fn: a system message applies to
   * the next reply only, consecutive user messages are concatenated, assistant messages before the
   * first system or user message are skipped, and user messages after the last reply are rendered
   * only with add_generation_prompt. {@code bos_token} opens the text when the tokenizer has one
   * (Qwen tokenizers have none, which matches XTuner's rule for them).
   */
  public String toJinja() {
    StringBuilder j = new StringBuilder();
    j.append("{% set ns = namespace(system='', input='', pending=false, started=false,")
        .append(" round=0, bos=true) %}");
    j.append("{% for message in messages %}");
    j.append("{% if message['role'] == 'system' %}")
        .append("{% set ns.system = message['content'] %}{% set ns.started = true %}");
    j.append("{% elif message['role'] == 'user' %}")
        .append("{% set ns.input = ns.input + message['content'] %}")
        .append("{% set ns.pending = true %}{% set ns.started = true %}");
    j.append("{% elif message['role'] == 'assistant' %}{% if ns.started %}");
    j.append("{% set ns.round = ns.round + 1 %}");
    appendPrompt(j);
    j.append("{{ message['content'] }}");
    appendLiteral(j, suffix);
    if (!suffixAsEos) {
      j.append("{{ eos_token }}");
    }
    j.append(suffixAsEos ? "{% set ns.bos = false %}" : "{% set ns.bos = true %}");
    appendLiteral(j, sep);
    j.append("{% set ns.system = '' %}{% set ns.input = '' %}{% set ns.pending = false %}");
    j.append("{% endif %}");
    j.append("{% else %}{{ raise_exception('")
        .append(escape(name))
        .append(" supports the roles system, user and assistant, got ' + message['role']) }}");
    j.append("{% endif %}{% endfor %}");
    j.append("{% if add_generation_prompt and ns.pending %}");
    j.append("{% set ns.round = ns.round + 1 %}");
    appendPrompt(j);
    j.append("{% endif %}");
    return j.toString();
  }

  /** bos (when due), SYSTEM (when set) and INSTRUCTION for the turn in progress. */
  private void appendPrompt(StringBuilder j) {
    j.append("{% if ns.bos and bos_token %}{{ bos_token }}{% endif %}");
    j.append("{% if ns.system %}");
    appendFormat(j, system);
    j.append("{% endif %}");
    appendFormat(j, instruction);
  }

  private static void appendFormat(StringBuilder j, String format) {
    List<String> parts = new ArrayList<>();
    for (PythonFormat.Piece p : PythonFormat.parse(format, Set.of("system", "input", "round"))) {
      if (p.field() == null) {
        parts.add("'" + escape(p.text()) + "'");
      } else {
        parts.add(
            switch (p.field()) {
              case "system" -> "ns.system";
              case "input" -> "ns.input";
              default -> "(ns.round|string)";
            });
      }
    }
    if (!parts.isEmpty()) {
      j.append("{{ ").append(String.join(" + ", parts)).append(" }}");
    }
  }

  private static void appendLiteral(StringBuilder j, String text) {
    if (!text.isEmpty()) {
      j.append("{{ '").append(escape(text)).append("' }}");
    }
  }

  /** A Jinja2 single-quoted literal body (raw newlines are allowed in both Jinja2 and Jinjava). */
  private static String escape(String text) {
    return text.replace("\\", "\\\\").replace("'", "\\'");
  }
}
