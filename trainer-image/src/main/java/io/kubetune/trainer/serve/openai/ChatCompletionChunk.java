package io.kubetune.trainer.serve.openai;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/**
 * One Server-Sent Event of a streamed chat reply ({@code object: chat.completion.chunk}): the first
 * carries the role, the next ones content, the last one the finish reason; with {@code
 * stream_options.include_usage} a final chunk with no choices carries the usage.
 */
public record ChatCompletionChunk(
    String id,
    String object,
    long created,
    String model,
    List<Choice> choices,
    @JsonInclude(JsonInclude.Include.NON_NULL) Usage usage) {

  private static final String OBJECT = "chat.completion.chunk";

  public static ChatCompletionChunk role(String id, long created, String model) {
    return new ChatCompletionChunk(
        id,
        OBJECT,
        created,
        model,
        List.of(new Choice(0, new Delta("assistant", ""), null, null)),
        null);
  }

  public static ChatCompletionChunk content(String id, long created, String model, String text) {
    return new ChatCompletionChunk(
        id,
        OBJECT,
        created,
        model,
        List.of(new Choice(0, new Delta(null, text), null, null)),
        null);
  }

  public static ChatCompletionChunk finish(
      String id, long created, String model, String finishReason) {
    return new ChatCompletionChunk(
        id,
        OBJECT,
        created,
        model,
        List.of(new Choice(0, new Delta(null, null), null, finishReason)),
        null);
  }

  public static ChatCompletionChunk usage(String id, long created, String model, Usage usage) {
    return new ChatCompletionChunk(id, OBJECT, created, model, List.of(), usage);
  }

  public record Choice(int index, Delta delta, Object logprobs, String finishReason) {}

  /** What the chunk adds: the role (first chunk) and/or content; absent fields are left out. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Delta(String role, String content) {}
}
