package io.kubetune.trainer.vision;

import java.util.Arrays;

/** The image placeholder in token ids: each one stands for an image's features. */
public final class ImageTokens {
  /** The placeholder's text in prompts and data (LLaVA's DEFAULT_IMAGE_TOKEN). */
  public static final String TEXT = "<image>";

  private ImageTokens() {}

  /** ids with each imageTokenId repeated count times (what LlavaProcessor does to the text). */
  public static int[] expand(int[] ids, int imageTokenId, int count) {
    int images = count(ids, imageTokenId);
    int[] out = new int[ids.length + images * (count - 1)];
    int o = 0;
    for (int id : ids) {
      if (id == imageTokenId) {
        Arrays.fill(out, o, o + count, id);
        o += count;
      } else {
        out[o++] = id;
      }
    }
    return out;
  }

  public static int count(int[] ids, int imageTokenId) {
    int n = 0;
    for (int id : ids) {
      if (id == imageTokenId) {
        n++;
      }
    }
    return n;
  }
}
