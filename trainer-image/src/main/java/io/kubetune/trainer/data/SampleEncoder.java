package io.kubetune.trainer.data;

/**
 * Turns a standard-form sample into token ids and labels (untruncated; the loader truncates). One
 * implementation per way of building labels: XTuner's encode_fn, the tokenizer's own chat template,
 * and pre-training text.
 */
public interface SampleEncoder {
  /**
   * @throws InvalidRecordException when the sample cannot be encoded this way (e.g. the chat
   *     template refuses it)
   */
  EncodedSample encode(Sample sample) throws InvalidRecordException;
}
