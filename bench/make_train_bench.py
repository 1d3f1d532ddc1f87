"""Writes the training benchmark's model and data (shared by both sides).

usage: make_train_bench.py OUT_DIR
OUT_DIR/model: a random LlamaForCausalLM (6 layers, hidden 512, GQA 8/4 heads) with the
quickstart tokenizer (trainer-image/src/main/resources/quickstart); OUT_DIR/data.jsonl: raw text
lines for incremental pre-training (format text), short samples that packing puts several to a
row; OUT_DIR/data_rows.jsonl: lines of more than ROW (256) tokens each, so that every sample,
cut to ROW, fills one row by itself (the like-for-like "full rows" layout of both sides).
"""
import json
import random
import shutil
import sys
from pathlib import Path

import torch
from transformers import LlamaConfig, LlamaForCausalLM

out = Path(sys.argv[1])
repo = Path(__file__).resolve().parents[1]
tok_dir = repo / "trainer-image/src/main/resources/quickstart"
(out / "model").mkdir(parents=True, exist_ok=True)
torch.manual_seed(0)
cfg = LlamaConfig(vocab_size=960, hidden_size=512, intermediate_size=1376, num_hidden_layers=6,
                  num_attention_heads=8, num_key_value_heads=4, max_position_embeddings=2048,
                  rope_theta=10000.0, tie_word_embeddings=False, eos_token_id=938, pad_token_id=936)
LlamaForCausalLM(cfg).save_pretrained(out / "model", safe_serialization=True)
c = json.loads((out / "model/config.json").read_text())
c.setdefault("rope_theta", 10000.0)
c.setdefault("torch_dtype", "float32")
(out / "model/config.json").write_text(json.dumps(c, indent=1))
for f in ("tokenizer.json", "tokenizer_config.json"):
    shutil.copy(tok_dir / f, out / "model" / f)
random.seed(0)
sentences = []
for line in (tok_dir / "identity.jsonl").read_text(encoding="utf-8").splitlines():
    for m in json.loads(line)["messages"]:
        sentences.append(m["content"])
with open(out / "data.jsonl", "w", encoding="utf-8") as f:
    for _ in range(400):
        f.write(json.dumps({"text": " ".join(random.sample(sentences, 4))}, ensure_ascii=False) + "\n")
ROW = 256
from tokenizers import Tokenizer  # noqa: E402

tok = Tokenizer.from_file(str(out / "model/tokenizer.json"))
with open(out / "data_rows.jsonl", "w", encoding="utf-8") as f:
    for _ in range(200):
        text = " ".join(random.sample(sentences, 40))
        n = len(tok.encode(text.strip(), add_special_tokens=False).ids)
        assert n > ROW, f"a full-row sample has only {n} tokens"
        f.write(json.dumps({"text": text}, ensure_ascii=False) + "\n")
print(f"wrote {out}/model, {out}/data.jsonl and {out}/data_rows.jsonl")
