package io.kubetune.operator.finetune.progress;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingConfigurationBuilder;
import io.javaoperatorsdk.operator.processing.event.source.polling.PerResourcePollingEventSource;
import io.kubetune.api.TrainingProgress;
import io.kubetune.operator.config.OperatorConfig;
import io.kubetune.operator.crd.FineTuneJob;
import io.kubetune.operator.finetune.FineTuneJobStatuses;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executors;
import org.jboss.logging.Logger;

/**
 * Reads the trainer's progress endpoint of each running job, at most once per poll interval (5 s),
 * as a JOSDK event source: a changed report triggers a reconciliation that mirrors it into the
 * status. Unreachable trainers (starting, restarting) report nothing; the status keeps the last
 * report.
 */
@ApplicationScoped
public class ProgressPoller
    implements PerResourcePollingEventSource.ResourceFetcher<TrainingProgress, FineTuneJob> {
  public static final String NAME = "trainer-progress";
  static final int POLL_THREADS = 4;
  private static final Logger LOG = Logger.getLogger(ProgressPoller.class);

  private final ObjectMapper json =
      new ObjectMapper()
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
          .enable(DeserializationFeature.READ_UNKNOWN_ENUM_VALUES_AS_NULL);

  @Inject TrainerEndpoints endpoints;
  @Inject OperatorConfig config;

  private volatile HttpClient http;

  public PerResourcePollingEventSource<TrainingProgress, FineTuneJob, String> eventSource(
      EventSourceContext<FineTuneJob> context) {
    return new PerResourcePollingEventSource<>(
        TrainingProgress.class,
        context,
        new PerResourcePollingConfigurationBuilder<TrainingProgress, FineTuneJob, String>(
                this, config.progress().pollInterval())
            .withName(NAME)
            // a trainer that does not answer holds a thread for the timeout: poll several at once
            .withExecutorService(Executors.newScheduledThreadPool(POLL_THREADS))
            .withResourceIDMapper(p -> "progress")
            .build());
  }

  @Override
  public Set<TrainingProgress> fetchResources(FineTuneJob job) {
    if (!running(job)) {
      return Set.of();
    }
    return read(job).map(Set::of).orElse(Set.of());
  }

  /** One GET of /progress; empty when the trainer does not answer (yet). */
  public Optional<TrainingProgress> read(FineTuneJob job) {
    String base = endpoints.statusBaseUrl(job).toString();
    URI uri =
        URI.create(
            (base.endsWith("/") ? base.substring(0, base.length() - 1) : base)
                + TrainingProgress.PATH);
    try {
      HttpResponse<String> response =
          client()
              .send(
                  HttpRequest.newBuilder(uri).timeout(config.progress().timeout()).GET().build(),
                  HttpResponse.BodyHandlers.ofString());
      if (response.statusCode() != 200) {
        LOG.debugf("progress of %s: HTTP %d", uri, response.statusCode());
        return Optional.empty();
      }
      return Optional.of(json.readValue(response.body(), TrainingProgress.class));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } catch (Exception e) {
      LOG.debugf("progress of %s unavailable: %s", uri, e.toString());
      return Optional.empty();
    }
  }

  static boolean running(FineTuneJob job) {
    String phase = job.getStatus() == null ? null : job.getStatus().phase();
    return FineTuneJobStatuses.RUNNING.equals(phase) || FineTuneJobStatuses.EXPORTING.equals(phase);
  }

  private HttpClient client() {
    if (http == null) {
      http = HttpClient.newBuilder().connectTimeout(config.progress().timeout()).build();
    }
    return http;
  }
}
