package io.kubetune.trainer.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.kubetune.trainer.dist.Rendezvous;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The contract between the operator and the trainer for multi-node jobs: the environment of every
 * pod the operator's Indexed Job makes (its golden output, with the completion index filled in as
 * the Job controller does) is one the trainer accepts, and the ranks it starts cover 0 ..
 * WORLD_SIZE - 1 exactly once: one rank per CPU pod, one per GPU (started by the trainer itself)
 * where a pod has several.
 */
class OperatorPodEnvironmentContractTest {
  private static final Path GOLDEN =
      Path.of(System.getProperty("kubetune.repoRoot", ".."))
          .resolve("operator/src/test/resources/golden/finetunejob");
  private static final String INDEX =
      "metadata.annotations['batch.kubernetes.io/job-completion-index']";

  @ParameterizedTest
  @ValueSource(strings = {"multi-node-cpu", "multi-node-gpus", "single-node"})
  void everyPodOfTheJobStartsRanksTheTrainerAccepts(String golden) throws IOException {
    JsonNode job = job(GOLDEN.resolve(golden + ".yaml"));
    String name = job.path("metadata").path("name").asText();
    int pods = job.path("spec").path("completions").asInt();
    JsonNode container = job.path("spec").path("template").path("spec").path("containers").get(0);
    List<Integer> ranks = new ArrayList<>();
    int world = -1;
    for (int index = 0; index < pods; index++) {
      Map<String, String> env = podEnvironment(container, index);
      int perNode = DistributedEnvironment.perNode(env);
      List<Map<String, String>> rankEnvs = new ArrayList<>();
      if (perNode == 1) {
        rankEnvs.add(env);
      } else {
        assertThat(env).as("RANK is the trainer's to set").doesNotContainKey("RANK");
        LocalLauncher.Node node = LocalLauncher.node(env, perNode);
        assertThat(node.nodeRank()).isEqualTo(index);
        for (int local = 0; local < perNode; local++) {
          Map<String, String> child = new HashMap<>(env);
          child.putAll(LocalLauncher.rankEnvironment(node, local, env, null));
          rankEnvs.add(child);
        }
      }
      for (Map<String, String> rankEnv : rankEnvs) {
        Rendezvous r = DistributedEnvironment.rendezvous(rankEnv);
        ranks.add(r.rank());
        world = r.world();
        if (r.distributed()) {
          assertThat(r.masterAddr()).isEqualTo(name + "-0." + name + "-workers");
          assertThat(r.masterPort()).isEqualTo(29500);
        }
      }
    }
    assertThat(world).isEqualTo(ranks.size());
    assertThat(new TreeSet<>(ranks)).hasSize(world).first().isEqualTo(0);
    assertThat(new TreeSet<>(ranks).last()).isEqualTo(world - 1);
  }

  /** The container's variables as a pod with this completion index sees them. */
  private static Map<String, String> podEnvironment(JsonNode container, int index) {
    Map<String, String> env = new HashMap<>();
    for (JsonNode v : container.path("env")) {
      String path = v.path("valueFrom").path("fieldRef").path("fieldPath").asText("");
      if (v.has("value")) {
        env.put(v.get("name").asText(), v.get("value").asText());
      } else if (path.equals(INDEX)) {
        env.put(v.get("name").asText(), String.valueOf(index));
      }
    }
    return env;
  }

  private static JsonNode job(Path golden) throws IOException {
    ObjectMapper yaml = new ObjectMapper(new YAMLFactory());
    for (JsonNode doc :
        yaml.readValues(yaml.createParser(golden.toFile()), JsonNode.class).readAll()) {
      if ("Job".equals(doc.path("kind").asText())) {
        return doc;
      }
    }
    throw new AssertionError(golden + " has no Job");
  }
}
