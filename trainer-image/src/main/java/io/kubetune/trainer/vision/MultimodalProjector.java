package io.kubetune.trainer.vision;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import io.kubetune.trainer.torch.Aten;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * LLaVA-1.5's mlp2x_gelu projector (transformers' LlavaMultiModalProjector): linear_1 (vision
 * hidden to text hidden), GELU (erf), linear_2; float32. Parameters named {@code linear_1.weight},
 * {@code linear_1.bias}, ... as in the module.
 *
 * @param bias null maps when the config's multimodal_projector_bias is false
 */
public record MultimodalProjector(NDArray weight1, NDArray bias1, NDArray weight2, NDArray bias2) {

  public static Map<String, Shape> expectedShapes(int visionHidden, int textHidden, boolean bias) {
    Map<String, Shape> out = new LinkedHashMap<>();
    out.put("linear_1.weight", new Shape(textHidden, visionHidden));
    if (bias) {
      out.put("linear_1.bias", new Shape(textHidden));
    }
    out.put("linear_2.weight", new Shape(textHidden, textHidden));
    if (bias) {
      out.put("linear_2.bias", new Shape(textHidden));
    }
    return out;
  }

  public static MultimodalProjector of(Map<String, NDArray> p) {
    return new MultimodalProjector(
        p.get("linear_1.weight"),
        p.get("linear_1.bias"),
        p.get("linear_2.weight"),
        p.get("linear_2.bias"));
  }

  /** Parameters by module name, bias absent when there is none. */
  public Map<String, NDArray> parameters() {
    Map<String, NDArray> out = new LinkedHashMap<>();
    out.put("linear_1.weight", weight1);
    if (bias1 != null) {
      out.put("linear_1.bias", bias1);
    }
    out.put("linear_2.weight", weight2);
    if (bias2 != null) {
      out.put("linear_2.bias", bias2);
    }
    return out;
  }

  /** Vision features [.., visionHidden] to the text model's hidden size. */
  public NDArray apply(NDArray features) {
    NDArray h = Aten.linear(features, weight1, bias1);
    h = JniUtils.gelu((PtNDArray) h);
    return Aten.linear(h, weight2, bias2);
  }
}
