"""Training tokens/s and peak RSS of a plain PyTorch + transformers (+ PEFT) loop.

usage: pytorch_train_speed.py OUT_DIR lora|full STEPS THREADS stream|rows
The same model, row length (256), micro-batch (4), optimizer (AdamW), clipping and LoRA settings
as bench/java/TrainSpeed.java. Rows of 256 tokens, full causal attention, every token counted:
  stream: rows cut from one token stream of OUT_DIR/data.jsonl (samples run into each other)
  rows:   one row per line of OUT_DIR/data_rows.jsonl, its tokens cut to 256 (as kubetune
          truncates a sample longer than maxLength; every line is longer)
Prints: tokens_per_s=... peak_rss_mb=... tokens_per_step=...
"""
import json
import resource
import sys
import time
from pathlib import Path

import torch
from tokenizers import Tokenizer
from transformers import AutoModelForCausalLM

out, method, steps, threads = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
layout = sys.argv[5]
torch.set_num_threads(threads)
torch.manual_seed(42)
tok = Tokenizer.from_file(str(out / "model/tokenizer.json"))
L, B = 256, 4


def encode(line):
    return tok.encode(json.loads(line)["text"].strip(), add_special_tokens=False).ids


if layout == "stream":
    ids = [i for line in (out / "data.jsonl").read_text(encoding="utf-8").splitlines() for i in encode(line)]
    blocks = torch.tensor(ids[: len(ids) // L * L]).view(-1, L)
elif layout == "rows":
    rows = [encode(line) for line in (out / "data_rows.jsonl").read_text(encoding="utf-8").splitlines()]
    assert all(len(r) > L for r in rows), "every line of data_rows.jsonl must fill a row"
    blocks = torch.tensor([r[:L] for r in rows])
else:
    sys.exit(f"layout must be stream or rows, not {layout}")
model = AutoModelForCausalLM.from_pretrained(str(out / "model"), dtype=torch.float32, attn_implementation="sdpa")
if method == "lora":
    import peft
    model = peft.get_peft_model(model, peft.LoraConfig(
        r=16, lora_alpha=32, lora_dropout=0.0, task_type="CAUSAL_LM",
        target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]))
model.train()
params = [p for p in model.parameters() if p.requires_grad]
opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0, foreach=False)
warmup, timed, tokens = 3, 0.0, 0
for step in range(steps):
    rows = blocks[torch.randint(0, blocks.shape[0], (B,))]
    t0 = time.perf_counter()
    loss = model(input_ids=rows, labels=rows).loss
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    opt.zero_grad(set_to_none=False)
    if step >= warmup:
        timed += time.perf_counter() - t0
        tokens += rows.numel()
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"tokens_per_s={tokens / timed:.1f} peak_rss_mb={rss:.0f} tokens_per_step={tokens / (steps - warmup):.1f}")
