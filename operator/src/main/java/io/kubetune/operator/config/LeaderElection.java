package io.kubetune.operator.config;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import io.javaoperatorsdk.operator.api.config.LeaderElectionConfigurationBuilder;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/**
 * Leader election through the Lease {@code kubetune-operator} in the operator's namespace, so that
 * two replicas are safe: only the leader reconciles. Active in the prod profile only (the Quarkus
 * Operator SDK default, {@code quarkus.operator-sdk.activate-leader-election-for-profiles}).
 */
public class LeaderElection {

  public static final String LEASE_NAME = "kubetune-operator";

  @Produces
  @Singleton
  LeaderElectionConfiguration leaderElection() {
    return LeaderElectionConfigurationBuilder.aLeaderElectionConfiguration(LEASE_NAME).build();
  }
}
