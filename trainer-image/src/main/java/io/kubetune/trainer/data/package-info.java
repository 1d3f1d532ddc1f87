/**
 * The life of one sample, as XTuner has it: a record of a dataset file ({@code openai}, {@code
 * alpaca}, {@code sharegpt}, {@code xtuner} or {@code text} format) is read into the standard form
 * ({@link io.kubetune.trainer.data.Sample}), rendered with a chat template and tokenized into input
 * ids and labels ({@link io.kubetune.trainer.data.EncodedSample}, -100 where there is no loss),
 * truncated to maxLength (the head is kept), and batched, packed or padded ({@link
 * io.kubetune.trainer.data.Batch}) in a seeded, resumable order ({@link
 * io.kubetune.trainer.data.TrainingDataIterator}).
 *
 * <p>Entry point for the training loop: {@link io.kubetune.trainer.data.TrainingData}.
 *
 * <p>Labels: XTuner templates follow XTuner 0.2.0's encode_fn exactly ({@link
 * io.kubetune.trainer.data.XTunerEncoder}); the tokenizer's own template supervises each reply
 * through its end-of-turn token ({@link io.kubetune.trainer.data.ChatTemplateEncoder}); text is
 * pre-training, every token but bos supervised ({@link io.kubetune.trainer.data.PretrainEncoder}).
 * The batch's label convention (aligned with ids, shifted by the runtime, no cross-sample targets)
 * is documented on {@link io.kubetune.trainer.data.Batch}.
 *
 * <p>Memory: files are streamed record by record; samples are kept as token arrays (about 4 bytes
 * per token) so that every epoch can be shuffled and resumed exactly.
 */
package io.kubetune.trainer.data;
