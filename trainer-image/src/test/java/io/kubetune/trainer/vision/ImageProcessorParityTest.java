package io.kubetune.trainer.vision;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.trainer.weights.SafetensorsFile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Our image preprocessing against transformers' PIL-backend processors (fixtures made by
 * make_llava_fixtures.py). PNG sources decode identically, so resizing is held to Pillow's exact
 * 8-bit output and pixel values to float32 rounding; the JPEG may decode differently in ImageIO
 * than in libjpeg, by a level at most.
 */
class ImageProcessorParityTest {
  private final NDManager manager = NDManager.newBaseManager("PyTorch");

  @AfterEach
  void close() {
    manager.close();
  }

  static List<String> images() {
    List<String> out = new ArrayList<>();
    LlavaFixtures.reference().get("images").forEach(n -> out.add(n.asText()));
    return out;
  }

  static List<String> resizeImages() {
    List<String> out = new ArrayList<>();
    LlavaFixtures.reference().get("resize_images").forEach(n -> out.add(n.asText()));
    return out;
  }

  @ParameterizedTest
  @MethodSource("images")
  void pixelValuesMatchTransformers(String image) throws Exception {
    Path file = LlavaFixtures.IMAGES.resolve(image);
    // a JPEG decoded by ImageIO may differ from libjpeg by one level: 1/255/std < 0.015
    double tolerance = image.endsWith(".jpg") ? 0.015 : 1e-6;
    try (SafetensorsFile ref =
        SafetensorsFile.open(LlavaFixtures.ROOT.resolve("pixels.safetensors"))) {
      for (boolean pad : new boolean[] {false, true}) {
        ImageProcessor processor = new ImageProcessor(config(28, pad));
        float[] ours = processor.pixels(file);
        float[] expected = ref.load(manager, (pad ? "pad." : "clip.") + image).toFloatArray();
        assertThat(ours).hasSameSizeAs(expected);
        assertThat(maxAbs(ours, expected))
            .as("%s pad=%s", image, pad)
            .isLessThanOrEqualTo(tolerance);
      }
    }
  }

  /** LLaVA-1.5's 336 pipeline on larger pictures: Pillow's resized bytes exactly. */
  @ParameterizedTest
  @MethodSource("resizeImages")
  void resizeAndCropEqualPillowAt336(String name) throws Exception {
    Path dir = LlavaFixtures.ROOT.resolve("resize");
    RgbImage source = ImageDecoder.read(dir.resolve(name + ".png"));
    for (String kind : new String[] {"clip", "pad"}) {
      ImageProcessor processor = new ImageProcessor(config(336, kind.equals("pad")));
      RgbImage ours = processor.resizeAndCrop(source);
      RgbImage pil = ImageDecoder.read(dir.resolve(name + "." + kind + ".png"));
      assertThat(ours.width()).isEqualTo(336);
      assertThat(ours.height()).isEqualTo(336);
      assertThat(ours.rgb()).as("%s %s", name, kind).isEqualTo(pil.rgb());
    }
  }

  @Test
  void transparencyIsCompositedOntoWhiteAsPillowDoes() {
    assertThat(ImageDecoder.overWhite(0, 0)).isEqualTo(255);
    assertThat(ImageDecoder.overWhite(0, 255)).isEqualTo(0);
    assertThat(ImageDecoder.overWhite(0, 128)).isEqualTo(127);
    assertThat(ImageDecoder.overWhite(200, 64)).isEqualTo(241);
  }

  static ImageProcessorConfig config(int size, boolean pad) {
    ObjectNode c = new ObjectMapper().createObjectNode();
    c.put("image_processor_type", pad ? "LlavaImageProcessor" : "CLIPImageProcessor");
    c.putObject("size").put("shortest_edge", size);
    c.putObject("crop_size").put("height", size).put("width", size);
    c.put("do_pad", pad);
    return ImageProcessorConfig.parse(c);
  }

  static double maxAbs(float[] a, float[] b) {
    double m = 0;
    for (int i = 0; i < a.length; i++) {
      m = Math.max(m, Math.abs(a[i] - b[i]));
    }
    return m;
  }
}
