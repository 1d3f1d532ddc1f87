package io.kubetune.trainer.export;

import io.kubetune.trainer.model.CausalLm;
import io.kubetune.trainer.peft.LoraAdapters;
import io.kubetune.trainer.torch.Dtype;
import java.nio.file.Path;
import java.util.Set;

/**
 * What to export and where.
 *
 * @param baseModelDir the model trained from: its config, tokenizer and generation files are the
 *     starting point of the exported ones
 * @param model the base model; for full fine-tuning its parameters hold the trained values
 * @param adapters the trained LoRA adapters, or null for full fine-tuning
 * @param chatTemplate the Jinja chat template training used, written into tokenizer_config.json;
 *     null keeps the base model's
 * @param eosTokenIds ids that end a reply: written to generation_config.json so that servers stop
 *     where training taught the model to stop
 * @param dtype the dtype of the exported weights
 * @param baseModelName what adapter_config.json names as the base model: a local path (the base's
 *     folder as the trainer saw it) or a hub id, as PEFT reads base_model_name_or_path
 * @param beforeRead called with a tensor's name just before its values are read (ZeRO-3 gathers the
 *     tensor's layer there); the tensors of one layer are read one after the other
 */
public record ExportRequest(
    Path baseModelDir,
    CausalLm model,
    LoraAdapters adapters,
    Path outputDir,
    String chatTemplate,
    Set<Integer> eosTokenIds,
    Dtype dtype,
    String baseModelName,
    java.util.function.Consumer<String> beforeRead) {

  /** A request whose tensors are all in place. */
  public ExportRequest(
      Path baseModelDir,
      CausalLm model,
      LoraAdapters adapters,
      Path outputDir,
      String chatTemplate,
      Set<Integer> eosTokenIds,
      Dtype dtype,
      String baseModelName) {
    this(
        baseModelDir,
        model,
        adapters,
        outputDir,
        chatTemplate,
        eosTokenIds,
        dtype,
        baseModelName,
        name -> {});
  }
}
