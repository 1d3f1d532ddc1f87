package io.kubetune.trainer.chat;

import io.kubetune.trainer.generate.Generation;
import io.kubetune.trainer.generate.Generator;
import io.kubetune.trainer.generate.SamplingParams;
import io.kubetune.trainer.generate.TokenListener;
import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.tokenizer.ChatMessage;
import io.kubetune.trainer.tokenizer.ChatTemplate;
import io.kubetune.trainer.tokenizer.Tokenizer;
import java.util.List;
import java.util.Set;

/**
 * A model that chats: renders a conversation with the chat template the model was trained with,
 * generates, and stops on the ids that end a turn.
 *
 * @param stopTokenIds every id that ends a reply (eos ids and the template's end-of-turn token)
 */
public record ChatModel(
    CausalLm model,
    Tokenizer tokenizer,
    ChatTemplate template,
    Set<Integer> stopTokenIds,
    ai.djl.ndarray.NDManager manager) {

  /** The prompt's token ids: the conversation rendered with a generation prompt. */
  public int[] promptIds(List<ChatMessage> messages) {
    // chat templates write bos themselves; adding special tokens again would double it
    return tokenizer.encode(template.render(messages, true), false);
  }

  public Generation reply(
      List<ChatMessage> messages, SamplingParams params, TokenListener listener) {
    SamplingParams withStops =
        params.stopTokenIds().isEmpty() ? params.withStopTokenIds(stopTokenIds) : params;
    return new Generator(model, manager)
        .generate(promptIds(messages), withStops, ids -> tokenizer.decode(ids, true), listener);
  }
}
