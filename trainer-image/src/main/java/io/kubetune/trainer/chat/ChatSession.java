package io.kubetune.trainer.chat;

import io.kubetune.trainer.generate.Generation;
import io.kubetune.trainer.generate.SamplingParams;
import io.kubetune.trainer.tokenizer.ChatMessage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/**
 * A multi-turn conversation in the terminal: each reply streams as it is generated and joins the
 * history. Commands: /reset (forget the conversation), /system TEXT, /exit.
 */
public final class ChatSession {
  private final ChatModel model;
  private final SamplingParams sampling;
  private final PrintStream out;
  private final List<ChatMessage> history = new ArrayList<>();
  private String system;

  public ChatSession(ChatModel model, SamplingParams sampling, String system, PrintStream out) {
    this.model = model;
    this.sampling = sampling;
    this.system = system;
    this.out = out;
  }

  /** Answers one user message, streaming the reply to out; returns the reply. */
  public Generation ask(String userMessage) {
    List<ChatMessage> messages = new ArrayList<>();
    if (system != null && !system.isBlank()) {
      messages.add(new ChatMessage("system", system));
    }
    messages.addAll(history);
    messages.add(new ChatMessage("user", userMessage));
    Generation reply =
        model.reply(
            messages,
            sampling,
            (id, text) -> {
              out.print(text);
              out.flush();
            });
    out.println();
    history.add(new ChatMessage("user", userMessage));
    history.add(new ChatMessage("assistant", reply.text()));
    return reply;
  }

  /** Reads messages until /exit or the end of input. */
  public void loop(BufferedReader in, boolean prompt) throws IOException {
    while (true) {
      if (prompt) {
        out.print("\nyou> ");
        out.flush();
      }
      String line = in.readLine();
      if (line == null || line.strip().equals("/exit") || line.strip().equals("/quit")) {
        return;
      }
      String text = line.strip();
      if (text.isEmpty()) {
        continue;
      }
      if (text.equals("/reset")) {
        history.clear();
        out.println("(conversation cleared)");
      } else if (text.startsWith("/system")) {
        system = text.substring("/system".length()).strip();
        history.clear();
        out.println("(system prompt set; conversation cleared)");
      } else {
        if (prompt) {
          out.print("assistant> ");
        }
        ask(text);
      }
    }
  }
}
