"""Checks a kubetune LLaVA export with the reference implementation.

usage: check_llava_export.py RUN_DIR IMAGE [QUESTION]
  RUN_DIR: the output folder of `kubetune train` on a LLaVA (holds hf/, and adapter/ for LoRA)

Loads RUN_DIR/hf with transformers (AutoProcessor, LlavaForConditionalGeneration), renders
QUESTION about IMAGE with the exported chat template and lets the exported processor expand
<image> and make the pixel values; computes ours for the same question with kubetune's runtime
(bench/java/LlavaLogits.java) and prints:
  input ids        kubetune == transformers' LlavaProcessor
  pixel values     max abs difference (PNG: float32 rounding)
  logits           max abs difference, transformers(hf) vs kubetune(hf)
  adapter (LoRA)   max abs difference, PEFT(base LLaVA + adapter) vs transformers(hf), when
                   RUN_DIR/adapter exists and its base model folder (adapter_config.json's
                   base_model_name_or_path, a file:// URI or path) is a LLaVA
Exit 1 when the ids differ or a difference exceeds 1e-4.
The Java classpath comes from bench/classpath.sh, or from $KUBETUNE_CLASSPATH when set.
"""
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import torch
from PIL import Image
from safetensors.torch import load_file
from transformers import AutoProcessor, AutoTokenizer, LlavaForConditionalGeneration

TOLERANCE = 1e-4
REPO = Path(__file__).resolve().parents[4]


def classpath():
    if os.environ.get("KUBETUNE_CLASSPATH"):
        return os.environ["KUBETUNE_CLASSPATH"]
    return subprocess.run([str(REPO / "bench/classpath.sh")], check=True, capture_output=True,
                          text=True).stdout.strip()


def ours(model_dir, image, question):
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "ours.safetensors"
        done = subprocess.run(["java", "-cp", classpath(), str(REPO / "bench/java/LlavaLogits.java"),
                               str(model_dir), str(image), str(out), question], capture_output=True, text=True)
        if done.returncode != 0:
            sys.stderr.write(done.stdout + done.stderr)
            raise SystemExit(f"LlavaLogits.java on {model_dir} exited {done.returncode} (its output above)")
        return load_file(str(out))


def load(model_dir):
    model = LlavaForConditionalGeneration.from_pretrained(str(model_dir), dtype=torch.float32,
                                                          attn_implementation="eager")
    return model.eval()


def main():
    run_dir = Path(sys.argv[1])
    image_path = Path(sys.argv[2])
    question = sys.argv[3] if len(sys.argv) > 3 else "What is in the picture?"
    hf = run_dir / "hf"
    processor = AutoProcessor.from_pretrained(str(hf))
    tokenizer = AutoTokenizer.from_pretrained(str(hf))
    text = tokenizer.apply_chat_template([{"role": "user", "content": "<image>\n" + question}],
                                         add_generation_prompt=True, tokenize=False)
    inputs = processor(text=text, images=Image.open(image_path), return_tensors="pt")
    mine = ours(hf, image_path, question)
    failed = False
    same_ids = inputs.input_ids[0].tolist() == mine["input_ids"][0].tolist()
    print(f"input ids        kubetune == transformers: {same_ids} ({inputs.input_ids.shape[1]} tokens)")
    failed |= not same_ids
    pixel_diff = float((inputs.pixel_values - mine["pixel_values"]).abs().max())
    print(f"pixel values     max abs difference {pixel_diff:.3g}")
    failed |= pixel_diff > TOLERANCE
    model = load(hf)
    with torch.no_grad():
        theirs = model(input_ids=inputs.input_ids, pixel_values=inputs.pixel_values).logits[0].float()
    diff = float((theirs - mine["logits"]).abs().max())
    print(f"logits           transformers(hf) vs kubetune(hf): max abs difference {diff:.3g} "
          f"(logits up to {float(theirs.abs().max()):.3g})")
    failed |= diff > TOLERANCE
    adapter = run_dir / "adapter"
    if adapter.is_dir():
        import peft
        base_name = json.loads((adapter / "adapter_config.json").read_text())["base_model_name_or_path"]
        base_dir = Path(base_name[len("file://"):] if base_name.startswith("file://") else base_name)
        if (base_dir / "config.json").is_file() and json.loads((base_dir / "config.json").read_text()).get(
                "model_type") == "llava":
            live = peft.PeftModel.from_pretrained(load(base_dir), str(adapter)).eval()
            with torch.no_grad():
                peft_logits = live(input_ids=inputs.input_ids, pixel_values=inputs.pixel_values).logits[0].float()
            adiff = float((peft_logits - theirs).abs().max())
            print(f"adapter (LoRA)   peft(base + adapter) vs transformers(hf): max abs difference {adiff:.3g}")
            failed |= adiff > TOLERANCE
        else:
            print(f"adapter (LoRA)   skipped: its base {base_dir} is not a llava-hf folder")
    print("FAILED" if failed else f"OK (tolerance {TOLERANCE})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
