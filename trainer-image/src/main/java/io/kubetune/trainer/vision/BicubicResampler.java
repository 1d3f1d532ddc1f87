package io.kubetune.trainer.vision;

/**
 * Pillow's BICUBIC resize ({@code Image.resize(size, Image.BICUBIC)}, libImaging/Resample.c),
 * restated: a separable convolution with the a = -0.5 cubic kernel whose support widens with the
 * downscaling factor (so shrinking averages, as an anti-aliasing filter), a horizontal pass into an
 * 8-bit image and then a vertical pass, with Pillow's 22-bit fixed-point coefficients and rounding.
 * The result is Pillow's pixel for pixel ({@code ImageProcessorParityTest}).
 *
 * <p>Written here because the Java imaging libraries differ from Pillow by far more than rounding:
 * TwelveMonkeys' {@code ResampleOp} (Catmull-Rom, the same kernel) centres its filter half a pixel
 * away and gives up to 75 levels of difference at edges when shrinking 3x, and 104 when enlarging
 * (measured on the fixtures of make_llava_fixtures.py; README "LLaVA").
 */
public final class BicubicResampler {
  private static final int PRECISION_BITS = 32 - 8 - 2;
  private static final double SUPPORT = 2.0;

  private BicubicResampler() {}

  /** The image resized to width x height. */
  public static RgbImage resize(RgbImage in, int width, int height) {
    if (width == in.width() && height == in.height()) {
      return in;
    }
    Coefficients horizontal = Coefficients.of(in.width(), width);
    Coefficients vertical = Coefficients.of(in.height(), height);
    RgbImage source = in;
    int rowOffset = 0;
    if (width != in.width()) {
      // only the rows the vertical pass reads, as Pillow does
      int first = vertical.bounds[0];
      int last = vertical.bounds[(height - 1) * 2] + vertical.bounds[(height - 1) * 2 + 1];
      source = horizontal(in, horizontal, first, last - first);
      rowOffset = first;
    }
    if (height == in.height()) {
      return source;
    }
    return vertical(source, vertical, rowOffset);
  }

  private static RgbImage horizontal(RgbImage in, Coefficients k, int firstRow, int rows) {
    int outW = k.outSize;
    byte[] src = in.rgb();
    byte[] out = new byte[outW * rows * 3];
    for (int y = 0; y < rows; y++) {
      int srcRow = (y + firstRow) * in.width() * 3;
      for (int x = 0; x < outW; x++) {
        int min = k.bounds[x * 2];
        int count = k.bounds[x * 2 + 1];
        int base = x * k.size;
        for (int c = 0; c < 3; c++) {
          long ss = 1L << (PRECISION_BITS - 1);
          for (int i = 0; i < count; i++) {
            ss += (src[srcRow + (min + i) * 3 + c] & 0xff) * (long) k.weights[base + i];
          }
          out[(y * outW + x) * 3 + c] = clip8(ss);
        }
      }
    }
    return new RgbImage(outW, rows, out);
  }

  private static RgbImage vertical(RgbImage in, Coefficients k, int rowOffset) {
    int outH = k.outSize;
    int w = in.width();
    byte[] src = in.rgb();
    byte[] out = new byte[w * outH * 3];
    for (int y = 0; y < outH; y++) {
      int min = k.bounds[y * 2] - rowOffset;
      int count = k.bounds[y * 2 + 1];
      int base = y * k.size;
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < 3; c++) {
          long ss = 1L << (PRECISION_BITS - 1);
          for (int i = 0; i < count; i++) {
            ss += (src[((min + i) * w + x) * 3 + c] & 0xff) * (long) k.weights[base + i];
          }
          out[(y * w + x) * 3 + c] = clip8(ss);
        }
      }
    }
    return new RgbImage(w, outH, out);
  }

  private static byte clip8(long v) {
    if (v >= (1L << PRECISION_BITS << 8)) {
      return (byte) 255;
    }
    if (v <= 0) {
      return 0;
    }
    return (byte) (v >> PRECISION_BITS);
  }

  /** Keys' cubic convolution kernel with a = -0.5 (Pillow's bicubic_filter). */
  static double kernel(double x) {
    double a = -0.5;
    double t = Math.abs(x);
    if (t < 1.0) {
      return ((a + 2.0) * t - (a + 3.0)) * t * t + 1;
    }
    if (t < 2.0) {
      return (((t - 5) * t + 8) * t - 4) * a;
    }
    return 0.0;
  }

  /** Per output pixel: the first input pixel, how many are read, and their fixed-point weights. */
  private record Coefficients(int outSize, int size, int[] bounds, int[] weights) {
    static Coefficients of(int inSize, int outSize) {
      double scale = (double) inSize / outSize;
      double filterScale = Math.max(scale, 1.0);
      double support = SUPPORT * filterScale;
      int size = (int) Math.ceil(support) * 2 + 1;
      int[] bounds = new int[outSize * 2];
      int[] weights = new int[outSize * size];
      double[] w = new double[size];
      double inverse = 1.0 / filterScale; // Pillow multiplies by the reciprocal: same rounding
      for (int o = 0; o < outSize; o++) {
        double center = (o + 0.5) * scale;
        int min = Math.max((int) (center - support + 0.5), 0);
        int max = Math.min((int) (center + support + 0.5), inSize) - min;
        double sum = 0;
        for (int i = 0; i < max; i++) {
          w[i] = kernel((i + min - center + 0.5) * inverse);
          sum += w[i];
        }
        for (int i = 0; i < max; i++) {
          double normalised = sum != 0.0 ? w[i] / sum : w[i];
          weights[o * size + i] =
              (int)
                  (normalised < 0
                      ? -0.5 + normalised * (1 << PRECISION_BITS)
                      : 0.5 + normalised * (1 << PRECISION_BITS));
        }
        bounds[o * 2] = min;
        bounds[o * 2 + 1] = max;
      }
      return new Coefficients(outSize, size, bounds, weights);
    }
  }
}
