package io.kubetune.trainer.chat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * generation_config.json: the ids that end a reply, and the model author's sampling defaults.
 *
 * @param temperature 0 when the file says do_sample is false (or says nothing)
 */
public record GenerationDefaults(
    Set<Integer> eosTokenIds, double temperature, double topP, int topK, double repetitionPenalty) {

  public static final String FILE = "generation_config.json";

  public static GenerationDefaults read(Path modelDir) throws IOException {
    Path file = modelDir.resolve(FILE);
    if (!Files.exists(file)) {
      return new GenerationDefaults(Set.of(), 0, 1, 0, 1);
    }
    JsonNode g = new ObjectMapper().readTree(file.toFile());
    Set<Integer> eos = new LinkedHashSet<>();
    JsonNode ids = g.path("eos_token_id");
    if (ids.isArray()) {
      ids.forEach(n -> eos.add(n.asInt()));
    } else if (ids.isNumber()) {
      eos.add(ids.asInt());
    }
    boolean sample = g.path("do_sample").asBoolean(false);
    return new GenerationDefaults(
        Set.copyOf(eos),
        sample ? g.path("temperature").asDouble(1.0) : 0,
        g.path("top_p").asDouble(1.0),
        g.path("top_k").asInt(0),
        g.path("repetition_penalty").asDouble(1.0));
  }
}
