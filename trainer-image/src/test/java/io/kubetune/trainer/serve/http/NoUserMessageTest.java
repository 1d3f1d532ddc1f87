package io.kubetune.trainer.serve.http;

import static io.kubetune.trainer.serve.http.TestServer.json;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.kubetune.trainer.serve.BatchEngine;
import io.kubetune.trainer.tokenizer.JinjaChatTemplate;
import io.kubetune.trainer.tokenizer.XTunerTemplate;
import io.kubetune.trainer.tokenizer.XTunerTemplates;
import java.net.http.HttpResponse;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Conversations with no user message (system only, developer only, assistant only, ...), streamed
 * and not, across chat templates: the fixture models' own (HuggingFace style) and the ones kubetune
 * export writes (XTuner's, as the quickstart's export has). The server renders what the template
 * renders; a template that renders nothing for them (XTuner's open a reply only after a user
 * message) gets a 400 on messages that says so. Never a 5xx.
 */
class NoUserMessageTest {
  /** Conversations without a user message, by name (the JSON of their messages). */
  private static final Map<String, String> CONVERSATIONS = new LinkedHashMap<>();

  static {
    CONVERSATIONS.put("system only", "[{\"role\": \"system\", \"content\": \"Be brief.\"}]");
    CONVERSATIONS.put("developer only", "[{\"role\": \"developer\", \"content\": \"Be brief.\"}]");
    CONVERSATIONS.put("assistant only", "[{\"role\": \"assistant\", \"content\": \"Hello!\"}]");
    CONVERSATIONS.put(
        "system then assistant",
        "[{\"role\": \"system\", \"content\": \"Be brief.\"},"
            + " {\"role\": \"assistant\", \"content\": \"Hello!\"}]");
    CONVERSATIONS.put(
        "ends with an assistant message",
        "[{\"role\": \"user\", \"content\": \"Hi\"},"
            + " {\"role\": \"assistant\", \"content\": \"Hello!\"}]");
  }

  private static final Map<String, TestServer> SERVERS = new LinkedHashMap<>();

  @BeforeAll
  static void start() {
    for (String model : List.of("qwen2", "llama", "internlm2")) {
      SERVERS.put(
          model,
          TestServer.start(model, new BatchEngine.Config(2, 8, 256), TestServer.options(null)));
    }
  }

  @AfterAll
  static void stop() {
    SERVERS.values().forEach(TestServer::close);
  }

  @Test
  void theModelsOwnTemplatesRenderEveryConversation() {
    for (var server : SERVERS.entrySet()) {
      server.getValue().ready();
      for (var conversation : CONVERSATIONS.entrySet()) {
        assertAnswered(server.getValue(), server.getKey(), conversation.getValue(), "ok");
      }
    }
  }

  @Test
  void exportedXTunerTemplatesRefuseConversationsTheyRenderAsNothing() {
    Map<String, XTunerTemplate> exported =
        Map.of(
            "qwen2", XTunerTemplates.QWEN_CHAT, // the quickstart's export
            "llama", XTunerTemplates.LLAMA3_CHAT,
            "internlm2", XTunerTemplates.INTERNLM2_CHAT);
    for (var server : SERVERS.entrySet()) {
      TestServer s = server.getValue();
      s.serveWithTemplate(
          new JinjaChatTemplate(
              exported.get(server.getKey()).toJinja(),
              JinjaChatTemplate.specialTokenVariables(s.tokenizer().config())));
      try {
        for (var conversation : CONVERSATIONS.entrySet()) {
          boolean rendersNothing =
              !conversation.getKey().equals("system then assistant")
                  && !conversation.getKey().equals("ends with an assistant message");
          assertAnswered(
              s, server.getKey(), conversation.getValue(), rendersNothing ? "refused" : "ok");
        }
      } finally {
        s.ready();
      }
    }
  }

  /**
   * @param expected "ok" (200 with a reply) or "refused" (400 on messages that names the cause)
   */
  private static void assertAnswered(
      TestServer server, String model, String messages, String expected) {
    for (boolean stream : new boolean[] {false, true}) {
      String body =
          "{\"model\": \""
              + model
              + "\", \"max_tokens\": 4, \"stream\": "
              + stream
              + ", \"messages\": "
              + messages
              + "}";
      HttpResponse<String> r = server.post("/v1/chat/completions", body);
      String what = model + " " + messages + " stream=" + stream + ": " + r.body();
      assertThat(r.statusCode()).as(what).isLessThan(500);
      if (expected.equals("refused")) {
        JsonNode error = OpenAiApiTest.assertError(r, 400, "messages", null);
        assertThat(error.get("message").asText())
            .as(what)
            .contains("chat template")
            .contains("user message");
      } else if (stream) {
        assertThat(r.statusCode()).as(what).isEqualTo(200);
        List<String> data = TestServer.sseData(r.body());
        assertThat(data).as(what).last().isEqualTo("[DONE]");
        assertThat(
                json(data.get(data.size() - 2)).get("choices").get(0).get("finish_reason").asText())
            .as(what)
            .isIn("stop", "length");
      } else {
        assertThat(r.statusCode()).as(what).isEqualTo(200);
        assertThat(json(r.body()).get("usage").get("completion_tokens").asInt())
            .as(what)
            .isBetween(0, 4);
      }
    }
  }
}
