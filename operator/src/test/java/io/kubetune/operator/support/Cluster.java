package io.kubetune.operator.support;

import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.crd.FineTuneJobStatus;
import io.kubetune.operator.crd.ModelServe;
import io.kubetune.operator.crd.ModelServeStatus;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/** Waiting for what the operator does in one namespace of the mock API server. */
public final class Cluster {
  public static final Duration WAIT = Duration.ofSeconds(30);

  private final KubernetesClient client;
  private final String namespace;

  public Cluster(KubernetesClient client, String namespace) {
    this.client = client;
    this.namespace = namespace;
  }

  public <T extends HasMetadata> T get(Class<T> type, String name) {
    return client.resources(type).inNamespace(namespace).withName(name).get();
  }

  public <T extends HasMetadata> T awaitObject(Class<T> type, String name) {
    return await(type, name, o -> true);
  }

  /** Waits until the object exists and matches. */
  public <T extends HasMetadata> T await(Class<T> type, String name, Predicate<T> condition) {
    return Awaitility.await()
        .atMost(WAIT)
        .until(() -> get(type, name), o -> o != null && condition.test(o));
  }

  public FineTuneJobStatus awaitJobStatus(String name, Predicate<FineTuneJobStatus> condition) {
    return await(
            FineTuneJob.class, name, j -> j.getStatus() != null && condition.test(j.getStatus()))
        .getStatus();
  }

  public ModelServeStatus awaitServeStatus(String name, Predicate<ModelServeStatus> condition) {
    return await(
            ModelServe.class, name, ms -> ms.getStatus() != null && condition.test(ms.getStatus()))
        .getStatus();
  }

  /** The Events about an object, oldest first. */
  public List<Event> events(String name) {
    return client.v1().events().inNamespace(namespace).list().getItems().stream()
        .filter(e -> name.equals(e.getInvolvedObject().getName()))
        .toList();
  }

  public Optional<Event> event(String name, String reason) {
    return events(name).stream().filter(e -> reason.equals(e.getReason())).findFirst();
  }

  /** Waits for an Event with this reason about the object; on time-out prints the others. */
  public Event awaitEvent(String name, String reason) {
    return Awaitility.await()
        .conditionEvaluationListener(
            c -> {
              if (c.getRemainingTimeInMS() < 1000) {
                events(name)
                    .forEach(
                        e -> System.out.println("EVENT " + e.getReason() + " " + e.getMessage()));
              }
            })
        .atMost(WAIT)
        .until(() -> event(name, reason).orElse(null), e -> e != null);
  }

  public static String httpGet(URI uri) throws IOException, InterruptedException {
    return HttpClient.newHttpClient()
        .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString())
        .body();
  }

  public static int httpStatus(URI uri) {
    try {
      return HttpClient.newHttpClient()
          .send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
