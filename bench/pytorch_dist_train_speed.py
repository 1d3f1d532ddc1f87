"""One rank of a data-parallel full fine-tuning run with PyTorch's own torch.distributed (Gloo, CPU):
DDP (ZeRO-0's counterpart) or FSDP2 (fully_shard per decoder layer and at the root: ZeRO-3's
counterpart; FSDP1 refuses CPU-only machines). Start with torchrun.

usage: torchrun --standalone --nproc-per-node 2 pytorch_dist_train_speed.py OUT_DIR ddp|fsdp STEPS
The model and data of make_train_bench.py, rows of 256 tokens x micro-batch 4 per rank, AdamW
(lr 1e-4, no decay), clipping at 1, as bench/java/DistTrainSpeed.java. Prints per rank:
rank=R tokens_per_s=... peak_rss_mb=... (tokens/s of the whole job, after 3 warm-up steps).
"""
import json
import os
import resource
import sys
import time
from pathlib import Path

import torch
import torch.distributed as dist
from tokenizers import Tokenizer
from transformers import AutoModelForCausalLM

out, mode, steps = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
dist.init_process_group("gloo")
rank, world = dist.get_rank(), dist.get_world_size()
torch.manual_seed(42 + rank)
tok = Tokenizer.from_file(str(out / "model/tokenizer.json"))
ids = []
for line in (out / "data.jsonl").read_text(encoding="utf-8").splitlines():
    ids.extend(tok.encode(json.loads(line)["text"].strip(), add_special_tokens=False).ids)
L, B = 256, 4
blocks = torch.tensor(ids[: len(ids) // L * L]).view(-1, L)
model = AutoModelForCausalLM.from_pretrained(str(out / "model"), dtype=torch.float32, attn_implementation="sdpa")
model.train()
if mode == "ddp":
    from torch.nn.parallel import DistributedDataParallel
    model = DistributedDataParallel(model)
else:
    from torch.distributed.device_mesh import init_device_mesh
    from torch.distributed.fsdp import fully_shard
    mesh = init_device_mesh("cpu", (world,))
    for layer in model.model.layers:
        fully_shard(layer, mesh=mesh)
    fully_shard(model, mesh=mesh)
params = [p for p in model.parameters() if p.requires_grad]
opt = torch.optim.AdamW(params, lr=1e-4, weight_decay=0.0, foreach=False)
warmup, timed, tokens = 3, 0.0, 0
for step in range(steps):
    rows = blocks[torch.randint(0, blocks.shape[0], (B,))]
    dist.barrier()
    t0 = time.perf_counter()
    loss = model(input_ids=rows, labels=rows).loss
    loss.backward()
    torch.nn.utils.clip_grad_norm_(params, 1.0)
    opt.step()
    opt.zero_grad(set_to_none=False)
    if step >= warmup:
        timed += time.perf_counter() - t0
        tokens += rows.numel() * world
rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(f"rank={rank} tokens_per_s={tokens / timed:.1f} peak_rss_mb={rss:.0f}", flush=True)
dist.destroy_process_group()
