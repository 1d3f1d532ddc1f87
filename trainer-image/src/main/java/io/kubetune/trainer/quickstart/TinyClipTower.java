package io.kubetune.trainer.quickstart;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.torch.Tensors;
import io.kubetune.trainer.vision.ClipVisionConfig;
import io.kubetune.trainer.vision.ClipVisionTower;
import io.kubetune.trainer.weights.ShardedSafetensorsWriter;
import io.kubetune.trainer.weights.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The LLaVA demo's vision tower: a tiny CLIPVisionModel (32x32 images, 8x8 patches, 2 layers) with
 * deterministic random weights, written as a HuggingFace CLIP folder (config.json,
 * model.safetensors with vision_model.* names, a CLIPImageProcessor preprocessor_config.json).
 * Random, it still maps each patch's colours to distinct features, which is all the demo's
 * projector needs to learn from.
 */
public final class TinyClipTower {
  public static final int IMAGE_SIZE = 32;
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private TinyClipTower() {}

  public static void writeIfAbsent(Path dir, long seed) throws IOException {
    if (Files.exists(dir.resolve("config.json"))) {
      return;
    }
    Path tmp = dir.resolveSibling("." + dir.getFileName() + ".tmp");
    Files.createDirectories(tmp);
    ObjectNode c = JSON.createObjectNode();
    c.putArray("architectures").add("CLIPVisionModel");
    c.put("model_type", "clip_vision_model");
    c.put("hidden_size", 64);
    c.put("intermediate_size", 128);
    c.put("num_hidden_layers", 2);
    c.put("num_attention_heads", 4);
    c.put("num_channels", 3);
    c.put("image_size", IMAGE_SIZE);
    c.put("patch_size", 8);
    c.put("hidden_act", "quick_gelu");
    c.put("layer_norm_eps", 1e-5);
    c.put("projection_dim", 64);
    c.put("torch_dtype", "float32");
    JSON.writeValue(tmp.resolve("config.json").toFile(), c);
    ObjectNode p = JSON.createObjectNode();
    p.put("image_processor_type", "CLIPImageProcessor");
    p.put("do_resize", true);
    p.putObject("size").put("shortest_edge", IMAGE_SIZE);
    p.put("resample", 3);
    p.put("do_center_crop", true);
    p.putObject("crop_size").put("height", IMAGE_SIZE).put("width", IMAGE_SIZE);
    p.put("do_rescale", true);
    p.put("rescale_factor", 1 / 255.0);
    p.put("do_normalize", true);
    p.putArray("image_mean").add(0.48145466).add(0.4578275).add(0.40821073);
    p.putArray("image_std").add(0.26862954).add(0.26130258).add(0.27577711);
    p.put("do_convert_rgb", true);
    JSON.writeValue(tmp.resolve("preprocessor_config.json").toFile(), p);
    writeWeights(tmp, ClipVisionConfig.parse(c), seed);
    Files.move(tmp, dir, StandardCopyOption.ATOMIC_MOVE);
  }

  private static void writeWeights(Path dir, ClipVisionConfig config, long seed)
      throws IOException {
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      Engine.getEngine("PyTorch").setRandomSeed((int) seed);
      NDArray std = Tensors.scalar(manager, 0.1f);
      List<TensorSource> tensors = new ArrayList<>();
      for (Map.Entry<String, Shape> e : ClipVisionTower.expectedShapes(config).entrySet()) {
        String name = e.getKey();
        Shape shape = e.getValue();
        boolean norm = name.contains("norm") && name.endsWith(".weight");
        boolean bias = name.endsWith(".bias");
        tensors.add(
            new TensorSource(
                "vision_model." + name,
                Dtype.F32,
                shape,
                () ->
                    norm
                        ? manager.ones(shape)
                        : bias ? manager.zeros(shape) : manager.randomNormal(shape).mul(std)));
      }
      ShardedSafetensorsWriter.write(
          dir, tensors, Map.of("format", "pt"), ShardedSafetensorsWriter.DEFAULT_MAX_SHARD_BYTES);
    }
  }
}
