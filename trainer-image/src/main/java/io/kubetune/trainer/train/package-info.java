/**
 * The training loop and its components, independent of any job file: {@code run} wires them for one
 * job.
 *
 * <p>One optimizer step ({@link io.kubetune.trainer.train.Trainer}): take gradientAccumulation
 * micro-batches (x the number of ranks) from the data iterator and hand them to the {@link
 * io.kubetune.trainer.train.StepEngine} (the {@code zero} package's ZeroEngine, for one rank or
 * many): for each micro-batch it re-seeds dropout, turns the batch into tensors ({@link
 * io.kubetune.trainer.train.BatchTensors}), runs the training view of the {@link
 * io.kubetune.trainer.train.TrainableModel} forward layer by layer, takes the summed cross-entropy
 * ({@link io.kubetune.trainer.train.CausalLmLoss}) divided by the step's total target count, and
 * backpropagates; then it clips the global gradient norm, updates with {@link
 * io.kubetune.trainer.train.AdamW} at the {@link io.kubetune.trainer.train.LearningRateSchedule}'s
 * rate, and the loop tells the {@link io.kubetune.trainer.train.TrainingListener}s. On its cadence
 * (and after the last step) the loop writes a checkpoint ({@link
 * io.kubetune.trainer.train.CheckpointStore}: every rank's shard of the trainable tensors and
 * optimizer moments, a manifest, {@link io.kubetune.trainer.train.CheckpointState}) and answers the
 * evaluation prompts ({@link io.kubetune.trainer.train.ReplySampler}).
 *
 * <p>Everything that decides the numbers (the loss weighting, AdamW, the schedule, clipping)
 * follows PyTorch and transformers step for step, and is tested against them. Resuming is exact:
 * the checkpoint holds the data position, the optimizer step and the moments, and dropout's seeds
 * depend only on the step.
 */
package io.kubetune.trainer.train;
