package io.kubetune.trainer.serve.openai;

import io.kubetune.trainer.vision.ImageDecoder;
import io.kubetune.trainer.vision.RgbImage;
import java.io.IOException;
import java.util.Base64;
import java.util.Locale;

/**
 * An image sent inline as an RFC 2397 {@code data:} URL ({@code data:image/png;base64,...}), the
 * way OpenAI's clients send a local file. Other URLs are refused: this server fetches nothing from
 * the network.
 */
final class DataUrlImage {
  /** Pictures larger than this many pixels are refused before they are decoded. */
  static final long MAX_PIXELS = 4096L * 4096L;

  private DataUrlImage() {}

  /**
   * @param param the request field the URL came from, for errors
   */
  static RgbImage decode(String url, String param) {
    if (!url.regionMatches(true, 0, "data:", 0, 5)) {
      String scheme = url.contains(":") ? url.substring(0, url.indexOf(':')) + ": URLs" : url;
      throw ApiError.invalid(
          param
              + ": this server fetches no images from the network ("
              + abbreviate(scheme)
              + " are refused); send the picture inline as a data: URL, e.g."
              + " 'data:image/png;base64,...'.",
          param);
    }
    int comma = url.indexOf(',');
    if (comma < 0) {
      throw ApiError.invalid(param + ": a data: URL needs a ',' before its data.", param);
    }
    String header = url.substring(5, comma).toLowerCase(Locale.ROOT);
    if (!header.startsWith("image/")) {
      throw ApiError.invalid(
          param
              + ": the data: URL's media type is '"
              + abbreviate(header)
              + "'; expected an image (image/png, image/jpeg, image/gif, image/bmp).",
          param);
    }
    if (!header.endsWith(";base64")) {
      throw ApiError.invalid(
          param + ": the data: URL must be base64-encoded ('data:image/png;base64,...').", param);
    }
    byte[] bytes;
    try {
      bytes = Base64.getDecoder().decode(url.substring(comma + 1));
    } catch (IllegalArgumentException e) {
      throw ApiError.invalid(
          param + ": the data: URL is not valid base64 (" + e.getMessage() + ").", param);
    }
    if (bytes.length == 0) {
      throw ApiError.invalid(param + ": the data: URL holds no bytes.", param);
    }
    try {
      int[] size = ImageDecoder.probe(bytes, "the image");
      if ((long) size[0] * size[1] > MAX_PIXELS) {
        throw ApiError.invalid(
            param
                + ": the image is "
                + size[0]
                + "x"
                + size[1]
                + " pixels; this server takes at most "
                + MAX_PIXELS
                + " pixels (it is resized to the vision tower's input anyway).",
            param);
      }
      return ImageDecoder.decode(bytes, "the image");
    } catch (IOException e) {
      throw ApiError.invalid(param + ": " + e.getMessage() + ".", param);
    }
  }

  private static String abbreviate(String s) {
    return s.length() <= 40 ? s : s.substring(0, 40) + "...";
  }
}
