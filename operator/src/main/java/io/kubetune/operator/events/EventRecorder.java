package io.kubetune.operator.events;

import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.kubetune.operator.errors.ApiRefusal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Records core/v1 Events about a custom resource (kubectl describe shows them). Not in a namespace
 * being deleted: what happens there (pods killed by the deletion) is the deletion, not news, and
 * the API server refuses new objects in it anyway.
 */
@ApplicationScoped
public class EventRecorder {
  public static final String COMPONENT = "kubetune-operator";
  private static final Logger LOG = Logger.getLogger(EventRecorder.class);
  private static final AtomicLong SEQUENCE = new AtomicLong();

  @Inject KubernetesClient client;

  public void record(HasMetadata about, List<EventSpec> events) {
    if (events.isEmpty()) {
      return;
    }
    if (namespaceEnding(about.getMetadata().getNamespace())) {
      LOG.debugf(
          "namespace %s is being deleted: no events about %s",
          about.getMetadata().getNamespace(), about.getMetadata().getName());
      return;
    }
    for (EventSpec e : events) {
      record(about, e);
    }
  }

  /** True when the namespace is being deleted (once it is gone, creating an Event fails: 404). */
  boolean namespaceEnding(String namespace) {
    try {
      Namespace ns = client.namespaces().withName(namespace).get();
      return ns != null
          && (ns.getMetadata().getDeletionTimestamp() != null
              || (ns.getStatus() != null && "Terminating".equals(ns.getStatus().getPhase())));
    } catch (KubernetesClientException e) {
      LOG.debugf("cannot read namespace %s: %s", namespace, e.getMessage());
      return false;
    }
  }

  public void record(HasMetadata about, EventSpec event) {
    String now = Instant.now().toString();
    var meta = about.getMetadata();
    try {
      client
          .v1()
          .events()
          .inNamespace(meta.getNamespace())
          .resource(
              new EventBuilder()
                  .withNewMetadata()
                  .withName(
                      meta.getName()
                          + "."
                          + Long.toHexString(System.currentTimeMillis())
                          + Long.toHexString(SEQUENCE.incrementAndGet()))
                  .withNamespace(meta.getNamespace())
                  .endMetadata()
                  .withNewInvolvedObject()
                  .withApiVersion(about.getApiVersion())
                  .withKind(about.getKind())
                  .withName(meta.getName())
                  .withNamespace(meta.getNamespace())
                  .withUid(meta.getUid())
                  .withResourceVersion(meta.getResourceVersion())
                  .endInvolvedObject()
                  .withType(event.type())
                  .withReason(event.reason())
                  .withMessage(event.message())
                  .withNewSource()
                  .withComponent(COMPONENT)
                  .endSource()
                  .withReportingComponent(COMPONENT)
                  .withFirstTimestamp(now)
                  .withLastTimestamp(now)
                  .withCount(1)
                  .build())
          .create();
    } catch (KubernetesClientException e) {
      // an Event is best effort: never fail a reconciliation for it
      if (ApiRefusal.of(e).map(ApiRefusal::gone).orElse(false)) {
        LOG.debugf("no event %s on %s: %s", event.reason(), meta.getName(), e.getMessage());
      } else {
        LOG.warnf(
            "could not record event %s on %s/%s: %s",
            event.reason(), meta.getNamespace(), meta.getName(), e.getMessage());
      }
    }
  }
}
