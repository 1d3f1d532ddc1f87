package io.kubetune.operator.config;

import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.function.BooleanSupplier;
import org.jboss.logging.Logger;

/**
 * Leader election through the Lease {@code kubetune-operator} in the operator's namespace, so that
 * two replicas are safe: only the leader reconciles. A replica that loses the lease exits with
 * status 1, so that Kubernetes restarts it as a candidate (JOSDK would otherwise stay up without
 * reconciling). Active in the prod profile only ({@code
 * quarkus.operator-sdk.activate-leader-election-for-profiles}).
 *
 * <p>JOSDK's own exit ({@code exitOnStopLeading}) is not used: it calls {@code System.exit} from
 * the stop-leading callback, which also runs when the operator stops on SIGTERM, inside Quarkus'
 * shutdown hook; {@code System.exit} in a shutdown hook blocks for ever, so the process hung until
 * SIGKILL (the pod's whole termination grace period). Seen against a real API server by the e2e
 * tests; {@link #onStopLeading} exits only when the JVM is not already shutting down.
 */
public class LeaderElection {
  private static final Logger LOG = Logger.getLogger(LeaderElection.class);

  public static final String LEASE_NAME = "kubetune-operator";

  /** The exit status of a replica that lost the lease. */
  public static final int LOST_LEASE_EXIT_STATUS = 1;

  @Produces
  @Singleton
  LeaderElectionConfiguration leaderElection() {
    return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE_NAME)
        .withLeaderCallbacks(
            new LeaderCallbacks(
                () -> {},
                () ->
                    onStopLeading(
                        LeaderElection::shuttingDown,
                        () ->
                            new Thread(() -> System.exit(LOST_LEASE_EXIT_STATUS), "lost-lease-exit")
                                .start()),
                identity -> {}))
        .build();
  }

  /**
   * Called when this replica stops leading: on a lost lease, or because the operator is stopping.
   * Exits in the first case only.
   *
   * @return whether it asked for the exit
   */
  static boolean onStopLeading(BooleanSupplier shuttingDown, Runnable exit) {
    if (shuttingDown.getAsBoolean()) {
      return false;
    }
    LOG.warnf(
        "lost the Lease %s: exiting with status %d so that this replica restarts as a candidate",
        LEASE_NAME, LOST_LEASE_EXIT_STATUS);
    exit.run();
    return true;
  }

  /** True once the JVM has begun its shutdown (shutdown hooks can no longer be added then). */
  static boolean shuttingDown() {
    Thread probe = new Thread(() -> {});
    try {
      Runtime.getRuntime().addShutdownHook(probe);
      Runtime.getRuntime().removeShutdownHook(probe);
      return false;
    } catch (IllegalStateException e) {
      return true;
    }
  }
}
