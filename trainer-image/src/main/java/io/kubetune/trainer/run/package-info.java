/**
 * Recipes: each wires the components of the lower packages for one command, the way a torchtune
 * recipe sits beside its components.
 *
 * <p>The life of one {@code kubetune train} ({@link io.kubetune.trainer.run.TrainingRun}): load the
 * tokenizer and the data ({@code data.TrainingData}); find the newest checkpoint; {@link
 * io.kubetune.trainer.run.RunModel#load} loads the model in the dtypes the method and precision ask
 * for, sets up the method and restores that checkpoint (after checking that it was written for this
 * model and method); restore the optimizer's moments; work out the plan (total steps, the data
 * position to resume from, the chat template training uses: {@link
 * io.kubetune.trainer.run.TrainingTemplate}); run {@code train.Trainer}; export {@code hf/} and
 * {@code adapter/} ({@link io.kubetune.trainer.run.RunExport}); draw the loss curve. Listeners hear
 * each phase: loading, training, checkpointing, exporting, done.
 *
 * <p>{@code kubetune export} ({@link io.kubetune.trainer.run.RunExport#fromCheckpoint}) goes
 * through the same {@link io.kubetune.trainer.run.RunModel#load}, so it writes what training would
 * have written at that checkpoint and refuses the same mismatches with the same message.
 */
package io.kubetune.trainer.run;
