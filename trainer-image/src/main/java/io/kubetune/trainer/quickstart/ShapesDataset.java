package io.kubetune.trainer.quickstart;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import javax.imageio.ImageIO;

/**
 * The LLaVA demo's data: PNG pictures of one coloured shape (4 colours x 3 shapes, drawn at random
 * positions and sizes on light backgrounds) and, in LLaVA's JSON format, captions for the pretrain
 * stage and questions about colour and shape for the finetune stage; a held-out set of other
 * pictures for measuring accuracy.
 */
public final class ShapesDataset {
  public static final List<String> COLOURS = List.of("red", "green", "blue", "yellow");
  public static final List<String> SHAPES = List.of("circle", "square", "triangle");
  public static final String COLOUR_QUESTION = "What colour is the shape?";
  public static final String SHAPE_QUESTION = "What shape is it?";
  private static final Color[] RGB = {
    new Color(220, 30, 30), new Color(30, 170, 40), new Color(30, 60, 220), new Color(235, 200, 20)
  };
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** A held-out question and its expected one-word answer. */
  public record Question(String image, String question, String answer) {}

  /** The files written. */
  public record Files_(Path images, Path captions, Path questions, List<Question> heldOut) {}

  private ShapesDataset() {}

  /**
   * @param perCombination training pictures of each colour and shape
   */
  public static Files_ write(Path dir, int perCombination, int heldOutPerCombination, long seed)
      throws IOException {
    Path images = dir.resolve("images");
    Files.createDirectories(images);
    Random random = new Random(seed);
    ArrayNode captions = JSON.createArrayNode();
    ArrayNode questions = JSON.createArrayNode();
    List<Question> heldOut = new ArrayList<>();
    int id = 0;
    for (int c = 0; c < COLOURS.size(); c++) {
      for (int s = 0; s < SHAPES.size(); s++) {
        for (int i = 0; i < perCombination + heldOutPerCombination; i++) {
          String name =
              String.format(Locale.ROOT, "%s-%s-%02d.png", COLOURS.get(c), SHAPES.get(s), i);
          ImageIO.write(draw(c, s, random), "png", images.resolve(name).toFile());
          if (i >= perCombination) {
            heldOut.add(new Question(name, COLOUR_QUESTION, COLOURS.get(c)));
            heldOut.add(new Question(name, SHAPE_QUESTION, SHAPES.get(s)));
            continue;
          }
          String caption = "A " + COLOURS.get(c) + " " + SHAPES.get(s) + ".";
          captions.add(record(id++, name, "<image>\nDescribe the picture.", caption));
          questions.add(
              record(id++, name, "<image>\n" + COLOUR_QUESTION, cap(COLOURS.get(c)) + "."));
          questions.add(
              record(id++, name, "<image>\n" + SHAPE_QUESTION, "A " + SHAPES.get(s) + "."));
        }
      }
    }
    Path captionFile = dir.resolve("captions.json");
    Path questionFile = dir.resolve("questions.json");
    JSON.writeValue(captionFile.toFile(), captions);
    JSON.writeValue(questionFile.toFile(), questions);
    return new Files_(images, captionFile, questionFile, heldOut);
  }

  /** The first colour or shape word in a reply, or "" when it names none. */
  public static String firstAnswerWord(String reply, List<String> words) {
    String lower = reply.toLowerCase(Locale.ROOT);
    int best = Integer.MAX_VALUE;
    String found = "";
    for (String w : words) {
      int at = lower.indexOf(w);
      if (at >= 0 && at < best) {
        best = at;
        found = w;
      }
    }
    return found;
  }

  private static ObjectNode record(int id, String image, String human, String gpt) {
    ObjectNode r = JSON.createObjectNode();
    r.put("id", Integer.toString(id));
    r.put("image", image);
    ArrayNode conv = r.putArray("conversations");
    conv.addObject().put("from", "human").put("value", human);
    conv.addObject().put("from", "gpt").put("value", gpt);
    return r;
  }

  private static String cap(String s) {
    return Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }

  private static BufferedImage draw(int colour, int shape, Random random) {
    int size = 64;
    BufferedImage img = new BufferedImage(size, size, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    int bg = 225 + random.nextInt(31);
    g.setColor(new Color(bg, bg - random.nextInt(15), bg - random.nextInt(15)));
    g.fillRect(0, 0, size, size);
    int extent = 26 + random.nextInt(20);
    int x = random.nextInt(size - extent);
    int y = random.nextInt(size - extent);
    g.setColor(RGB[colour]);
    switch (shape) {
      case 0 -> g.fillOval(x, y, extent, extent);
      case 1 -> g.fillRect(x, y, extent, extent);
      default ->
          g.fillPolygon(
              new int[] {x + extent / 2, x, x + extent}, new int[] {y, y + extent, y + extent}, 3);
    }
    g.dispose();
    return img;
  }
}
