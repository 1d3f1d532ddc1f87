package io.kubetune.trainer.tokenizer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

class XTunerTemplateTest {
  private static final JsonNode FIXTURE = Fixtures.templates();

  @Test
  void stringsAreXTuners() {
    JsonNode ref = FIXTURE.get("xtuner_templates");
    assertThat(XTunerTemplates.ALL.keySet())
        .containsExactly("internlm2_chat", "qwen_chat", "llama3_chat");
    for (XTunerTemplate t : XTunerTemplates.ALL.values()) {
      JsonNode r = ref.get(t.name());
      assertThat(t.system()).isEqualTo(r.get("SYSTEM").asText());
      assertThat(t.instruction()).isEqualTo(r.get("INSTRUCTION").asText());
      assertThat(t.suffix()).isEqualTo(r.get("SUFFIX").asText());
      assertThat(t.suffixAsEos()).isEqualTo(r.get("SUFFIX_AS_EOS").asBoolean());
      assertThat(t.sep()).isEqualTo(r.path("SEP").asText(""));
      List<String> stop = new ArrayList<>();
      r.get("STOP_WORDS").forEach(s -> stop.add(s.asText()));
      assertThat(t.stopWords()).isEqualTo(stop);
    }
  }

  /**
   * For every XTuner fixture case: the XTuner rendering and the exported Jinja rendering both equal
   * the text XTuner trained on; with the last reply removed and a generation prompt, both equal
   * that text up to where the last reply starts.
   */
  @TestFactory
  Stream<DynamicTest> xtunerRenderingAndItsJinjaAgreeWithXTuner() {
    List<DynamicTest> tests = new ArrayList<>();
    for (JsonNode c : FIXTURE.get("cases")) {
      if (!c.get("kind").asText().equals("xtuner_sft")) {
        continue;
      }
      tests.add(DynamicTest.dynamicTest(c.get("name").asText(), () -> check(c)));
    }
    assertThat(tests).hasSize(18);
    return tests.stream();
  }

  private static void check(JsonNode c) throws Exception {
    XTunerTemplate template = XTunerTemplates.named(c.get("template").asText()).orElseThrow();
    String dir = FIXTURE.get("tokenizers").get(c.get("tokenizer").asText()).asText();
    List<ChatMessage> conversation = Fixtures.conversation(FIXTURE, c.get("conversation").asText());
    try (Tokenizer t = Tokenizer.load(Fixtures.root().resolve(dir))) {
      XTunerChatTemplate xtuner = XTunerChatTemplate.of(template, t);
      JinjaChatTemplate jinja =
          new JinjaChatTemplate(
              template.toJinja(), JinjaChatTemplate.specialTokenVariables(t.config()));
      String text = c.get("text").asText();
      assertThat(xtuner.render(conversation, false)).isEqualTo(text);
      assertThat(jinja.render(conversation, false)).isEqualTo(text);
      assertThat(t.encode(text, false)).isEqualTo(Fixtures.ints(c.get("input_ids")));

      // the prompt a server sends: everything before the last output segment
      StringBuilder prompt = new StringBuilder();
      JsonNode segments = c.get("segments");
      int lastOutput = 0;
      for (int i = 0; i < segments.size(); i++) {
        if (segments.get(i).get("kind").asText().equals("output")) {
          lastOutput = i;
        }
      }
      for (int i = 0; i < lastOutput; i++) {
        JsonNode s = segments.get(i);
        prompt.append(
            s.get("text").isNull()
                ? t.token(s.get("ids").get(0).asInt()).orElseThrow()
                : s.get("text").asText());
      }
      List<ChatMessage> open = conversation.subList(0, conversation.size() - 1);
      assertThat(xtuner.render(open, true)).isEqualTo(prompt.toString());
      assertThat(jinja.render(open, true)).isEqualTo(prompt.toString());
    }
  }

  /** Conversations beyond the fixture's: the Jinja export must still render what XTuner does. */
  @Test
  void jinjaFollowsOpenaiMapFnOnUnusualConversations() {
    XTunerTemplate eosTemplate =
        new XTunerTemplate(
            "test_eos", "[S]{system}[/S]", "[U{round}]{input}[/U]", "", false, "", List.of("</s>"));
    List<List<ChatMessage>> chats =
        List.of(
            List.of(
                ChatMessage.assistant("skipped greeting"),
                ChatMessage.user("a"),
                ChatMessage.user("b"),
                ChatMessage.assistant("ab")),
            List.of(
                ChatMessage.user("q1"),
                ChatMessage.assistant("r1"),
                ChatMessage.system("late system"),
                ChatMessage.user("q2 'quoted' \\ back"),
                ChatMessage.assistant("r2")),
            List.of(ChatMessage.system("only a system"), ChatMessage.assistant("reply")),
            List.of(ChatMessage.user("q"), ChatMessage.assistant("r"), ChatMessage.user("next")));
    List<XTunerTemplate> templates = new ArrayList<>(XTunerTemplates.ALL.values());
    templates.add(eosTemplate);
    for (XTunerTemplate template : templates) {
      XTunerChatTemplate xtuner =
          new XTunerChatTemplate(template, Optional.of("<s>"), Optional.of("</s>"));
      JinjaChatTemplate jinja =
          new JinjaChatTemplate(
              template.toJinja(), java.util.Map.of("bos_token", "<s>", "eos_token", "</s>"));
      for (List<ChatMessage> chat : chats) {
        for (boolean prompt : new boolean[] {false, true}) {
          assertThat(jinja.render(chat, prompt))
              .as("%s %s %s", template.name(), chat, prompt)
              .isEqualTo(xtuner.render(chat, prompt));
        }
      }
    }
    XTunerChatTemplate eos =
        new XTunerChatTemplate(eosTemplate, Optional.of("<s>"), Optional.of("</s>"));
    assertThat(eos.render(chats.get(1), false))
        .isEqualTo("<s>[U1]q1[/U]r1</s><s>[S]late system[/S][U2]q2 'quoted' \\ back[/U]r2</s>");
    assertThat(eos.render(chats.get(3), true)).isEqualTo("<s>[U1]q[/U]r</s><s>[U2]next[/U]");
  }

  @Test
  void unknownRolesAreRefusedByBoth() {
    List<ChatMessage> chat = List.of(new ChatMessage("tool", "x"), ChatMessage.assistant("y"));
    XTunerTemplate t = XTunerTemplates.QWEN_CHAT;
    assertThatThrownBy(
            () -> new XTunerChatTemplate(t, Optional.empty(), Optional.empty()).render(chat, false))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("got 'tool'");
    assertThatThrownBy(
            () -> new JinjaChatTemplate(t.toJinja(), java.util.Map.of()).render(chat, false))
        .isInstanceOf(ChatTemplateException.class)
        .hasMessageContaining("got tool");
  }

  @Test
  void badFormatStringsFailAtDefinition() {
    assertThatThrownBy(() -> new XTunerTemplate("x", "{sys}", "{input}", "", true, "", List.of()))
        .hasMessageContaining("unknown field {sys}");
  }
}
