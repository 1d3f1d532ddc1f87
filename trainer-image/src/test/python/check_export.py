"""Checks a kubetune export with the reference implementation.

usage: check_export.py RUN_DIR BASE_MODEL_DIR
  RUN_DIR: the output folder of `kubetune train` (holds hf/ and, for LoRA, adapter/)

It loads RUN_DIR/hf with transformers, and BASE_MODEL_DIR + RUN_DIR/adapter with PEFT, computes
logits for a chat rendered with the exported chat template, computes ours for the same ids with
kubetune's runtime (bench/java/Logits.java), and prints the max absolute differences:
  transformers(hf)    vs kubetune(hf)
  peft(base+adapter)  vs kubetune(base+adapter)
  peft(base+adapter)  vs transformers(hf)       (LoRA merged on export = adapter applied live)
  AutoPeftModelForCausalLM(adapter/ alone) vs peft(base+adapter): PEFT finds the base from
                                                adapter_config.json's base_model_name_or_path
Exit 1 when any exceeds 1e-4 (or when adapter/ does not name a base PEFT can load).

A base stored in bf16 or fp16 is exported in that dtype by default (output.mergeDtype: base), so
the merged weights W + s*B@A are rounded to it: next to the small LoRA update that rounding moves the logits by far more than 1e-4
(it does the same to PEFT's own merge_and_unload in that dtype). For such a base the third line is
printed but not held to 1e-4; instead every exported tensor must equal PEFT's merge_and_unload of
base + adapter in the base's dtype within one ulp of that dtype (the two merges round once or
twice). An export written in fp32 (output.mergeDtype: fp32) is the exact merge and held to 1e-4.
"""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import torch
from safetensors.torch import load_file
from transformers import AutoModelForCausalLM, AutoTokenizer

TOLERANCE = 1e-4
REPO = Path(__file__).resolve().parents[4]


def ours(model_dir, adapter_dir, ids):
    cp = subprocess.run([str(REPO / "bench/classpath.sh")], check=True, capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "logits.safetensors"
        subprocess.run(["java", "-cp", cp, str(REPO / "bench/java/Logits.java"), str(model_dir),
                        str(adapter_dir) if adapter_dir else "-", str(out), *map(str, ids)],
                       check=True, capture_output=True)
        return load_file(str(out))["logits"]


def theirs(model_dir, ids, adapter_dir=None):
    model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32, attn_implementation="eager")
    if adapter_dir:
        import peft
        model = peft.PeftModel.from_pretrained(model, str(adapter_dir))
    model.eval()
    with torch.no_grad():
        return model(torch.tensor([ids])).logits[0].float()


MANTISSA_BITS = {torch.bfloat16: 7, torch.float16: 10}


def stored_dtype(model_dir):
    tensors = {}
    for f in sorted(Path(model_dir).glob("*.safetensors")):
        tensors.update(load_file(str(f)))
    return next(iter(tensors.values())).dtype, tensors


def merged_by_peft(base, adapter, dtype):
    import peft
    model = AutoModelForCausalLM.from_pretrained(str(base), dtype=dtype)
    return peft.PeftModel.from_pretrained(model, str(adapter)).merge_and_unload().state_dict()


def ulps_apart(a, b, dtype):
    """The largest distance between a and b in ulps of dtype (at the larger magnitude)."""
    a, b = a.double(), b.double()
    scale = torch.maximum(a.abs(), b.abs()).clamp_min(torch.finfo(dtype).tiny)
    ulp = torch.exp2(torch.floor(torch.log2(scale)) - MANTISSA_BITS[dtype])
    return float(((a - b).abs() / ulp).max())


def main():
    run, base = Path(sys.argv[1]), Path(sys.argv[2])
    hf, adapter = run / "hf", run / "adapter"
    tok = AutoTokenizer.from_pretrained(str(hf))
    messages = [{"role": "user", "content": "Who are you?"}]
    ids = tok.apply_chat_template(messages, add_generation_prompt=True, tokenize=True)
    if isinstance(ids, dict) or hasattr(ids, "input_ids"):
        ids = ids["input_ids"]
    ids = list(ids)[:64]
    print(f"prompt: {len(ids)} tokens rendered by transformers with hf/'s chat template")
    results = {}
    t_hf = theirs(hf, ids)
    results["transformers(hf) vs kubetune(hf)"] = (t_hf - ours(hf, None, ids)).abs().max().item()
    if adapter.exists():
        t_peft = theirs(base, ids, adapter)
        results["peft(base+adapter) vs kubetune(base+adapter)"] = (t_peft - ours(base, adapter, ids)).abs().max().item()
        results["peft(base+adapter) vs transformers(hf)"] = (t_peft - t_hf).abs().max().item()
        from peft import AutoPeftModelForCausalLM
        alone = AutoPeftModelForCausalLM.from_pretrained(
            str(adapter), dtype=torch.float32, attn_implementation="eager").eval()
        with torch.no_grad():
            t_alone = alone(torch.tensor([ids])).logits[0].float()
        results["peft(adapter/ alone) vs peft(base+adapter)"] = (t_alone - t_peft).abs().max().item()
    dtype, _ = stored_dtype(base)
    hf_dtype, _ = stored_dtype(hf)
    # an export in the base's low-precision dtype is rounded; an fp32 one (mergeDtype: fp32) is exact
    rounded = ("peft(base+adapter) vs transformers(hf)"
               if dtype in MANTISSA_BITS and hf_dtype == dtype else None)
    failed = []
    for name, diff in results.items():
        note = f"  (not checked: the export is rounded to {dtype})" if name == rounded else ""
        print(f"{name:48s} max |diff| = {diff:.3e}{note}")
        if diff > TOLERANCE and name != rounded:
            failed.append(f"{name} above {TOLERANCE}")
    if rounded and adapter.exists():
        _, exported = stored_dtype(hf)
        peft_merge = merged_by_peft(base, adapter, dtype)
        tied = json.loads((hf / "config.json").read_text()).get("tie_word_embeddings", False)
        aliases = {"lm_head.weight"} if tied else set()  # a tied lm_head is the embedding, not saved
        missing = sorted((set(exported) ^ set(peft_merge)) - aliases)
        worst = max(ulps_apart(exported[k], peft_merge[k], dtype) for k in exported if k in peft_merge)
        print(f"{'peft merge_and_unload in ' + str(dtype) + ' vs hf/ tensors':48s} max {worst:.2f} ulp"
              + (f", names in one only: {missing}" if missing else ""))
        if worst > 1 or missing:
            failed.append(f"merged tensors differ from PEFT's merge by more than one {dtype} ulp")
    print("OK" if not failed else "FAIL: " + "; ".join(failed))
    sys.exit(0 if not failed else 1)


if __name__ == "__main__":
    main()
