#!/usr/bin/env python3
"""Rewrites a safetensors model folder as PyTorch pickles, the layout older repositories ship:
pytorch_model-0000i-of-0000n.bin (torch.save of a dict of tensors per shard, as transformers'
save_pretrained(safe_serialization=False) writes them) and pytorch_model.bin.index.json. config.json
is copied with InternLM2-Chat-1.8B's published remote-code keys added (auto_map, dynamic rope scaling),
so that the benchmark also reads such a config.

usage: make_torch_bin.py SAFETENSORS_DIR OUT_DIR [SHARDS]"""
import json
import sys
from pathlib import Path

import torch
from safetensors import safe_open

src, out = Path(sys.argv[1]), Path(sys.argv[2])
shards = int(sys.argv[3]) if len(sys.argv) > 3 else 2
out.mkdir(parents=True, exist_ok=True)
files = sorted(src.glob("*.safetensors"))
names = [(f, k) for f in files for k in safe_open(str(f), "pt").keys()]
per = -(-len(names) // shards)
weight_map, total = {}, 0
for i in range(shards):
    part = names[i * per:(i + 1) * per]
    fname = f"pytorch_model-{i + 1:05d}-of-{shards:05d}.bin"
    tensors = {}
    for f, k in part:
        with safe_open(str(f), "pt") as st:
            tensors[k] = st.get_tensor(k)
        weight_map[k] = fname
        total += tensors[k].numel() * tensors[k].element_size()
    torch.save(tensors, out / fname)
    del tensors
(out / "pytorch_model.bin.index.json").write_text(
    json.dumps({"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))}, indent=2))
config = json.loads((src / "config.json").read_text())
config.update({
    "auto_map": {"AutoConfig": "configuration_internlm2.InternLM2Config",
                 "AutoModelForCausalLM": "modeling_internlm2.InternLM2ForCausalLM",
                 "AutoModel": "modeling_internlm2.InternLM2ForCausalLM"},
    "attn_implementation": "eager", "pad_token_id": 2, "rope_scaling": {"type": "dynamic", "factor": 2.0}})
(out / "config.json").write_text(json.dumps(config, indent=2))
print(f"wrote {out}: {shards} .bin shards, {total / 1e9:.2f} GB")
