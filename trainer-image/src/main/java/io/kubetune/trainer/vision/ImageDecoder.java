package io.kubetune.trainer.vision;

import java.awt.image.BufferedImage;
import java.awt.image.ComponentColorModel;
import java.awt.image.DataBuffer;
import java.awt.image.Raster;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import javax.imageio.stream.ImageInputStream;

/**
 * Reads PNG, JPEG, GIF and BMP files (the JDK's ImageIO) into RGB as transformers' {@code
 * convert_to_rgb} makes it: grey copied to the three channels, and an image with transparency
 * composited onto white with Pillow's integer {@code alpha_composite}. 8-bit samples are read from
 * the raster as they are stored (no colour-space conversion, as Pillow does none).
 */
public final class ImageDecoder {
  private ImageDecoder() {}

  /**
   * @throws IOException when the file cannot be read or is not an image ImageIO can decode
   */
  public static RgbImage read(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return decode(in, file.toString());
    }
  }

  /**
   * Checks that a file is an image ImageIO reads, from its header alone (fast: no pixels are
   * decoded); returns {width, height}.
   *
   * @throws IOException naming the problem
   */
  public static int[] probe(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IOException("no such file: " + file);
    }
    try (ImageInputStream in = ImageIO.createImageInputStream(file.toFile())) {
      return probe(in, file.toString());
    }
  }

  /** {@link #probe(Path)} for image file bytes (e.g. from a data: URL); name is used in errors. */
  public static int[] probe(byte[] bytes, String name) throws IOException {
    try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
      return probe(in, name);
    }
  }

  private static int[] probe(ImageInputStream in, String name) throws IOException {
    var readers = ImageIO.getImageReaders(in);
    if (!readers.hasNext()) {
      throw new IOException(
          "not an image in a format kubetune reads (PNG, JPEG, GIF, BMP): " + name);
    }
    javax.imageio.ImageReader reader = readers.next();
    try {
      reader.setInput(in);
      return new int[] {reader.getWidth(0), reader.getHeight(0)};
    } catch (IOException | RuntimeException e) {
      throw new IOException("unreadable image " + name + ": " + e.getMessage(), e);
    } finally {
      reader.dispose();
    }
  }

  /** Decodes image file bytes (e.g. from a data: URL); name is used in errors. */
  public static RgbImage decode(byte[] bytes, String name) throws IOException {
    return decode(new ByteArrayInputStream(bytes), name);
  }

  private static RgbImage decode(InputStream in, String name) throws IOException {
    BufferedImage image;
    try {
      image = ImageIO.read(in);
    } catch (IOException | RuntimeException e) {
      throw new IOException(name + ": not a readable image (" + e.getMessage() + ")", e);
    }
    if (image == null) {
      throw new IOException(
          name + ": not an image in a format kubetune reads (PNG, JPEG, GIF, BMP)");
    }
    return toRgb(image);
  }

  static RgbImage toRgb(BufferedImage image) {
    int w = image.getWidth();
    int h = image.getHeight();
    byte[] out = new byte[w * h * 3];
    Raster raster = image.getRaster();
    boolean plain8bit =
        image.getColorModel() instanceof ComponentColorModel
            && raster.getTransferType() == DataBuffer.TYPE_BYTE;
    int bands = raster.getNumBands();
    int[] px = new int[4];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int r;
        int g;
        int b;
        int a;
        if (plain8bit) {
          raster.getPixel(x, y, px);
          if (bands <= 2) {
            r = g = b = px[0];
            a = bands == 2 ? px[1] : 255;
          } else {
            r = px[0];
            g = px[1];
            b = px[2];
            a = bands == 4 ? px[3] : 255;
          }
        } else {
          int argb = image.getRGB(x, y);
          a = image.getColorModel().hasAlpha() ? argb >>> 24 : 255;
          r = (argb >> 16) & 0xff;
          g = (argb >> 8) & 0xff;
          b = argb & 0xff;
        }
        int o = (y * w + x) * 3;
        out[o] = (byte) overWhite(r, a);
        out[o + 1] = (byte) overWhite(g, a);
        out[o + 2] = (byte) overWhite(b, a);
      }
    }
    return new RgbImage(w, h, out);
  }

  /**
   * Pillow's alpha_composite(white, pixel) for one channel (AlphaComposite.c, 7 bits of extra
   * precision, rounded divisions by 255).
   */
  static int overWhite(int value, int alpha) {
    if (alpha == 255) {
      return value;
    }
    if (alpha == 0) {
      return 255;
    }
    long outA255 = alpha * 255L + 255L * (255 - alpha);
    long coef1 = alpha * 255L * 255L * 128L / outA255;
    long coef2 = 255L * 128L - coef1;
    long tmp = value * coef1 + 255L * coef2 + (0x80L << 7);
    return (int) ((((tmp >> 8) + tmp) >> 8) >> 7);
  }
}
