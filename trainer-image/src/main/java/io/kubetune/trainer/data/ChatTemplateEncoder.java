package io.kubetune.trainer.data;

import io.kubetune.trainer.tokenizer.ChatMessage;
import io.kubetune.trainer.tokenizer.ChatTemplate;
import io.kubetune.trainer.tokenizer.ChatTemplateException;
import io.kubetune.trainer.tokenizer.Tokenizer;
import java.util.Arrays;
import java.util.List;

/**
 * Labels for a chat rendered with a HuggingFace chat template (the tokenizer's own), by rendering
 * prefixes and comparing token sequences, the method of the fixture generator:
 *
 * <ol>
 *   <li>ids = tokens of render(all messages) (no special tokens added: the template writes them);
 *   <li>for each assistant message i: P = tokens of render(messages[:i], generation prompt), Q =
 *       tokens of render(messages[:i+1]); both must be prefixes of ids;
 *   <li>the reply's span starts at len(P) and ends at the last special token in [len(P), len(Q))
 *       inclusive: the end-of-turn token (Llama 3's eot_id, ChatML's im_end) is learned, what the
 *       template writes after it (ChatML's newline) is not. Without a special token there, the span
 *       is all of [len(P), len(Q)).
 * </ol>
 *
 * A template that renders an earlier turn differently once later turns exist (e.g. one that drops
 * past reasoning) is not prefix-stable; such a sample is refused with the reason.
 */
public final class ChatTemplateEncoder implements SampleEncoder {
  private final Tokenizer tokenizer;
  private final ChatTemplate template;

  public ChatTemplateEncoder(Tokenizer tokenizer, ChatTemplate template) {
    this.tokenizer = tokenizer;
    this.template = template;
  }

  @Override
  public EncodedSample encode(Sample sample) throws InvalidRecordException {
    if (!(sample instanceof Sample.Chat chat)) {
      throw new IllegalArgumentException("ChatTemplateEncoder encodes chats");
    }
    List<ChatMessage> messages = chat.messages();
    int[] ids = tokens(messages, false);
    int[] labels = new int[ids.length];
    Arrays.fill(labels, EncodedSample.IGNORE_INDEX);
    for (int i = 0; i < messages.size(); i++) {
      if (!chat.trained(i)) { // user and system turns, and replies marked "loss": false
        continue;
      }
      int start = prefixLength(tokens(messages.subList(0, i), true), ids, i);
      int end = prefixLength(tokens(messages.subList(0, i + 1), false), ids, i);
      int last = end - 1;
      for (int p = end - 1; p >= start; p--) {
        if (tokenizer.isSpecial(ids[p])) {
          last = p;
          break;
        }
      }
      for (int p = start; p <= last; p++) {
        labels[p] = ids[p];
      }
    }
    return EncodedSample.of(ids, labels);
  }

  private int[] tokens(List<ChatMessage> messages, boolean generationPrompt)
      throws InvalidRecordException {
    try {
      return tokenizer.encode(template.render(messages, generationPrompt), false);
    } catch (ChatTemplateException e) {
      throw new InvalidRecordException(e.getMessage());
    }
  }

  private static int prefixLength(int[] prefix, int[] ids, int message)
      throws InvalidRecordException {
    if (prefix.length > ids.length
        || !Arrays.equals(prefix, 0, prefix.length, ids, 0, prefix.length)) {
      throw new InvalidRecordException(
          "the chat template renders the conversation up to messages["
              + message
              + "] differently from the whole conversation, so the reply cannot be located;"
              + " use an XTuner template (internlm2_chat, qwen_chat, llama3_chat)");
    }
    return prefix.length;
  }
}
