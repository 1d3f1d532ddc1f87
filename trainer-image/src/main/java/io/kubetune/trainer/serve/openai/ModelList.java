package io.kubetune.trainer.serve.openai;

import java.util.List;

/** GET /v1/models. */
public record ModelList(String object, List<Model> data) {
  public static ModelList of(Model model) {
    return new ModelList("list", List.of(model));
  }

  /** GET /v1/models/{model}. */
  public record Model(String id, String object, long created, String ownedBy) {
    public static Model of(String id, long created) {
      return new Model(id, "model", created, "kubetune");
    }
  }
}
