package io.kubetune.trainer.serve.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * A reply of POST /v1/completions ({@code object: text_completion}); streamed replies send the same
 * shape per chunk, without usage until the optional last chunk.
 */
public record TextCompletion(
    String id,
    String object,
    long created,
    String model,
    List<Choice> choices,
    @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage) {

  private static final String OBJECT = "text_completion";

  public static TextCompletion of(
      String id, long created, String model, String text, String finishReason, Usage usage) {
    return new TextCompletion(
        id, OBJECT, created, model, List.of(new Choice(text, 0, null, finishReason)), usage);
  }

  public static TextCompletion usageOnly(String id, long created, String model, Usage usage) {
    return new TextCompletion(id, OBJECT, created, model, List.of(), usage);
  }

  public record Choice(String text, int index, Object logprobs, String finishReason) {}
}
