package io.kubetune.operator.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class LeaderElectionTest {

  @Test
  void aLostLeaseExits() {
    AtomicInteger exits = new AtomicInteger();
    assertThat(LeaderElection.onStopLeading(() -> false, exits::incrementAndGet)).isTrue();
    assertThat(exits).hasValue(1);
  }

  /** Stopping leadership during shutdown must not call System.exit: it would block for ever. */
  @Test
  void stoppingDuringShutdownDoesNotExit() {
    AtomicInteger exits = new AtomicInteger();
    assertThat(LeaderElection.onStopLeading(() -> true, exits::incrementAndGet)).isFalse();
    assertThat(exits).hasValue(0);
  }

  @Test
  void aRunningJvmIsNotShuttingDown() {
    assertThat(LeaderElection.shuttingDown()).isFalse();
  }

  @Test
  void exitOnStopLeadingOfJosdkIsOff() {
    var config = new LeaderElection().leaderElection();
    assertThat(config.isExitOnStopLeading()).isFalse();
    assertThat(config.getLeaderCallbacks()).isPresent();
    assertThat(config.getLeaseName()).isEqualTo(LeaderElection.LEASE_NAME);
  }
}
