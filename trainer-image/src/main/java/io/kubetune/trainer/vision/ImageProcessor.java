package io.kubetune.trainer.vision;

import java.io.IOException;
import java.nio.file.Path;

/**
 * transformers' CLIPImageProcessor / LlavaImageProcessor with the PIL backend: [pad to a square of
 * the mean colour], resize (shortest side, bicubic), center crop, rescale, normalize. Pixel values
 * come out [3, H, W] in float32, equal to transformers' (ImageProcessorParityTest).
 */
public final class ImageProcessor {
  private final ImageProcessorConfig config;

  public ImageProcessor(ImageProcessorConfig config) {
    this.config = config;
  }

  public ImageProcessorConfig config() {
    return config;
  }

  /** Pixel values [3, H, W] (channel-major) of an image file. */
  public float[] pixels(Path file) throws IOException {
    return pixels(ImageDecoder.read(file));
  }

  public float[] pixels(RgbImage image) {
    return normalize(resizeAndCrop(image));
  }

  /** The 8-bit image after padding, resizing and cropping (before rescale and normalize). */
  public RgbImage resizeAndCrop(RgbImage image) {
    RgbImage x = image;
    if (config.pad()) {
      x = padToSquare(x);
    }
    if (config.resize()) {
      int[] hw = outputSize(x.height(), x.width());
      x = BicubicResampler.resize(x, hw[1], hw[0]);
    }
    if (config.centerCrop()) {
      x = centerCrop(x, config.cropHeight(), config.cropWidth());
    }
    return x;
  }

  /** transformers' get_resize_output_image_size(default_to_square=False), as (height, width). */
  int[] outputSize(int height, int width) {
    if (config.shortestEdge() <= 0) {
      return new int[] {config.resizeHeight(), config.resizeWidth()};
    }
    int s = config.shortestEdge();
    boolean wide = width > height;
    int shortSide = wide ? height : width;
    int longSide = wide ? width : height;
    int newLong = (int) ((double) ((long) s * longSide) / shortSide);
    return wide ? new int[] {s, newLong} : new int[] {newLong, s};
  }

  /** LlavaImageProcessor.pad_to_square: centred on a canvas of int(mean * 255). */
  private RgbImage padToSquare(RgbImage x) {
    if (x.width() == x.height()) {
      return x;
    }
    int side = Math.max(x.width(), x.height());
    float[] m = config.mean();
    RgbImage canvas =
        RgbImage.filled(
            side, side, (int) (m[0] * 255.0), (int) (m[1] * 255.0), (int) (m[2] * 255.0));
    return x.pasteOnto(canvas, (side - x.width()) / 2, (side - x.height()) / 2);
  }

  /**
   * numpy center_crop: top-left at floor((size - crop) / 2); an image too small is padded black.
   */
  private static RgbImage centerCrop(RgbImage x, int h, int w) {
    int top = Math.floorDiv(x.height() - h, 2);
    int left = Math.floorDiv(x.width() - w, 2);
    if (top >= 0 && left >= 0) {
      return x.crop(left, top, w, h);
    }
    int newH = Math.max(h, x.height());
    int newW = Math.max(w, x.width());
    int padTop = (newH - x.height() + 1) / 2;
    int padLeft = (newW - x.width() + 1) / 2;
    RgbImage padded = x.pasteOnto(RgbImage.filled(newW, newH, 0, 0, 0), padLeft, padTop);
    return padded.crop(left + padLeft, top + padTop, w, h);
  }

  /** rescale (float64 multiply, then float32) and normalize (float32), channel-major. */
  private float[] normalize(RgbImage x) {
    int plane = x.width() * x.height();
    float[] out = new float[3 * plane];
    for (int c = 0; c < 3; c++) {
      for (int i = 0; i < plane; i++) {
        int level = x.rgb()[i * 3 + c] & 0xff;
        float v = config.rescale() ? (float) (level * config.rescaleFactor()) : level;
        out[c * plane + i] = config.normalize() ? (v - config.mean()[c]) / config.std()[c] : v;
      }
    }
    return out;
  }
}
