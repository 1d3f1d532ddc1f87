package io.kubetune.trainer.data;

import io.kubetune.trainer.vision.ImageDecoder;
import io.kubetune.trainer.vision.ImageTokens;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Encodes LLaVA samples: the chat as the dataset's template encodes it (the {@code <image>}
 * placeholder is the tokenizer's special token, in a user turn, so it has no loss), then each
 * placeholder repeated for its image's features, as LlavaProcessor expands it. Each image must be a
 * file under the image folder that reads as an image (checked from its header here; the pixels are
 * decoded when its batch is trained).
 */
final class ImageSampleEncoder implements SampleEncoder {
  private final SampleEncoder chat;
  private final ImagePlaceholders placeholders;
  private final Path imageFolder;

  ImageSampleEncoder(SampleEncoder chat, ImagePlaceholders placeholders, Path imageFolder) {
    this.chat = chat;
    this.placeholders = placeholders;
    this.imageFolder = imageFolder.toAbsolutePath().normalize();
  }

  @Override
  public EncodedSample encode(Sample sample) throws InvalidRecordException {
    if (!(sample instanceof Sample.WithImages withImages)) {
      return chat.encode(sample);
    }
    List<Path> files = new ArrayList<>();
    for (String image : withImages.images()) {
      files.add(resolve(image));
    }
    EncodedSample text = chat.encode(withImages.chat());
    int id = placeholders.tokenId();
    int[] ids = text.inputIds();
    int found = ImageTokens.count(ids, id);
    if (found != files.size()) {
      throw new InvalidRecordException(
          "the chat template's rendering has "
              + found
              + " <image> tokens for "
              + files.size()
              + " images");
    }
    int n = placeholders.tokensPerImage();
    int[] expanded = ImageTokens.expand(ids, id, n);
    int[] labels = new int[expanded.length];
    List<EncodedSample.PlacedImage> placed = new ArrayList<>();
    int o = 0;
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] == id) {
        for (int k = 0; k < n; k++) {
          labels[o + k] = EncodedSample.IGNORE_INDEX;
        }
        placed.add(new EncodedSample.PlacedImage(files.get(placed.size()).toString(), "", o, n));
        o += n;
      } else {
        labels[o++] = text.label(i);
      }
    }
    return EncodedSample.of(expanded, labels).withImages(placed);
  }

  private Path resolve(String image) throws InvalidRecordException {
    Path file = imageFolder.resolve(image).normalize();
    if (Path.of(image).isAbsolute() || !file.startsWith(imageFolder)) {
      throw new InvalidRecordException(
          "image '" + image + "' is not a path inside the image folder " + imageFolder);
    }
    try {
      ImageDecoder.probe(file);
    } catch (IOException e) {
      throw new InvalidRecordException("image '" + image + "': " + e.getMessage());
    }
    return file;
  }
}
