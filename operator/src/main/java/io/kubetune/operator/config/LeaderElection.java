package io.kubetune.operator.config;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Leader election through the Lease {@code kubetune-operator} in the operator's namespace, so that
 * two replicas are safe: only the leader reconciles. A replica that loses the lease exits, so that
 * Kubernetes restarts it as a candidate (JOSDK would otherwise stay up without reconciling). Active
 * in the prod profile only ({@code quarkus.operator-sdk.activate-leader-election-for-profiles}).
 */
public class LeaderElection {

  public static final String LEASE_NAME = "kubetune-operator";

  @Produces
  @Singleton
  LeaderElectionConfiguration leaderElection() {
    // JOSDK 5.3.2's build() means exitOnStopLeading=false: a replica that lost the lease would
    // log "Stopped leading, configured not to exit" and go on reconciling beside the new leader.
    // buildForTest(true) is the only way to ask for the exit (System.exit(1) on lost lease).
    return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE_NAME)
        .buildForTest(true);
  }
}
