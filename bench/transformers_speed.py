"""Prefill and decode tokens/s of transformers on CPU, with the same loop as bench/java.

usage: transformers_speed.py MODEL_DIR PROMPT_TOKENS NEW_TOKENS THREADS
Prints one line: prefill_tok_s=... decode_tok_s=...
"""
import statistics
import sys
import time

import torch
from transformers import AutoModelForCausalLM

model_dir, prompt_len, new_tokens, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
torch.set_num_threads(threads)
model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32, attn_implementation="sdpa").eval()
gen = torch.Generator().manual_seed(0)
prompt = torch.randint(0, model.config.vocab_size, (1, prompt_len), generator=gen)


def run():
    with torch.inference_mode():
        t0 = time.perf_counter()
        out = model(prompt, use_cache=True)
        t1 = time.perf_counter()
        past = out.past_key_values
        token = out.logits[:, -1:].argmax(-1)
        for _ in range(new_tokens):
            out = model(token, past_key_values=past, use_cache=True)
            past = out.past_key_values
            token = out.logits[:, -1:].argmax(-1)
        t2 = time.perf_counter()
    return prompt_len / (t1 - t0), new_tokens / (t2 - t1)


run()  # warm-up
runs = [run() for _ in range(3)]
print(f"prefill_tok_s={statistics.median(r[0] for r in runs):.1f} "
      f"decode_tok_s={statistics.median(r[1] for r in runs):.1f}")
