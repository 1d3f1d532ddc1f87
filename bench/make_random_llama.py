"""Writes a random LlamaForCausalLM in HF layout (the benchmark's shared model).

usage: make_random_llama.py OUT_DIR [--layers 8 --hidden 512 --heads 8 --kv-heads 4 --vocab 32000]
"""
import argparse
import json

import torch
from transformers import LlamaConfig, LlamaForCausalLM

p = argparse.ArgumentParser()
p.add_argument("out")
p.add_argument("--layers", type=int, default=8)
p.add_argument("--hidden", type=int, default=512)
p.add_argument("--heads", type=int, default=8)
p.add_argument("--kv-heads", type=int, default=4)
p.add_argument("--intermediate", type=int, default=1376)
p.add_argument("--vocab", type=int, default=32000)
a = p.parse_args()
torch.manual_seed(0)
cfg = LlamaConfig(
    vocab_size=a.vocab, hidden_size=a.hidden, intermediate_size=a.intermediate,
    num_hidden_layers=a.layers, num_attention_heads=a.heads, num_key_value_heads=a.kv_heads,
    max_position_embeddings=4096, rope_theta=10000.0, tie_word_embeddings=False)
model = LlamaForCausalLM(cfg).eval()
model.save_pretrained(a.out, safe_serialization=True)
# hub-style keys, as the runtime reads them
with open(f"{a.out}/config.json") as f:
    c = json.load(f)
c.setdefault("rope_theta", 10000.0)
c.setdefault("torch_dtype", "float32")
with open(f"{a.out}/config.json", "w") as f:
    json.dump(c, f, indent=1)
print(f"wrote {a.out}: {sum(p.numel() for p in model.parameters()) / 1e6:.1f}M parameters")
