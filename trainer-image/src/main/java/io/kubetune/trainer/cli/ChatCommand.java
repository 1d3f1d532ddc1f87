package io.kubetune.trainer.cli;

import ai.djl.ndarray.NDManager;
import io.kubetune.api.TrainerExitCodes;
import io.kubetune.trainer.chat.ChatSession;
import io.kubetune.trainer.chat.LoadedChatModel;
import io.kubetune.trainer.error.KubetuneException;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.vision.ImageDecoder;
import io.kubetune.trainer.vision.RgbImage;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** Chats with a model in the terminal. */
@Command(
    name = "chat",
    mixinStandardHelpOptions = true,
    description = {
      "Multi-turn chat in the terminal using the model's chat template. Type /reset to clear the"
          + " conversation, /system TEXT to set the system prompt, /exit to leave."
    })
final class ChatCommand implements Callable<Integer> {
  @Option(names = "--model", required = true, paramLabel = "DIR", description = "HF model dir.")
  Path model;

  @Option(names = "--adapter", paramLabel = "DIR", description = "PEFT adapter to apply.")
  Path adapter;

  @Option(names = "--system", paramLabel = "TEXT", description = "System prompt.")
  String system;

  @Option(names = "--prompt", paramLabel = "TEXT", description = "Answer once and exit.")
  String prompt;

  @Option(
      names = "--image",
      paramLabel = "FILE",
      description =
          "A picture (PNG, JPEG, GIF, BMP) sent with the first message; a LLaVA model only."
              + " Repeat for more. In the chat, /image FILE attaches one to the next message.")
  List<Path> images = new ArrayList<>();

  @Option(names = "--bf16", description = "Run in bfloat16 (default: fp32).")
  boolean bf16;

  @Mixin SamplingOptions sampling;

  @Override
  public Integer call() throws Exception {
    ModelFolder.requireModel("--model", model);
    ModelFolder.requireAdapter("--adapter", adapter);
    try (NDManager manager = NDManager.newBaseManager("PyTorch");
        LoadedChatModel loaded =
            LoadedChatModel.load(manager, model, adapter, bf16 ? Dtype.BF16 : Dtype.F32)) {
      if (!images.isEmpty() && loaded.images().isEmpty()) {
        throw new KubetuneException(
            TrainerExitCodes.USAGE,
            "--image: "
                + model
                + " is a text model (its config.json is not a LLaVA's): it cannot read images");
      }
      ChatSession session =
          new ChatSession(
              loaded.chat(),
              loaded.images().orElse(null),
              sampling.params(loaded.defaults()),
              system,
              System.out);
      for (Path image : images) {
        session.attach(readImage(image));
      }
      if (prompt != null) {
        try {
          session.ask(prompt);
        } catch (IllegalArgumentException e) {
          throw new KubetuneException(TrainerExitCodes.USAGE, "--prompt: " + e.getMessage());
        }
      } else {
        System.err.println(
            "kubetune chat: "
                + model
                + (adapter == null ? "" : " + " + adapter)
                + " (/exit to leave)");
        session.loop(
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)),
            System.console() != null);
      }
      return 0;
    }
  }

  private static RgbImage readImage(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new KubetuneException(TrainerExitCodes.NO_INPUT, "--image: no such file: " + file);
    }
    try {
      return ImageDecoder.read(file);
    } catch (IOException e) {
      throw new KubetuneException(TrainerExitCodes.DATA_ERROR, "--image: " + e.getMessage(), e);
    }
  }
}
