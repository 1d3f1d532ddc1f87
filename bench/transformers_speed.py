"""Prefill and decode tokens/s of transformers on CPU, with the same loop as bench/java.

usage: transformers_speed.py MODEL_DIR PROMPT_TOKENS NEW_TOKENS THREADS
Prints one line: prefill_last_tok_s=... prefill_last_positions=... prefill_all_tok_s=...
prefill_all_positions=... decode_tok_s=...
  prefill_last: the prompt pass computes the logits of its last position only (logits_to_keep=1),
                as generation needs and as bench/java/RuntimeSpeed.java does
  prefill_all:  the prompt pass computes the logits of every position (transformers' default)
  *_positions:  how many positions' logits the pass returned (read from the output, so the
                comparison script can check that both sides did the same work)
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
        full = model(prompt, use_cache=True, logits_to_keep=0)
        t1 = time.perf_counter()
        out = model(prompt, use_cache=True, logits_to_keep=1)
        t2 = time.perf_counter()
        past = out.past_key_values
        token = out.logits[:, -1:].argmax(-1)
        for _ in range(new_tokens):
            step = model(token, past_key_values=past, use_cache=True, logits_to_keep=1)
            past = step.past_key_values
            token = step.logits[:, -1:].argmax(-1)
        t3 = time.perf_counter()
    return {
        "prefill_last_tok_s": prompt_len / (t2 - t1),
        "prefill_last_positions": out.logits.shape[1],
        "prefill_all_tok_s": prompt_len / (t1 - t0),
        "prefill_all_positions": full.logits.shape[1],
        "decode_tok_s": new_tokens / (t3 - t2),
    }


run()  # warm-up
runs = [run() for _ in range(3)]
print(" ".join(f"{k}={statistics.median(r[k] for r in runs):.1f}" for k in runs[0]))
