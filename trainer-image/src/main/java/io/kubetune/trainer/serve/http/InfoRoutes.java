package io.kubetune.trainer.serve.http;

import io.javalin.http.Context;
import io.kubetune.trainer.serve.openai.ModelList;
import io.kubetune.trainer.serve.openai.OpenAiJson;
import java.util.Map;

/** GET /health, /metrics, /v1/models and /v1/models/{model}. */
final class InfoRoutes {
  private final ModelSlot slot;
  private final ServeMetrics metrics;

  InfoRoutes(ModelSlot slot, ServeMetrics metrics) {
    this.slot = slot;
    this.metrics = metrics;
  }

  /**
   * 200 once the model is loaded; 503 before, and while the server drains (readiness fails, so that
   * no new traffic is routed here).
   */
  void health(Context ctx) {
    var model = slot.get();
    ctx.contentType("application/json");
    if (slot.draining()) {
      ctx.status(503).result(OpenAiJson.write(Map.of("status", "draining")));
    } else if (model.isPresent()) {
      ctx.result(OpenAiJson.write(Map.of("status", "ok", "model", model.get().name())));
    } else {
      ctx.status(503).result(OpenAiJson.write(Map.of("status", "loading")));
    }
  }

  void metrics(Context ctx) {
    byte[] scrape = metrics.scrape();
    // declared, so that HEAD says it too (a large body would otherwise go out chunked)
    ctx.res().setContentLength(scrape.length);
    ctx.contentType(metrics.contentType()).result(scrape);
  }

  void models(Context ctx) {
    ServedModel model = slot.require();
    ctx.contentType("application/json")
        .result(OpenAiJson.write(ModelList.of(ModelList.Model.of(model.name(), model.created()))));
  }

  void model(Context ctx) {
    ServedModel model = slot.require();
    model.checkName(ctx.pathParam("model"));
    ctx.contentType("application/json")
        .result(OpenAiJson.write(ModelList.Model.of(model.name(), model.created())));
  }
}
