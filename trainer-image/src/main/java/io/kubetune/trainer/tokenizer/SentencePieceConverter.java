package io.kubetune.trainer.tokenizer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kubetune.trainer.tokenizer.SentencePieceModel.Piece;
import io.kubetune.trainer.tokenizer.SentencePieceModel.PieceType;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns a SentencePiece BPE model and its {@code tokenizer_config.json} into a {@code
 * tokenizer.json} for the tokenizers library, as transformers 5 does when a folder has only a
 * {@code tokenizer.model} (transformers 5 has no other sentencepiece path: its tokenizers are all
 * tokenizers-library backends). Two recipes, picked like transformers picks them:
 *
 * <ul>
 *   <li>{@code tokenizer_class} LlamaTokenizer(Fast): transformers' LlamaTokenizer (no normalizer;
 *       a Metaspace pre-tokenizer that prefixes the first chunk, or every chunk with {@code legacy:
 *       true}; merges ordered by the merged piece's id).
 *   <li>any other class (InternLM2Tokenizer among them, whose Python code is never run): the
 *       generic recipe that follows the model's own normalizer settings, so it encodes like {@code
 *       SentencePieceProcessor.encode} on each chunk between added tokens: the dummy prefix on
 *       every chunk ({@code legacy}, the default), whitespace escaping, extra-whitespace removal,
 *       user-defined pieces kept whole, merges ranked by piece score; added_tokens_decoder renames
 *       pieces (InternLM2's chat tokens are "[UNUSED_TOKEN_14x]" in its model).
 * </ul>
 *
 * Both: BPE with byte fallback and fused unknowns, special tokens from the model's control pieces,
 * the named tokens and added_tokens_decoder, and bos/eos added as add_bos_token/add_eos_token say.
 * The parity tests compare the result with transformers' own conversion of the same files.
 */
public final class SentencePieceConverter {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SPACE = "\u2581";

  private final SentencePieceModel sp;
  private final JsonNode config;

  private SentencePieceConverter(SentencePieceModel sp, JsonNode config) {
    this.sp = sp;
    this.config = config;
  }

  /**
   * @param config tokenizer_config.json (an empty object when the folder has none)
   * @throws IllegalArgumentException for a model this runtime cannot convert (e.g. unigram)
   */
  public static ObjectNode toTokenizerJson(SentencePieceModel sp, JsonNode config) {
    if (!sp.bpe()) {
      throw new IllegalArgumentException(
          "sentencepiece model_type "
              + sp.modelType()
              + " (unigram, word or char) is not supported; only BPE models (Llama-2, InternLM2)");
    }
    if (sp.treatWhitespaceAsSuffix()) {
      throw new IllegalArgumentException(
          "sentencepiece treat_whitespace_as_suffix=true is not supported");
    }
    return new SentencePieceConverter(sp, config).convert();
  }

  private ObjectNode convert() {
    String cls = config.path("tokenizer_class").asText("");
    boolean llama = cls.equals("LlamaTokenizer") || cls.equals("LlamaTokenizerFast");
    boolean legacy = config.path("legacy").asBoolean(true);
    Map<Integer, JsonNode> addedById = addedTokensDecoder();
    Map<String, Integer> vocab = llama ? pieceVocab() : renamedVocab(addedById);

    ObjectNode root = JSON.createObjectNode();
    root.put("version", "1.0");
    root.putNull("truncation");
    root.putNull("padding");
    root.set("added_tokens", addedTokens(vocab, addedById, llama));
    if (llama) {
      boolean prefix =
          !config.hasNonNull("add_prefix_space") || config.get("add_prefix_space").asBoolean();
      root.putNull("normalizer");
      root.set("pre_tokenizer", metaspace(prefix ? (legacy ? "always" : "first") : "never"));
      root.set("post_processor", postProcessor(vocab, true));
      root.set("decoder", decoder(true, prefix));
      root.set("model", bpe(vocab, llamaMerges(vocab), null, false));
    } else {
      List<String> userDefined = userDefined(vocab);
      root.set("normalizer", genericNormalizer(legacy));
      root.set("pre_tokenizer", genericPreTokenizer(legacy, userDefined));
      root.set("post_processor", postProcessor(vocab, false));
      root.set("decoder", decoder(sp.byteFallback(), sp.addDummyPrefix()));
      root.set("model", bpe(vocab, scoreMerges(vocab), sp.unkPiece(), !userDefined.isEmpty()));
    }
    return root;
  }

  // ---- vocabulary ---------------------------------------------------------------------------

  private Map<String, Integer> pieceVocab() {
    Map<String, Integer> vocab = new LinkedHashMap<>();
    List<Piece> pieces = sp.pieces();
    for (int i = 0; i < pieces.size(); i++) {
      vocab.put(pieces.get(i).piece(), i);
    }
    return vocab;
  }

  /** Pieces renamed by added_tokens_decoder, unless another piece keeps that name. */
  private Map<String, Integer> renamedVocab(Map<Integer, JsonNode> addedById) {
    Set<String> kept = new HashSet<>();
    List<Piece> pieces = sp.pieces();
    for (int i = 0; i < pieces.size(); i++) {
      if (!addedById.containsKey(i)) {
        kept.add(pieces.get(i).piece());
      }
    }
    Map<String, Integer> vocab = new LinkedHashMap<>();
    for (int i = 0; i < pieces.size(); i++) {
      JsonNode added = addedById.get(i);
      String name = added == null ? null : added.path("content").asText();
      vocab.put(name != null && !kept.contains(name) ? name : pieces.get(i).piece(), i);
    }
    return vocab;
  }

  private String[] names(Map<String, Integer> vocab) {
    String[] byId = new String[sp.pieces().size()];
    vocab.forEach((token, id) -> byId[id] = token);
    return byId;
  }

  private List<String> userDefined(Map<String, Integer> vocab) {
    String[] byId = names(vocab);
    List<String> out = new ArrayList<>();
    for (int i = 0; i < byId.length; i++) {
      if (sp.pieces().get(i).type() == PieceType.USER_DEFINED) {
        out.add(byId[i]);
      }
    }
    return out;
  }

  // ---- merges -------------------------------------------------------------------------------

  /** transformers' generate_merges(vocab): every split of every piece into two pieces. */
  private static List<String[]> llamaMerges(Map<String, Integer> vocab) {
    List<String[]> merges = new ArrayList<>();
    List<Integer> mergedIds = new ArrayList<>();
    for (Map.Entry<String, Integer> e : vocab.entrySet()) {
      List<String[]> local = splits(e.getKey(), vocab::containsKey);
      local.sort(
          Comparator.<String[]>comparingInt(s -> vocab.get(s[0]))
              .thenComparingInt(s -> vocab.get(s[1])));
      for (String[] s : local) {
        merges.add(s);
        mergedIds.add(e.getValue());
      }
    }
    Integer[] order = new Integer[merges.size()];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    // stable: (merged id, left length, right length), lengths in code points as Python counts
    java.util.Arrays.sort(
        order,
        Comparator.<Integer>comparingInt(mergedIds::get)
            .thenComparingInt(i -> codePoints(merges.get(i)[0]))
            .thenComparingInt(i -> codePoints(merges.get(i)[1])));
    List<String[]> out = new ArrayList<>(order.length);
    for (Integer i : order) {
      out.add(merges.get(i));
    }
    return out;
  }

  /** Merges of normal pieces ranked by (score descending, id, left, right). */
  private List<String[]> scoreMerges(Map<String, Integer> vocab) {
    String[] byId = names(vocab);
    Map<String, Integer> normal = new HashMap<>();
    for (int i = 0; i < byId.length; i++) {
      if (sp.pieces().get(i).type() == PieceType.NORMAL) {
        normal.put(byId[i], i);
      }
    }
    record Ranked(float score, int id, String left, String right) {}
    List<Ranked> ranked = new ArrayList<>();
    for (int i = 0; i < byId.length; i++) {
      if (sp.pieces().get(i).type() != PieceType.NORMAL) {
        continue;
      }
      for (String[] s : splits(byId[i], normal::containsKey)) {
        ranked.add(new Ranked(sp.pieces().get(i).score(), i, s[0], s[1]));
      }
    }
    ranked.sort(
        Comparator.comparingDouble((Ranked r) -> -r.score())
            .thenComparingInt(Ranked::id)
            .thenComparing(Ranked::left, SentencePieceConverter::compareCodePoints)
            .thenComparing(Ranked::right, SentencePieceConverter::compareCodePoints));
    List<String[]> out = new ArrayList<>(ranked.size());
    ranked.forEach(r -> out.add(new String[] {r.left(), r.right()}));
    return out;
  }

  private static List<String[]> splits(String token, java.util.function.Predicate<String> known) {
    List<String[]> out = new ArrayList<>();
    for (int i = token.offsetByCodePoints(0, 1), n = token.length(); i < n; ) {
      String left = token.substring(0, i);
      String right = token.substring(i);
      if (known.test(left) && known.test(right)) {
        out.add(new String[] {left, right});
      }
      i = token.offsetByCodePoints(i, 1);
    }
    return out;
  }

  private static int codePoints(String s) {
    return s.codePointCount(0, s.length());
  }

  /** Python's str ordering (by code point; Java's compareTo orders UTF-16 units). */
  private static int compareCodePoints(String a, String b) {
    return java.util.Arrays.compare(a.codePoints().toArray(), b.codePoints().toArray());
  }

  private static ObjectNode bpe(
      Map<String, Integer> vocab, List<String[]> merges, String unk, boolean ignoreMerges) {
    ObjectNode m = JSON.createObjectNode();
    m.put("type", "BPE");
    m.putNull("dropout");
    if (unk == null) {
      m.putNull("unk_token");
    } else {
      m.put("unk_token", unk);
    }
    m.putNull("continuing_subword_prefix");
    m.putNull("end_of_word_suffix");
    m.put("fuse_unk", true);
    m.put("byte_fallback", true);
    m.put("ignore_merges", ignoreMerges);
    ObjectNode v = m.putObject("vocab");
    vocab.forEach(v::put);
    ArrayNode mergeList = m.putArray("merges");
    merges.forEach(p -> mergeList.addArray().add(p[0]).add(p[1]));
    return m;
  }

  // ---- normalizer, pre-tokenizer, decoder ---------------------------------------------------

  private ObjectNode genericNormalizer(boolean legacy) {
    ObjectNode seq = JSON.createObjectNode();
    seq.put("type", "Sequence");
    ArrayNode list = seq.putArray("normalizers");
    if (sp.precompiledCharsmap().length > 0) {
      list.addObject()
          .put("type", "Precompiled")
          .put(
              "precompiled_charsmap", Base64.getEncoder().encodeToString(sp.precompiledCharsmap()));
    }
    if (sp.removeExtraWhitespaces()) { // sentencepiece strips and collapses spaces, not newlines
      list.add(replace("Regex", "\\A +| +\\z", ""));
      list.add(replace("Regex", " {2,}", " "));
    }
    if (sp.escapeWhitespaces()) {
      list.add(replace("String", " ", SPACE));
    }
    if (sp.addDummyPrefix() && legacy) {
      // Metaspace does not prefix a chunk that already starts with the meta symbol; sentencepiece
      // does
      list.add(replace("Regex", "\\A" + SPACE, SPACE + SPACE));
    }
    return seq;
  }

  private JsonNode genericPreTokenizer(boolean legacy, List<String> userDefined) {
    List<ObjectNode> list = new ArrayList<>();
    if (sp.addDummyPrefix()) {
      list.add(metaspace(legacy ? "always" : "first"));
    }
    if (!userDefined.isEmpty()) {
      // sentencepiece emits user-defined pieces whole and never merges into them
      List<String> longestFirst = new ArrayList<>(userDefined);
      longestFirst.sort(Comparator.comparingInt(SentencePieceConverter::codePoints).reversed());
      StringBuilder pattern = new StringBuilder();
      for (String piece : longestFirst) {
        pattern.append(pattern.isEmpty() ? "" : "|").append(escapeRegex(piece));
      }
      ObjectNode split = JSON.createObjectNode().put("type", "Split");
      split.putObject("pattern").put("Regex", pattern.toString());
      split.put("behavior", "Isolated").put("invert", false);
      list.add(split);
    }
    if (list.isEmpty()) {
      return JSON.nullNode();
    }
    ObjectNode seq = JSON.createObjectNode().put("type", "Sequence");
    ArrayNode arr = seq.putArray("pretokenizers");
    list.forEach(arr::add);
    return seq;
  }

  private static ObjectNode metaspace(String prependScheme) {
    return JSON.createObjectNode()
        .put("type", "Metaspace")
        .put("replacement", SPACE)
        .put("prepend_scheme", prependScheme)
        .put("split", false);
  }

  private static ObjectNode decoder(boolean byteFallback, boolean stripPrefix) {
    ObjectNode seq = JSON.createObjectNode().put("type", "Sequence");
    ArrayNode list = seq.putArray("decoders");
    list.add(replace("String", SPACE, " "));
    if (byteFallback) {
      list.addObject().put("type", "ByteFallback");
    }
    if (stripPrefix) {
      // Strip works per token: fuse first so that only the start of the text loses its space
      list.addObject().put("type", "Fuse");
      list.addObject().put("type", "Strip").put("content", " ").put("start", 1).put("stop", 0);
    } else if (byteFallback) {
      list.addObject().put("type", "Fuse");
    }
    return seq;
  }

  private static ObjectNode replace(String kind, String pattern, String content) {
    ObjectNode r = JSON.createObjectNode().put("type", "Replace");
    r.putObject("pattern").put(kind, pattern);
    r.put("content", content);
    return r;
  }

  /** Python's re.escape: a backslash before each of its special characters. */
  static String escapeRegex(String s) {
    StringBuilder out = new StringBuilder();
    s.codePoints()
        .forEach(
            c -> {
              if ("()[]{}?*+-|^$\\.&~# \t\n\r\u000b\f".indexOf(c) >= 0) {
                out.append('\\');
              }
              out.appendCodePoint(c);
            });
    return out.toString();
  }

  // ---- special and added tokens -------------------------------------------------------------

  private Map<Integer, JsonNode> addedTokensDecoder() {
    Map<Integer, JsonNode> out = new TreeMap<>();
    JsonNode decoder = config.path("added_tokens_decoder");
    decoder
        .fields()
        .forEachRemaining(
            e -> {
              try {
                out.put(Integer.parseInt(e.getKey()), e.getValue());
              } catch (NumberFormatException ex) {
                throw new IllegalArgumentException(
                    "tokenizer_config.json: added_tokens_decoder key '"
                        + e.getKey()
                        + "' is no id");
              }
            });
    return out;
  }

  private ArrayNode addedTokens(
      Map<String, Integer> vocab, Map<Integer, JsonNode> addedById, boolean llama) {
    Map<Integer, ObjectNode> tokens = new TreeMap<>();
    boolean rawMatch = !llama && sp.addDummyPrefix(); // match added tokens on the raw text
    addedById.forEach(
        (id, t) -> {
          String content = t.path("content").asText();
          Integer inVocab = vocab.get(content);
          int tokenId = inVocab != null ? inVocab : id;
          tokens.put(
              tokenId,
              added(
                  tokenId,
                  content,
                  t.path("special").asBoolean(false),
                  t.path("lstrip").asBoolean(false),
                  t.path("rstrip").asBoolean(false),
                  !rawMatch && t.path("normalized").asBoolean(!t.path("special").asBoolean(false)),
                  t.path("single_word").asBoolean(false)));
        });
    String[] byId = names(vocab);
    for (int i = 0; i < byId.length; i++) {
      PieceType type = sp.pieces().get(i).type();
      if (type == PieceType.CONTROL || (llama && type == PieceType.USER_DEFINED)) {
        tokens.putIfAbsent(
            i, added(i, byId[i], type == PieceType.CONTROL, false, false, false, false));
      }
    }
    for (String name : TokenizerConfig.SPECIAL_TOKEN_NAMES) {
      String content = tokenText(config.get(name));
      Integer id = content == null ? null : vocab.get(content);
      if (id != null) {
        tokens.putIfAbsent(id, added(id, content, true, false, false, false, false));
      }
    }
    ArrayNode out = JSON.createArrayNode();
    tokens.values().forEach(out::add);
    return out;
  }

  private static ObjectNode added(
      int id,
      String content,
      boolean special,
      boolean lstrip,
      boolean rstrip,
      boolean normalized,
      boolean singleWord) {
    return JSON.createObjectNode()
        .put("id", id)
        .put("content", content)
        .put("single_word", singleWord)
        .put("lstrip", lstrip)
        .put("rstrip", rstrip)
        .put("normalized", normalized)
        .put("special", special);
  }

  private JsonNode postProcessor(Map<String, Integer> vocab, boolean llama) {
    boolean addBos = config.path("add_bos_token").asBoolean(llama);
    boolean addEos = config.path("add_eos_token").asBoolean(false);
    String bos = addBos ? requiredToken("bos_token", vocab) : null;
    String eos = addEos ? requiredToken("eos_token", vocab) : null;
    if (bos == null && eos == null) {
      return JSON.nullNode();
    }
    ObjectNode p = JSON.createObjectNode().put("type", "TemplateProcessing");
    ArrayNode single = p.putArray("single");
    ArrayNode pair = p.putArray("pair");
    for (int typeId = 0; typeId < 2; typeId++) {
      for (ArrayNode target : typeId == 0 ? List.of(single, pair) : List.of(pair)) {
        if (bos != null) {
          target.addObject().putObject("SpecialToken").put("id", bos).put("type_id", typeId);
        }
        target
            .addObject()
            .putObject("Sequence")
            .put("id", typeId == 0 ? "A" : "B")
            .put("type_id", typeId);
        if (eos != null) {
          target.addObject().putObject("SpecialToken").put("id", eos).put("type_id", typeId);
        }
      }
    }
    ObjectNode special = p.putObject("special_tokens");
    for (String t : new String[] {bos, eos}) {
      if (t != null) {
        ObjectNode s = special.putObject(t).put("id", t);
        s.putArray("ids").add(vocab.get(t));
        s.putArray("tokens").add(t);
      }
    }
    return p;
  }

  private String requiredToken(String name, Map<String, Integer> vocab) {
    String content = tokenText(config.get(name));
    if (content == null) {
      content = name.equals("bos_token") ? pieceOrNull(sp.bosId()) : pieceOrNull(sp.eosId());
    }
    if (content == null || !vocab.containsKey(content)) {
      throw new IllegalArgumentException(
          "tokenizer_config.json: add_"
              + name
              + " is true but "
              + name
              + " "
              + (content == null ? "is not set" : "'" + content + "' is not in the vocabulary"));
    }
    return content;
  }

  private String pieceOrNull(int id) {
    return id >= 0 && id < sp.pieces().size() ? sp.pieces().get(id).piece() : null;
  }

  private static String tokenText(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (node.isTextual()) {
      return node.asText();
    }
    return node.hasNonNull("content") ? node.get("content").asText() : null;
  }
}
