package io.kubetune.trainer.chat;

import io.kubetune.trainer.model.ModelConfig;
import io.kubetune.trainer.tokenizer.Tokenizer;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ids that end a reply: the eos ids of generation_config.json and config.json, the tokenizer's
 * eos, and the end-of-turn tokens a chat template writes (a template that closes turns with
 * <|im_end|> or <|eot_id|> teaches the model to stop there, whatever eos_token says).
 */
public final class StopTokens {
  /** End-of-turn tokens of the Llama-family chat formats. */
  static final List<String> END_OF_TURN =
      List.of("<|im_end|>", "<|eot_id|>", "<|end|>", "<|endoftext|>", "</s>", "<|end_of_text|>");

  private StopTokens() {}

  public static Set<Integer> of(
      ModelConfig config, GenerationDefaults generation, Tokenizer tokenizer, String template) {
    Set<Integer> ids = new TreeSet<>(generation.eosTokenIds());
    ids.addAll(config.eosTokenIds());
    tokenizer.eosId().ifPresent(ids::add);
    if (template != null) {
      for (String token : END_OF_TURN) {
        if (template.contains(token)) {
          tokenizer.tokenId(token).ifPresent(ids::add);
        }
      }
    }
    return Set.copyOf(ids);
  }
}
