/**
 * The training loop and its components, independent of any job file: {@code run} wires them for one
 * job.
 *
 * <p>One optimizer step ({@link io.kubetune.trainer.train.Trainer}): take gradientAccumulation
 * micro-batches from the data iterator; for each, re-seed dropout from (seed, step, micro-batch),
 * turn the batch into tensors ({@link io.kubetune.trainer.train.BatchTensors}), run the training
 * view of the {@link io.kubetune.trainer.train.TrainableModel} forward, take the summed
 * cross-entropy ({@link io.kubetune.trainer.train.CausalLmLoss}) divided by the step's total target
 * count, and backpropagate; then clip the global gradient norm ({@link
 * io.kubetune.trainer.train.GradientClipping}), update with {@link io.kubetune.trainer.train.AdamW}
 * at the {@link io.kubetune.trainer.train.LearningRateSchedule}'s rate, zero the gradients, and
 * tell the {@link io.kubetune.trainer.train.TrainingListener}s. On its cadence (and after the last
 * step) the loop writes a checkpoint ({@link io.kubetune.trainer.train.CheckpointStore}: trainable
 * tensors, optimizer moments, {@link io.kubetune.trainer.train.CheckpointState}) and answers the
 * evaluation prompts ({@link io.kubetune.trainer.train.ReplySampler}).
 *
 * <p>Everything that decides the numbers (the loss weighting, AdamW, the schedule, clipping)
 * follows PyTorch and transformers step for step, and is tested against them. Resuming is exact:
 * the checkpoint holds the data position, the optimizer step and the moments, and dropout's seeds
 * depend only on the step.
 */
package io.kubetune.trainer.train;
