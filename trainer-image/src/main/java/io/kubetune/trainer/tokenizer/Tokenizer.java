package io.kubetune.trainer.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.trainer.io.JsonFiles;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * A HuggingFace tokenizer loaded from a model folder ({@code tokenizer.json}, or a SentencePiece
 * {@code tokenizer.model} converted to it, and {@code tokenizer_config.json}), on DJL's binding of
 * the Rust {@code tokenizers} library.
 *
 * <p>DJL truncates to 512 tokens and may pad unless told otherwise; this class always turns both
 * off, so {@link #encode} returns every token of the text. It is thread-safe (the native tokenizer
 * is) and must be closed.
 *
 * <p>For streaming text out of a generation loop, use {@link StreamingDecoder}: decoding one token
 * at a time is wrong for byte-level BPE (a character can span tokens) and for SentencePiece (the
 * leading space of a word is dropped when a token is decoded alone).
 */
public final class Tokenizer implements AutoCloseable {
  private final HuggingFaceTokenizer hf;
  private final TokenizerConfig config;
  private final Map<String, Integer> vocab;
  private final String[] idToToken;
  private final BitSet special;

  private Tokenizer(
      HuggingFaceTokenizer hf,
      TokenizerConfig config,
      Map<String, Integer> vocab,
      String[] idToToken,
      BitSet special) {
    this.hf = hf;
    this.config = config;
    this.vocab = vocab;
    this.idToToken = idToToken;
    this.special = special;
  }

  /**
   * Loads the tokenizer of a HuggingFace model folder: {@code tokenizer.json}, or, when the folder
   * has none, a SentencePiece {@code tokenizer.model} converted as transformers 5 converts it
   * ({@link SentencePieceConverter}). Python tokenizer classes named by auto_map are never run.
   *
   * @throws NoSuchFileException when the folder has neither file
   * @throws IOException when a file cannot be read or parsed
   */
  public static Tokenizer load(Path modelDir) throws IOException {
    ObjectMapper json = new ObjectMapper();
    TokenizerConfig config = TokenizerConfig.read(modelDir, json);
    Path file = modelDir.resolve("tokenizer.json");
    Path spModel = modelDir.resolve("tokenizer.model");
    if (Files.isRegularFile(file)) {
      JsonNode root = readJson(file);
      HuggingFaceTokenizer hf;
      try {
        hf =
            HuggingFaceTokenizer.builder()
                .optTokenizerPath(file)
                // DJL's defaults truncate to 512 tokens: training data must never be cut silently
                .optTruncation(false)
                .optPadding(false)
                .optAddSpecialTokens(true)
                .build();
      } catch (RuntimeException e) { // the tokenizers library refused it
        throw new TokenizerFormatException(file + ": not a tokenizer.json: " + e.getMessage());
      }
      return create(hf, root, config);
    }
    if (!Files.isRegularFile(spModel)) {
      throw new NoSuchFileException(
          file.toString(), null, "no tokenizer.json or tokenizer.model in the model folder");
    }
    Path configFile = modelDir.resolve("tokenizer_config.json");
    JsonNode rawConfig = Files.exists(configFile) ? readJson(configFile) : json.createObjectNode();
    ObjectNode root;
    try {
      root = SentencePieceConverter.toTokenizerJson(SentencePieceModel.read(spModel), rawConfig);
    } catch (IllegalArgumentException e) {
      throw new TokenizerFormatException(spModel + ": " + e.getMessage());
    }
    HuggingFaceTokenizer hf =
        HuggingFaceTokenizer.newInstance(
            new ByteArrayInputStream(json.writeValueAsBytes(root)),
            Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"));
    return create(hf, root, config);
  }

  /** A tokenizer JSON file; malformed JSON is a {@link TokenizerFormatException} naming it. */
  static JsonNode readJson(Path file) throws IOException {
    try {
      return JsonFiles.read(file);
    } catch (JsonFiles.InvalidJsonException e) {
      throw new TokenizerFormatException(e.getMessage());
    }
  }

  /**
   * The tokenizer of a model folder with one more special token when it lacks it (e.g. LLaVA's
   * {@code <image>} added to a language model's tokenizer), given the next free id, as
   * transformers' add_special_tokens does. Needs tokenizer.json.
   */
  public static Tokenizer loadWithSpecialToken(Path modelDir, String token) throws IOException {
    Tokenizer plain = load(modelDir);
    if (plain.tokenId(token).isPresent()) {
      return plain;
    }
    int id = plain.vocabSize();
    plain.close();
    ObjectMapper json = new ObjectMapper();
    Path file = modelDir.resolve("tokenizer.json");
    if (!Files.isRegularFile(file)) {
      throw new NoSuchFileException(
          file.toString(), null, "adding " + token + " needs the folder's tokenizer.json");
    }
    ObjectNode root = withSpecialToken((ObjectNode) readJson(file), token, id);
    HuggingFaceTokenizer hf =
        HuggingFaceTokenizer.newInstance(
            new ByteArrayInputStream(json.writeValueAsBytes(root)),
            Map.of("addSpecialTokens", "true", "truncation", "false", "padding", "false"));
    return create(hf, root, TokenizerConfig.read(modelDir, json));
  }

  /** tokenizer.json's root with token added as a special token of the given id. */
  public static ObjectNode withSpecialToken(ObjectNode root, String token, int id) {
    ObjectNode copy = root.deepCopy();
    ObjectNode entry =
        ((com.fasterxml.jackson.databind.node.ArrayNode)
                (copy.has("added_tokens")
                    ? copy.get("added_tokens")
                    : copy.putArray("added_tokens")))
            .addObject();
    entry.put("id", id);
    entry.put("content", token);
    entry.put("single_word", false);
    entry.put("lstrip", false);
    entry.put("rstrip", false);
    entry.put("normalized", false);
    entry.put("special", true);
    return copy;
  }

  /** Whether {@code dir} holds a tokenizer {@link #load} reads (an export's adapter/ does). */
  public static boolean isTokenizerFolder(Path dir) {
    return Files.isRegularFile(dir.resolve("tokenizer.json"))
        || Files.isRegularFile(dir.resolve("tokenizer.model"));
  }

  private static Tokenizer create(HuggingFaceTokenizer hf, JsonNode root, TokenizerConfig config) {
    Map<String, Integer> vocab = new HashMap<>();
    JsonNode modelVocab = root.path("model").path("vocab");
    if (modelVocab.isObject()) { // BPE, WordPiece, WordLevel: {"token": id}
      for (Iterator<Map.Entry<String, JsonNode>> it = modelVocab.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        vocab.put(e.getKey(), e.getValue().asInt());
      }
    } else if (modelVocab.isArray()) { // Unigram: [["piece", score], ...], id = index
      for (int i = 0; i < modelVocab.size(); i++) {
        vocab.put(modelVocab.get(i).get(0).asText(), i);
      }
    }
    Map<String, Integer> added = new HashMap<>();
    BitSet special = new BitSet();
    for (JsonNode t : root.path("added_tokens")) {
      int id = t.path("id").asInt();
      added.put(t.path("content").asText(), id);
      if (t.path("special").asBoolean(false)) {
        special.set(id);
      }
    }
    vocab.putAll(added);
    // tokenizer_config.json can mark more tokens special than tokenizer.json does
    for (String s : config.specialAddedTokens()) {
      Integer id = vocab.get(s);
      if (id != null) {
        special.set(id);
      }
    }
    for (String s : config.specialTokens().values()) {
      Integer id = vocab.get(s);
      if (id != null) {
        special.set(id);
      }
    }
    int size = vocab.values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
    String[] idToToken = new String[size];
    vocab.forEach((token, id) -> idToToken[id] = token);
    return new Tokenizer(hf, config, Collections.unmodifiableMap(vocab), idToToken, special);
  }

  /**
   * Token ids of {@code text}. With {@code addSpecialTokens}, the tokenizer's post-processor adds
   * what the model expects around a text (e.g. bos for Llama and InternLM2, nothing for Qwen2).
   * Special tokens written in the text (e.g. {@code <|im_end|>}) are always recognised, as
   * transformers does.
   */
  public int[] encode(String text, boolean addSpecialTokens) {
    long[] ids = hf.encode(text, addSpecialTokens, false).getIds();
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = (int) ids[i];
    }
    return out;
  }

  /** The text of {@code ids}; with {@code skipSpecialTokens}, special tokens are left out. */
  public String decode(int[] ids, boolean skipSpecialTokens) {
    long[] l = new long[ids.length];
    for (int i = 0; i < ids.length; i++) {
      l[i] = ids[i];
    }
    return hf.decode(l, skipSpecialTokens);
  }

  /** Decodes {@code ids[from, to)}. */
  public String decode(int[] ids, int from, int to, boolean skipSpecialTokens) {
    long[] l = new long[to - from];
    for (int i = from; i < to; i++) {
      l[i - from] = ids[i];
    }
    return hf.decode(l, skipSpecialTokens);
  }

  /**
   * The number of token ids, added tokens included: the highest id + 1 (transformers' {@code
   * len(tokenizer)}). A model's embedding may have more rows (padded to a multiple of 64 etc.).
   */
  public int vocabSize() {
    return idToToken.length;
  }

  public OptionalInt bosId() {
    return namedId("bos_token");
  }

  public OptionalInt eosId() {
    return namedId("eos_token");
  }

  public OptionalInt padId() {
    return namedId("pad_token");
  }

  /** The id of a vocabulary entry or added token, by its string in tokenizer.json. */
  public OptionalInt tokenId(String token) {
    Integer id = vocab.get(token);
    return id == null ? OptionalInt.empty() : OptionalInt.of(id);
  }

  /** The vocabulary string of an id (byte-level form for BPE, e.g. "Ġthe"). */
  public Optional<String> token(int id) {
    return id >= 0 && id < idToToken.length ? Optional.ofNullable(idToToken[id]) : Optional.empty();
  }

  /** Whether {@code id} is a special token (skipped by {@code decode(ids, true)}). */
  public boolean isSpecial(int id) {
    return special.get(id);
  }

  /** The named special token, e.g. {@code specialToken("eos_token")}. */
  public Optional<String> specialToken(String name) {
    return Optional.ofNullable(config.specialTokens().get(name));
  }

  /** The tokenizer's default chat template (Jinja2 source), if it has one. */
  public Optional<String> chatTemplate() {
    return config.chatTemplate();
  }

  /** Everything tokenizer_config.json said. */
  public TokenizerConfig config() {
    return config;
  }

  private OptionalInt namedId(String name) {
    String token = config.specialTokens().get(name);
    return token == null ? OptionalInt.empty() : tokenId(token);
  }

  @Override
  public void close() {
    hf.close();
  }
}
