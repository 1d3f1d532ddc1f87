package io.kubetune.trainer.data;

import io.kubetune.trainer.tokenizer.PythonStr;
import io.kubetune.trainer.tokenizer.Tokenizer;

/**
 * Incremental pre-training, as XTuner's pretrain_map_fn + encode_fn: [bos] + ids(text.strip()),
 * labels [-100] + ids (bos as XTuner chooses it: none for Qwen tokenizers); no eos is appended.
 */
public final class PretrainEncoder implements SampleEncoder {
  private final Tokenizer tokenizer;
  private final int[] bos;

  public PretrainEncoder(Tokenizer tokenizer) {
    this.tokenizer = tokenizer;
    this.bos = XTunerEncoder.xtunerBosIds(tokenizer);
  }

  @Override
  public EncodedSample encode(Sample sample) {
    if (!(sample instanceof Sample.Text text)) {
      throw new IllegalArgumentException("PretrainEncoder encodes text samples");
    }
    TokenSequence seq = new TokenSequence();
    seq.add(bos, false);
    seq.add(tokenizer.encode(PythonStr.strip(text.text()), false), true);
    return seq.toSample();
  }
}
