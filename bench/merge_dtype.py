"""Logits of base + adapter (PEFT, live) against the merged hf/ in bf16 and in fp32, all computed in
fp32 by transformers on chats rendered with the exported chat template. Prints one line per figure.

usage: merge_dtype.py BASE ADAPTER HF_BASE_DTYPE HF_FP32"""
import sys
from pathlib import Path

import peft
import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

PROMPTS = ["Who are you?", "What can you do?", "Who made you?", "Tell me about yourself.",
           "What is the capital of France?", "Write a haiku about the sea."]


def model(path):
    return AutoModelForCausalLM.from_pretrained(path, dtype=torch.float32).eval()


def logits(m, batches):
    with torch.no_grad():
        return torch.cat([m(torch.tensor([ids])).logits[0] for ids in batches])


def main():
    base, adapter, hf_base, hf_fp32 = sys.argv[1:5]
    tok = AutoTokenizer.from_pretrained(hf_fp32)
    batches = []
    for p in PROMPTS:
        ids = tok.apply_chat_template([{"role": "user", "content": p}], add_generation_prompt=True)
        batches.append(list(ids["input_ids"] if hasattr(ids, "keys") else ids))
    l_base = logits(model(base), batches)
    l_live = logits(peft.PeftModel.from_pretrained(model(base), adapter), batches)
    l_bf16 = logits(model(hf_base), batches)
    l_fp32 = logits(model(hf_fp32), batches)
    effect = l_live - l_base
    for name, merged in (("hf/ in the base's dtype", l_bf16), ("hf/ in fp32", l_fp32)):
        lost = merged - l_live
        print(f"{name:24s} max |logit - live| = {lost.abs().max():.3e}   "
              f"lost share of the adapter's effect = {lost.norm() / effect.norm():.1%}")
    print(f"adapter's effect on the logits: max |live - base| = {effect.abs().max():.3e}")
    for name, d in (("hf/ in the base's dtype", hf_base), ("hf/ in fp32", hf_fp32)):
        size = sum(f.stat().st_size for f in Path(d).glob("*.safetensors"))
        print(f"{name:24s} weights {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
