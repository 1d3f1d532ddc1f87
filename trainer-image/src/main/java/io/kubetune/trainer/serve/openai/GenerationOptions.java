package io.kubetune.trainer.serve.openai;

import java.util.List;

/**
 * What both completion endpoints take besides the prompt; null fields were not given (the server's
 * defaults apply).
 *
 * @param maxTokens max_completion_tokens, else max_tokens
 * @param includeUsage stream_options.include_usage
 */
public record GenerationOptions(
    String model,
    Integer maxTokens,
    Double temperature,
    Double topP,
    List<String> stop,
    Long seed,
    boolean stream,
    boolean includeUsage) {

  public GenerationOptions {
    stop = List.copyOf(stop);
  }
}
