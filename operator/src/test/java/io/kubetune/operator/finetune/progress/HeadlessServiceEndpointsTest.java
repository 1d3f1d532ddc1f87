package io.kubetune.operator.finetune.progress;

import static org.assertj.core.api.Assertions.assertThat;

import io.kubetune.operator.support.Fixtures;
import org.junit.jupiter.api.Test;

class HeadlessServiceEndpointsTest {

  @Test
  void rankZeroIsReachedThroughTheHeadlessServicesDnsName() {
    var job = Fixtures.job("team-a", "qwen", Fixtures.LORA_SPEC);
    assertThat(new HeadlessServiceEndpoints().statusBaseUrl(job))
        .hasToString("http://qwen-0.qwen-workers.team-a.svc:9400");
  }
}
