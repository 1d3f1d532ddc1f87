package io.kubetune.trainer.data;

import io.kubetune.trainer.tokenizer.Tokenizer;
import io.kubetune.trainer.tokenizer.XTunerChatTemplate;
import io.kubetune.trainer.tokenizer.XTunerConversation;
import io.kubetune.trainer.tokenizer.XTunerTemplate;
import java.util.OptionalInt;
import java.util.stream.IntStream;

/**
 * XTuner 0.2.0's encode_fn (xtuner/dataset/utils.py) after openai_map_fn and template_map_fn. Per
 * turn: [bos if due] (no loss) + input = SYSTEM (when set) + INSTRUCTION (no loss) + output +
 * SUFFIX (loss) + [eos unless SUFFIX_AS_EOS] (loss) + SEP (no loss). Each piece is tokenized on its
 * own without special tokens, so BPE merges never cross a piece boundary. bos: none for Qwen
 * tokenizers, else the tokenizer's bos (absent: none).
 */
public final class XTunerEncoder implements SampleEncoder {
  private final Tokenizer tokenizer;
  private final XTunerTemplate template;
  private final int[] bos;
  private final int[] eos;

  public XTunerEncoder(Tokenizer tokenizer, XTunerTemplate template) {
    this.tokenizer = tokenizer;
    this.template = template;
    this.bos = xtunerBosIds(tokenizer);
    this.eos = tokenizer.eosId().stream().toArray();
  }

  /** XTuner's get_bos_eos_token_ids: no bos for Qwen tokenizers, else [bos_token_id]. */
  static int[] xtunerBosIds(Tokenizer tokenizer) {
    return XTunerChatTemplate.xtunerBos(tokenizer)
        .map(tokenizer::tokenId)
        .map(OptionalInt::stream)
        .orElse(IntStream.empty())
        .toArray();
  }

  @Override
  public EncodedSample encode(Sample sample) throws InvalidRecordException {
    if (!(sample instanceof Sample.Chat chat)) {
      throw new IllegalArgumentException(
          "XTunerEncoder encodes chats; text goes to PretrainEncoder");
    }
    XTunerConversation conversation;
    try {
      conversation = XTunerConversation.of(chat.messages());
    } catch (IllegalArgumentException e) {
      throw new InvalidRecordException(e.getMessage());
    }
    if (!template.suffixAsEos() && eos.length == 0) {
      throw new InvalidRecordException(
          template.name() + " appends eos to every reply, but the tokenizer has no eos_token");
    }
    TokenSequence seq = new TokenSequence();
    boolean nextNeedsBos = true;
    int round = 0;
    for (XTunerConversation.Turn turn : conversation.turns()) {
      round++;
      String input =
          (turn.system().isEmpty() ? "" : template.formatSystem(turn.system()))
              + template.formatInstruction(turn.input(), round);
      if (nextNeedsBos) {
        seq.add(bos, false);
      }
      seq.add(tokenizer.encode(input, false), false);
      // XTuner's output_with_loss: an untrained reply is context, eos included
      boolean loss = chat.trained(turn.outputMessage());
      seq.add(tokenizer.encode(turn.output() + template.suffix(), false), loss);
      if (!template.suffixAsEos()) {
        seq.add(eos, loss);
      }
      nextNeedsBos = !template.suffixAsEos();
      if (!template.sep().isEmpty()) {
        seq.add(tokenizer.encode(template.sep(), false), false);
      }
    }
    return seq.toSample();
  }
}
