package io.kubetune.operator;

import java.util.LinkedHashMap;
import java.util.Map;

/** The labels on everything the operator creates. */
public final class Labels {
  private Labels() {}

  public static final String NAME = "app.kubernetes.io/name";
  public static final String INSTANCE = "app.kubernetes.io/instance";
  public static final String COMPONENT = "app.kubernetes.io/component";
  public static final String PART_OF = "app.kubernetes.io/part-of";
  public static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  public static final String FINETUNEJOB = "kubetune.io/finetunejob";
  public static final String MODELSERVE = "kubetune.io/modelserve";

  public static final String OPERATOR = "kubetune-operator";

  /** Selects what this operator manages; its informers watch only these objects. */
  public static final String MANAGED_SELECTOR = MANAGED_BY + "=" + OPERATOR;

  /** Objects that belong to a FineTuneJob. */
  public static Map<String, String> trainer(String job) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, "kubetune-trainer");
    labels.put(INSTANCE, job);
    labels.put(COMPONENT, "trainer");
    labels.put(PART_OF, "kubetune");
    labels.put(MANAGED_BY, OPERATOR);
    labels.put(FINETUNEJOB, job);
    return labels;
  }

  /** Objects that belong to a ModelServe. */
  public static Map<String, String> server(String modelServe) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(NAME, "kubetune-server");
    labels.put(INSTANCE, modelServe);
    labels.put(COMPONENT, "server");
    labels.put(PART_OF, "kubetune");
    labels.put(MANAGED_BY, OPERATOR);
    labels.put(MODELSERVE, modelServe);
    return labels;
  }
}
