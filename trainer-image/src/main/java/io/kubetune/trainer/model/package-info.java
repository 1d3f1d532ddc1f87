/**
 * The Llama-family decoder (Llama, Qwen2, InternLM2) on DJL tensors.
 *
 * <p>Loading: {@link io.kubetune.trainer.model.ModelLoader} reads {@code config.json} into {@link
 * io.kubetune.trainer.model.ModelConfig}, asks {@link io.kubetune.trainer.model.WeightLayout} which
 * tensors that config needs (names from {@link io.kubetune.trainer.model.Architecture}, shapes from
 * the config) so that a missing, extra or misshapen tensor is an error naming it, then builds an
 * immutable {@link io.kubetune.trainer.model.CausalLm} whose frozen weights alias the memory-mapped
 * safetensors files. {@link io.kubetune.trainer.model.LoadedModel} keeps the mappings alive.
 *
 * <p>The life of one forward pass ({@link io.kubetune.trainer.model.CausalLm#hidden}): token ids
 * and their positions [B, T] -> embedding -> for each {@link
 * io.kubetune.trainer.model.DecoderLayer}: RMSNorm, {@link io.kubetune.trainer.model.Attention} (q,
 * k, v projections or InternLM2's packed wqkv; {@link io.kubetune.trainer.model.RotaryEmbedding}
 * with the config's rope_scaling; grouped-query heads through an {@link
 * io.kubetune.trainer.model.AttentionBackend}; o projection), residual, RMSNorm, SwiGLU {@link
 * io.kubetune.trainer.model.Mlp}, residual -> final norm; {@link
 * io.kubetune.trainer.model.CausalLm#logits} applies lm_head (or the tied embedding).
 *
 * <p>Which keys a query sees is an {@link io.kubetune.trainer.model.AttentionMask} (causal, or
 * causal within each packed sample) or, when generating, a {@link io.kubetune.trainer.model.KvView}
 * over a {@link io.kubetune.trainer.model.KvCache}. Backends: {@link
 * io.kubetune.trainer.model.SdpaAttention} (libtorch's fused kernel through the dispatcher, the
 * default), {@link io.kubetune.trainer.model.SegmentedAttention} (packed rows sample by sample) and
 * {@link io.kubetune.trainer.model.NaiveAttention} (the reference the others are tested against).
 *
 * <p>Adapters do not change this package: {@link io.kubetune.trainer.model.CausalLm#mapLinears}
 * returns a new model whose chosen {@link io.kubetune.trainer.model.Linear} layers are wrapped
 * (peft), sharing every other weight.
 */
package io.kubetune.trainer.model;
