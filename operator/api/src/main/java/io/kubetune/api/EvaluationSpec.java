package io.kubetune.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Size;
import java.util.List;

/** Replies sampled for a few prompts while training, as XTuner's EvaluateChatHook does. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record EvaluationSpec(
    @Size(max = 16) @JsonPropertyDescription("User prompts to answer (default none).")
        List<String> prompts,
    @Size(max = 8192)
        @JsonPropertyDescription("System prompt for the evaluation chats (default none).")
        String systemPrompt,
    @Min(1) @JsonPropertyDescription("Sample replies every N optimizer steps (default 50).")
        Integer everySteps,
    @Min(1) @Max(4096) @JsonPropertyDescription("Longest reply, in tokens (default 64).")
        Integer maxNewTokens) {

  public EvaluationSpec {
    prompts = prompts == null ? List.of() : List.copyOf(prompts);
    everySteps = everySteps == null ? 50 : everySteps;
    maxNewTokens = maxNewTokens == null ? 64 : maxNewTokens;
  }

  public static EvaluationSpec defaults() {
    return new EvaluationSpec(null, null, null, null);
  }
}
