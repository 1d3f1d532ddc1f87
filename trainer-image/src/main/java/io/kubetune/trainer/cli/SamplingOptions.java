package io.kubetune.trainer.cli;

import io.kubetune.trainer.chat.GenerationDefaults;
import io.kubetune.trainer.generate.SamplingParams;
import java.util.List;
import java.util.Set;
import picocli.CommandLine.Option;

/** Generation flags shared by chat and quickstart; unset ones come from generation_config.json. */
final class SamplingOptions {
  @Option(names = "--max-tokens", paramLabel = "N", description = "Longest reply (default 256).")
  int maxTokens = 256;

  @Option(
      names = "--temperature",
      paramLabel = "T",
      description = "0 for greedy (default: the model's generation_config.json, else 0).")
  Double temperature;

  @Option(names = "--top-p", paramLabel = "P", description = "Nucleus sampling mass.")
  Double topP;

  @Option(names = "--top-k", paramLabel = "K", description = "Sample among the K best tokens.")
  Integer topK;

  @Option(
      names = "--repetition-penalty",
      paramLabel = "R",
      description = "Above 1 discourages repeats.")
  Double repetitionPenalty;

  @Option(names = "--seed", paramLabel = "N", description = "Seed for sampling.")
  Long seed;

  SamplingParams params(GenerationDefaults defaults) {
    return new SamplingParams(
        maxTokens,
        temperature != null ? temperature : defaults.temperature(),
        topK != null ? topK : defaults.topK(),
        topP != null ? topP : defaults.topP(),
        repetitionPenalty != null ? repetitionPenalty : defaults.repetitionPenalty(),
        seed,
        Set.of(),
        List.of());
  }
}
