package io.kubetune.trainer.run;

import ai.djl.ndarray.NDManager;
import io.kubetune.api.CheckpointSpec;
import io.kubetune.api.DatasetSpec;
import io.kubetune.api.EvaluationSpec;
import io.kubetune.api.MethodSpec;
import io.kubetune.api.ModelSource;
import io.kubetune.api.OutputSpec;
import io.kubetune.api.TrainingJobSpec;
import io.kubetune.api.TrainingSpec;
import io.kubetune.trainer.chat.ChatModel;
import io.kubetune.trainer.chat.ImageChatModel;
import io.kubetune.trainer.chat.LoadedChatModel;
import io.kubetune.trainer.config.ResolvedJob;
import io.kubetune.trainer.generate.SamplingParams;
import io.kubetune.trainer.generate.TokenListener;
import io.kubetune.trainer.quickstart.ShapesDataset;
import io.kubetune.trainer.quickstart.TinyBaseModel;
import io.kubetune.trainer.quickstart.TinyClipTower;
import io.kubetune.trainer.tokenizer.ChatMessage;
import io.kubetune.trainer.tokenizer.Tokenizer;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.train.CheckpointStore;
import io.kubetune.trainer.train.TrainingListener;
import io.kubetune.trainer.vision.ImageDecoder;
import io.kubetune.trainer.vision.RgbImage;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The LLaVA demo: a tiny LLaVA (the quickstart's tiny Qwen2 and a tiny random CLIP tower) trained
 * on generated pictures of coloured shapes, pretrain then finetune, exactly as a FineTuneJob would
 * run (TrainingRun, checkpoints, llava-hf export), with the accuracy of its answers about held-out
 * pictures measured before and after.
 */
public final class LlavaDemo {
  /** Accuracy on the held-out questions before training and after (fractions). */
  public record Result(double before, double after, int questions, Path model) {}

  private LlavaDemo() {}

  public static Result run(
      NDManager manager, Path dir, TrainingRun.ListenerFactory display, PrintStream log)
      throws IOException {
    Path base = dir.resolve("base-model");
    Path tower = dir.resolve("clip-tower");
    TinyBaseModel.writeIfAbsent(base, 42);
    TinyClipTower.writeIfAbsent(tower, 43);
    ShapesDataset.Files_ data = ShapesDataset.write(dir.resolve("data"), 16, 3, 7);
    Path pretrainOut = dir.resolve("pretrain");
    ResolvedJob pretrain =
        job(base, tower, data, data.captions(), pretrainOut, MethodSpec.Stage.PRETRAIN);
    double before = beforeTraining(manager, pretrain, data);
    log.printf("llava-demo: held-out accuracy before training: %.1f%%%n", 100 * before);
    log.println("llava-demo: stage 1, pretrain: only the projector learns (captions)");
    new TrainingRun(pretrain, pretrainOut, List.<TrainingListener>of(), display).run(manager);
    Path finetuneOut = dir.resolve("finetune");
    ResolvedJob finetune =
        job(
            pretrainOut.resolve("hf"),
            null,
            data,
            data.questions(),
            finetuneOut,
            MethodSpec.Stage.FINETUNE);
    log.println("llava-demo: stage 2, finetune: projector + the whole language model (questions)");
    new TrainingRun(finetune, finetuneOut, List.<TrainingListener>of(), display).run(manager);
    Path model = finetuneOut.resolve("hf");
    double after;
    try (LoadedChatModel chat = LoadedChatModel.load(manager, model, null, Dtype.F32)) {
      after = accuracy(chat.images().orElseThrow(), data);
    }
    log.printf("llava-demo: held-out accuracy after training: %.1f%%%n", 100 * after);
    return new Result(before, after, data.heldOut().size(), model);
  }

  /** The job's LLaVA as training starts it: its answers before any step. */
  private static double beforeTraining(
      NDManager manager, ResolvedJob job, ShapesDataset.Files_ data) throws IOException {
    try (NDManager scope = manager.newSubManager();
        Tokenizer tokenizer = RunModel.tokenizer(job);
        RunModel run =
            RunModel.load(
                scope,
                job,
                tokenizer,
                new CheckpointStore(job.outputDir().orElseThrow(), 1),
                Optional.empty())) {
      TrainingTemplate template = TrainingTemplate.of(job.spec(), tokenizer);
      ChatModel chat =
          new ChatModel(
              run.model().evalView(),
              tokenizer,
              template.renderer(),
              RunExport.stopTokens(job, run.loaded(), tokenizer),
              scope);
      return accuracy(
          new ImageChatModel(chat, run.model().vision().llava(), run.model().vision().processor()),
          data);
    }
  }

  /**
   * The fraction of held-out questions whose greedy reply names the right colour or shape first.
   */
  static double accuracy(ImageChatModel model, ShapesDataset.Files_ data) throws IOException {
    int right = 0;
    for (ShapesDataset.Question q : data.heldOut()) {
      RgbImage image = ImageDecoder.read(data.images().resolve(q.image()));
      String reply =
          model
              .reply(
                  List.of(ChatMessage.user("<image>\n" + q.question())),
                  List.of(image),
                  SamplingParams.greedy(8, java.util.Set.of()),
                  TokenListener.NONE)
              .text();
      List<String> words =
          q.question().equals(ShapesDataset.COLOUR_QUESTION)
              ? ShapesDataset.COLOURS
              : ShapesDataset.SHAPES;
      if (ShapesDataset.firstAnswerWord(reply, words).equals(q.answer())) {
        right++;
      }
    }
    return (double) right / data.heldOut().size();
  }

  private static ResolvedJob job(
      Path model,
      Path tower,
      ShapesDataset.Files_ data,
      Path dataset,
      Path output,
      MethodSpec.Stage stage) {
    boolean pretrain = stage == MethodSpec.Stage.PRETRAIN;
    DatasetSpec ds =
        new DatasetSpec(
            "file://" + dataset.toAbsolutePath(),
            DatasetSpec.Format.LLAVA,
            DatasetSpec.Template.QWEN_CHAT,
            DatasetSpec.OnInvalid.FAIL,
            null,
            "file://" + data.images().toAbsolutePath());
    TrainingSpec training =
        new TrainingSpec(
            pretrain ? 4 : 6,
            null,
            8,
            1,
            pretrain ? 2e-3 : 1e-3,
            0.05,
            TrainingSpec.Schedule.COSINE,
            0.0,
            1.0,
            128,
            false,
            42L,
            TrainingSpec.Precision.FP32);
    MethodSpec method =
        pretrain
            ? new MethodSpec(null, null, stage, null)
            : new MethodSpec(MethodSpec.Type.FULL, null, stage, null);
    TrainingJobSpec spec =
        new TrainingJobSpec(
            new ModelSource(
                "file://" + model.toAbsolutePath(),
                null,
                tower == null ? null : "file://" + tower.toAbsolutePath(),
                null),
            List.of(ds),
            method,
            training,
            new CheckpointSpec(1000, 1),
            EvaluationSpec.defaults(),
            new OutputSpec("file://" + output.toAbsolutePath()),
            null);
    return new ResolvedJob(
        spec,
        model,
        List.of(dataset),
        Optional.of(output),
        Optional.ofNullable(tower),
        java.util.Collections.singletonList(data.images()));
  }
}
