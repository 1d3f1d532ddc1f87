"""Checks a kubetune export with the reference implementation.

usage: check_export.py RUN_DIR BASE_MODEL_DIR
  RUN_DIR: the output folder of `kubetune train` (holds hf/ and, for LoRA, adapter/)

It loads RUN_DIR/hf with transformers, and BASE_MODEL_DIR + RUN_DIR/adapter with PEFT, computes
logits for a chat rendered with the exported chat template, computes ours for the same ids with
kubetune's runtime (bench/java/Logits.java), and prints the max absolute differences:
  transformers(hf)    vs kubetune(hf)
  peft(base+adapter)  vs kubetune(base+adapter)
  peft(base+adapter)  vs transformers(hf)       (LoRA merged on export = adapter applied live)
Exit 1 when any exceeds 1e-4.
"""
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
    worst = 0.0
    for name, diff in results.items():
        print(f"{name:48s} max |diff| = {diff:.3e}")
        worst = max(worst, diff)
    print("OK" if worst <= TOLERANCE else f"FAIL: above {TOLERANCE}")
    sys.exit(0 if worst <= TOLERANCE else 1)


if __name__ == "__main__":
    main()
