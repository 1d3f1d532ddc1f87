package io.kubetune.trainer.chat;

import io.kubetune.trainer.generate.Generation;
import io.kubetune.trainer.generate.SamplingParams;
import io.kubetune.trainer.tokenizer.ChatMessage;
import io.kubetune.trainer.vision.ImageDecoder;
import io.kubetune.trainer.vision.ImageTokens;
import io.kubetune.trainer.vision.RgbImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A multi-turn conversation in the terminal: each reply streams as it is generated and joins the
 * history. Commands: /reset (forget the conversation), /system TEXT, /exit. With a LLaVA, an image
 * {@link #attach attached} goes with the next user message (its {@code <image>} placeholder leads
 * that message, as LLaVA's data and llava-hf's chat template put it) and stays in the conversation.
 */
public final class ChatSession {
  private final ChatModel model;
  private final ImageChatModel vision;
  private final SamplingParams sampling;
  private final PrintStream out;
  private final List<ChatMessage> history = new ArrayList<>();
  private final List<RgbImage> images = new ArrayList<>();
  private final List<RgbImage> pending = new ArrayList<>();
  private String system;

  public ChatSession(ChatModel model, SamplingParams sampling, String system, PrintStream out) {
    this(model, null, sampling, system, out);
  }

  /**
   * @param vision the image side of a LLaVA (null for a text model: no images can be attached)
   */
  public ChatSession(
      ChatModel model,
      ImageChatModel vision,
      SamplingParams sampling,
      String system,
      PrintStream out) {
    this.model = model;
    this.vision = vision;
    this.sampling = sampling;
    this.system = system;
    this.out = out;
  }

  /** Sends an image with the next user message. */
  public void attach(RgbImage image) {
    if (vision == null) {
      throw new IllegalStateException("this model reads text only: it cannot take an image");
    }
    pending.add(image);
  }

  /** Answers one user message, streaming the reply to out; returns the reply. */
  public Generation ask(String userMessage) {
    String text = (ImageTokens.TEXT + "\n").repeat(pending.size()) + userMessage;
    List<RgbImage> withThese = new ArrayList<>(images);
    withThese.addAll(pending);
    List<ChatMessage> messages = new ArrayList<>();
    if (system != null && !system.isBlank()) {
      messages.add(new ChatMessage("system", system));
    }
    messages.addAll(history);
    messages.add(new ChatMessage("user", text));
    TokenListenerToOut listener = new TokenListenerToOut(out);
    Generation reply =
        vision == null
            ? model.reply(messages, sampling, listener)
            : vision.reply(messages, withThese, sampling, listener);
    out.println();
    images.addAll(pending);
    pending.clear();
    history.add(new ChatMessage("user", text));
    history.add(new ChatMessage("assistant", reply.text()));
    return reply;
  }

  /** Streams each piece of the reply to the terminal as it comes. */
  private record TokenListenerToOut(PrintStream out)
      implements io.kubetune.trainer.generate.TokenListener {
    @Override
    public void onToken(int id, String text) {
      out.print(text);
      out.flush();
    }
  }

  /**
   * Reads messages until /exit or the end of input; {@code /image PATH} attaches a picture to the
   * next message (a LLaVA only).
   */
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
        clear();
        out.println("(conversation cleared)");
      } else if (text.startsWith("/image")) {
        String path = text.substring("/image".length()).strip();
        if (vision == null) {
          out.println("(this model reads text only: /image needs a LLaVA)");
        } else if (path.isEmpty()) {
          out.println("(/image PATH attaches a picture to your next message)");
        } else {
          try {
            attach(ImageDecoder.read(Path.of(path)));
            out.println("(" + path + " goes with your next message)");
          } catch (java.nio.file.NoSuchFileException e) {
            out.println("(no such file: " + path + ")");
          } catch (IOException e) {
            out.println("(" + e.getMessage() + ")");
          }
        }
      } else if (text.startsWith("/system")) {
        system = text.substring("/system".length()).strip();
        clear();
        out.println("(system prompt set; conversation cleared)");
      } else {
        if (prompt) {
          out.print("assistant> ");
        }
        try {
          ask(text);
        } catch (IllegalArgumentException e) {
          out.println("(" + e.getMessage() + ")"); // e.g. <image> typed with no picture
        }
      }
    }
  }

  private void clear() {
    history.clear();
    images.clear();
    pending.clear();
  }
}
