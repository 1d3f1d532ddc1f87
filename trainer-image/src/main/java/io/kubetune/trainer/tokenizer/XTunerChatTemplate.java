package io.kubetune.trainer.tokenizer;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Renders a chat as text the way XTuner builds its training samples (template_map_fn, then the
 * pieces of encode_fn joined), bos and eos written as their token strings. {@link
 * XTunerTemplate#toJinja()} renders the same text through a HuggingFace chat template.
 */
public final class XTunerChatTemplate implements ChatTemplate {
  /** Tokenizer classes for which XTuner's get_bos_eos_token_ids uses no bos. */
  public static final Set<String> NO_BOS_TOKENIZER_CLASSES =
      Set.of("QWenTokenizer", "QWen2Tokenizer", "Qwen2TokenizerFast", "Qwen2Tokenizer");

  private final XTunerTemplate template;
  private final Optional<String> bosToken;
  private final Optional<String> eosToken;

  public XTunerChatTemplate(
      XTunerTemplate template, Optional<String> bosToken, Optional<String> eosToken) {
    this.template = template;
    this.bosToken = bosToken;
    this.eosToken = eosToken;
  }

  /**
   * With the bos and eos of {@code tokenizer}, under XTuner's rule: no bos for Qwen tokenizers.
   * (transformers 5 names the fast Qwen2 class Qwen2Tokenizer; XTuner 0.2.0 saw Qwen2TokenizerFast
   * for the same tokenizer.)
   */
  public static XTunerChatTemplate of(XTunerTemplate template, Tokenizer tokenizer) {
    return new XTunerChatTemplate(
        template, xtunerBos(tokenizer), tokenizer.specialToken("eos_token"));
  }

  /** XTuner's bos for this tokenizer: none for Qwen tokenizers, else bos_token. */
  public static Optional<String> xtunerBos(Tokenizer tokenizer) {
    boolean qwen =
        tokenizer.config().tokenizerClass().map(NO_BOS_TOKENIZER_CLASSES::contains).orElse(false);
    return qwen ? Optional.empty() : tokenizer.specialToken("bos_token");
  }

  public XTunerTemplate template() {
    return template;
  }

  @Override
  public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
    XTunerConversation c;
    try {
      c = XTunerConversation.of(messages);
    } catch (IllegalArgumentException e) {
      throw new ChatTemplateException(e.getMessage(), e);
    }
    StringBuilder text = new StringBuilder();
    boolean needsBos = true;
    int round = 0;
    for (XTunerConversation.Turn t : c.turns()) {
      round++;
      prompt(text, needsBos, t.system(), t.input(), round);
      text.append(t.output()).append(template.suffix());
      if (!template.suffixAsEos()) {
        eosToken.ifPresent(text::append);
      }
      needsBos = !template.suffixAsEos();
      text.append(template.sep());
    }
    if (addGenerationPrompt && c.hasPendingUser()) {
      prompt(text, needsBos, c.pendingSystem(), c.pendingInput(), round + 1);
    }
    return text.toString();
  }

  private void prompt(
      StringBuilder text, boolean needsBos, String system, String input, int round) {
    if (needsBos) {
      bosToken.ifPresent(text::append);
    }
    if (!system.isEmpty()) {
      text.append(template.formatSystem(system));
    }
    text.append(template.formatInstruction(input, round));
  }
}
