package io.kubetune.operator.serve;

/** The names of what a ModelServe owns: all are the ModelServe's own name. */
public record ServingNames(String name, String namespace) {
  public static final int HTTP_PORT = 8000;
  public static final int SERVICE_PORT = 80;

  public String deployment() {
    return name;
  }

  public String service() {
    return name;
  }

  public String autoscaler() {
    return name;
  }

  /** The base URL of the OpenAI-compatible API. */
  public String url() {
    return "http://" + name + "." + namespace + ".svc/v1";
  }
}
