package io.kubetune.trainer.serve.openai;

import io.kubetune.trainer.generate.Generation;

/** Token counts of one request. */
public record Usage(int promptTokens, int completionTokens, int totalTokens) {
  public static Usage of(Generation g) {
    return new Usage(
        g.promptTokens(), g.completionTokens(), g.promptTokens() + g.completionTokens());
  }
}
