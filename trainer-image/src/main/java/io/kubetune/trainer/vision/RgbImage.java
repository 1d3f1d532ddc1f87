package io.kubetune.trainer.vision;

/**
 * An 8-bit RGB image, row-major and interleaved ({@code rgb[(y * width + x) * 3 + c]}), as PIL's
 * "RGB" mode holds it.
 */
public record RgbImage(int width, int height, byte[] rgb) {
  public RgbImage {
    if (width <= 0 || height <= 0 || rgb.length != width * height * 3) {
      throw new IllegalArgumentException(
          "an RGB image of " + width + "x" + height + " needs " + width * height * 3 + " bytes");
    }
  }

  /** A canvas filled with one colour. */
  public static RgbImage filled(int width, int height, int r, int g, int b) {
    byte[] px = new byte[width * height * 3];
    for (int i = 0; i < px.length; i += 3) {
      px[i] = (byte) r;
      px[i + 1] = (byte) g;
      px[i + 2] = (byte) b;
    }
    return new RgbImage(width, height, px);
  }

  /** Channel c (0 red, 1 green, 2 blue) at (x, y), 0..255. */
  public int at(int x, int y, int c) {
    return rgb[(y * width + x) * 3 + c] & 0xff;
  }

  /** The w x h window at (left, top); parts outside the image are black, as numpy's crop pads. */
  public RgbImage crop(int left, int top, int w, int h) {
    byte[] out = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      int sy = top + y;
      if (sy < 0 || sy >= height) {
        continue;
      }
      for (int x = 0; x < w; x++) {
        int sx = left + x;
        if (sx >= 0 && sx < width) {
          System.arraycopy(rgb, (sy * width + sx) * 3, out, (y * w + x) * 3, 3);
        }
      }
    }
    return new RgbImage(w, h, out);
  }

  /** This image pasted onto a canvas at (left, top). */
  public RgbImage pasteOnto(RgbImage canvas, int left, int top) {
    byte[] out = canvas.rgb().clone();
    for (int y = 0; y < height; y++) {
      System.arraycopy(rgb, y * width * 3, out, ((top + y) * canvas.width() + left) * 3, width * 3);
    }
    return new RgbImage(canvas.width(), canvas.height(), out);
  }
}
