package io.kubetune.trainer.train;

/** Answers an evaluation prompt with the model as it is now. */
@FunctionalInterface
public interface ReplySampler {
  String reply(String prompt);
}
