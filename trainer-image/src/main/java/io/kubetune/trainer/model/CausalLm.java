package io.kubetune.trainer.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import io.kubetune.trainer.torch.Aten;
import io.kubetune.trainer.torch.Dtype;
import io.kubetune.trainer.torch.Tensors;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * A Llama-family decoder-only language model. Immutable: adapters (LoRA) are added by {@link
 * #mapLinears}, which returns a new model sharing the base weights.
 */
public final class CausalLm {
  private final ModelConfig config;
  private final NDArray embedding;
  private final List<DecoderLayer> layers;
  private final RmsNorm finalNorm;
  private final Linear lmHead;
  private final RotaryEmbedding rope;
  private final AttentionBackend backend;
  private final Dtype computeDtype;
  private final Map<String, NDArray> baseParameters;

  CausalLm(
      ModelConfig config,
      NDArray embedding,
      List<DecoderLayer> layers,
      RmsNorm finalNorm,
      Linear lmHead,
      RotaryEmbedding rope,
      AttentionBackend backend,
      Dtype computeDtype,
      Map<String, NDArray> baseParameters) {
    this.config = config;
    this.embedding = embedding;
    this.layers = List.copyOf(layers);
    this.finalNorm = finalNorm;
    this.lmHead = lmHead;
    this.rope = rope;
    this.backend = backend;
    this.computeDtype = computeDtype;
    this.baseParameters = Collections.unmodifiableMap(new LinkedHashMap<>(baseParameters));
  }

  public ModelConfig config() {
    return config;
  }

  public Dtype computeDtype() {
    return computeDtype;
  }

  public RotaryEmbedding rope() {
    return rope;
  }

  /** The checkpoint's tensors by HuggingFace name (a tied lm_head is not repeated). */
  public Map<String, NDArray> baseParameters() {
    return baseParameters;
  }

  /** The same model with another attention implementation. */
  public CausalLm withBackend(AttentionBackend other) {
    return new CausalLm(
        config, embedding, layers, finalNorm, lmHead, rope, other, computeDtype, baseParameters);
  }

  /** The same model computing in another dtype (weights are cast on use). */
  public CausalLm withComputeDtype(Dtype other) {
    return new CausalLm(
        config, embedding, layers, finalNorm, lmHead, rope, backend, other, baseParameters);
  }

  /**
   * Every linear projection by module name (e.g. model.layers.0.self_attn.q_proj), lm_head last.
   */
  public Map<String, Linear> linears() {
    Map<String, Linear> out = new LinkedHashMap<>();
    Architecture arch = config.architecture();
    for (int i = 0; i < layers.size(); i++) {
      DecoderLayer l = layers.get(i);
      Attention a = l.attention();
      if (a.qkv() != null) {
        out.put(module(arch, WeightRole.QKV, i), a.qkv());
      } else {
        out.put(module(arch, WeightRole.Q, i), a.q());
        out.put(module(arch, WeightRole.K, i), a.k());
        out.put(module(arch, WeightRole.V, i), a.v());
      }
      out.put(module(arch, WeightRole.O, i), a.o());
      out.put(module(arch, WeightRole.GATE, i), l.mlp().gate());
      out.put(module(arch, WeightRole.UP, i), l.mlp().up());
      out.put(module(arch, WeightRole.DOWN, i), l.mlp().down());
    }
    out.put(module(arch, WeightRole.LM_HEAD, 0), lmHead);
    return out;
  }

  /** A model whose linear layers are f(module name, layer); unchanged layers are shared. */
  public CausalLm mapLinears(BiFunction<String, Linear, Linear> f) {
    Architecture arch = config.architecture();
    List<DecoderLayer> mapped = new ArrayList<>();
    for (int i = 0; i < layers.size(); i++) {
      DecoderLayer l = layers.get(i);
      Attention a = l.attention();
      Attention attention =
          a.qkv() != null
              ? new Attention(
                  config,
                  null,
                  null,
                  null,
                  f.apply(module(arch, WeightRole.QKV, i), a.qkv()),
                  f.apply(module(arch, WeightRole.O, i), a.o()))
              : new Attention(
                  config,
                  f.apply(module(arch, WeightRole.Q, i), a.q()),
                  f.apply(module(arch, WeightRole.K, i), a.k()),
                  f.apply(module(arch, WeightRole.V, i), a.v()),
                  null,
                  f.apply(module(arch, WeightRole.O, i), a.o()));
      Mlp mlp =
          new Mlp(
              f.apply(module(arch, WeightRole.GATE, i), l.mlp().gate()),
              f.apply(module(arch, WeightRole.UP, i), l.mlp().up()),
              f.apply(module(arch, WeightRole.DOWN, i), l.mlp().down()));
      mapped.add(new DecoderLayer(l.attentionNorm(), attention, l.mlpNorm(), mlp));
    }
    Linear head = f.apply(module(arch, WeightRole.LM_HEAD, 0), lmHead);
    return new CausalLm(
        config, embedding, mapped, finalNorm, head, rope, backend, computeDtype, baseParameters);
  }

  /**
   * The final-normed hidden states [B, T, hidden] for token ids [B, T] (int64) at positions [B, T]
   * (int64).
   */
  public NDArray hidden(NDArray inputIds, NDArray positions, AttentionMask mask) {
    return run(embed(inputIds), positions, KvView.uncached(mask), null);
  }

  /** The token embeddings [B, T, hidden] of ids [B, T], in the compute dtype. */
  public NDArray embed(NDArray inputIds) {
    return Aten.to(Aten.embedding(embedding, inputIds), computeDtype);
  }

  /**
   * {@link #hidden} from input embeddings [B, T, hidden] instead of ids: a multimodal model puts
   * image features among the token embeddings first (transformers' inputs_embeds).
   */
  public NDArray hiddenFromEmbeddings(NDArray embeddings, NDArray positions, AttentionMask mask) {
    return run(Aten.to(embeddings, computeDtype), positions, KvView.uncached(mask), null);
  }

  /**
   * transformers' output_hidden_states: the embeddings, each layer's output but the last, then the
   * final-normed output.
   */
  public List<NDArray> hiddenStates(NDArray inputIds, NDArray positions, AttentionMask mask) {
    List<NDArray> states = new ArrayList<>();
    NDArray last = run(embed(inputIds), positions, KvView.uncached(mask), states);
    states.set(states.size() - 1, last);
    return states;
  }

  /**
   * Adds tokens [B, T] to B sequences held in cache slots firstSlot..firstSlot+B-1, starting at
   * each sequence's position starts[b], and returns their final-normed hidden states [B, T,
   * hidden].
   */
  public NDArray hiddenCached(NDArray inputIds, long[] starts, KvCache cache, int firstSlot) {
    return hiddenCachedFromEmbeddings(embed(inputIds), starts, cache, firstSlot);
  }

  /** {@link #hiddenCached} from input embeddings [B, T, hidden] (see hiddenFromEmbeddings). */
  public NDArray hiddenCachedFromEmbeddings(
      NDArray embeddings, long[] starts, KvCache cache, int firstSlot) {
    NDManager manager = embeddings.getManager();
    int tokens = (int) embeddings.getShape().get(1);
    long[] positions = new long[starts.length * tokens];
    for (int b = 0; b < starts.length; b++) {
      for (int t = 0; t < tokens; t++) {
        positions[b * tokens + t] = starts[b] + t;
      }
    }
    NDArray pos =
        Tensors.int64(manager, positions, new ai.djl.ndarray.types.Shape(starts.length, tokens));
    return run(
        Aten.to(embeddings, computeDtype),
        pos,
        new CachedKvView(manager, cache, firstSlot, starts, tokens),
        null);
  }

  /** Logits [.., vocab] in fp32 for final-normed hidden states. */
  public NDArray logits(NDArray hidden) {
    return Aten.to(lmHead.apply(hidden), Dtype.F32);
  }

  public int numLayers() {
    return layers.size();
  }

  /**
   * The pieces of {@link #hidden}, for running a forward pass layer by layer (sharded parameters,
   * recomputation in backward): embed, then each layer under one {@link LayerContext}, then the
   * final norm. Composed in that order they compute exactly what hidden() computes. This one: what
   * every layer of one training pass shares (rotary tables and the attention mask).
   */
  public LayerContext context(NDArray positions, AttentionMask mask) {
    long maxPosition = positions.max().getLong();
    NDList cosSin = rope.cosSin(positions, maxPosition);
    return new LayerContext(cosSin.get(0), cosSin.get(1), KvView.uncached(mask));
  }

  /** Decoder layer i on x. */
  public NDArray layer(int i, NDArray x, LayerContext context) {
    return layers.get(i).forward(x, context.cos(), context.sin(), context.kv(), i, backend);
  }

  /** The final norm: layer outputs to the hidden states logits() takes. */
  public NDArray finalNorm(NDArray x) {
    return finalNorm.apply(x);
  }

  private NDArray run(NDArray embedded, NDArray positions, KvView kv, List<NDArray> states) {
    NDArray x = embedded;
    long maxPosition = positions.max().getLong();
    NDList cosSin = rope.cosSin(positions, maxPosition);
    for (int i = 0; i < layers.size(); i++) {
      if (states != null) {
        states.add(x);
      }
      x = layers.get(i).forward(x, cosSin.get(0), cosSin.get(1), kv, i, backend);
    }
    if (states != null) {
      states.add(x);
    }
    return finalNorm.apply(x);
  }

  private static String module(Architecture arch, WeightRole role, int layer) {
    String name = arch.tensorName(role, layer);
    return name.substring(0, name.length() - ".weight".length());
  }
}
