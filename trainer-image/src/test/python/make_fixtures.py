#!/usr/bin/env python3
"""Generate the reference fixtures that the Java (DJL) side of kubetune is tested against.

Everything under ``trainer-image/src/test/resources/fixtures/`` is written by this script:

  models/<name>/     tiny HF-layout checkpoints (llama, llama-tied, qwen2, internlm2) with locally
                     trained byte-level BPE tokenizers, plus ``reference/`` outputs computed with
                     ``transformers`` (logits, hidden states, greedy continuations, bf16 logits)
  data/              chat-template / XTuner ``encode_fn`` fixtures (templates.json)
  train/             one full fine-tuning step and one LoRA step (loss, gradients, AdamW update)

See ``fixtures/README.md`` (written by this script) for the exact schema of every file.

Usage (from this directory, inside the venv described in README.md):

  python make_fixtures.py            # (re)write the fixtures
  python make_fixtures.py --check    # regenerate into a temp dir and compare with the committed files

The script is deterministic: fixed seeds, single-threaded torch, deterministic algorithms, and JSON
written with a fixed layout.  With the pinned versions of requirements.txt a re-run on the same
machine reproduces the files byte for byte, but another CPU (or torch build) may round the last
bits of floats differently: fp32 values by ~1e-6, bf16 results by an ulp.  So ``--check``
accepts a file that is not byte-identical when it is the same up to that rounding: the same
files, tensor names, dtypes and shapes, JSON keys, strings and integers (token ids, labels,
greedy continuations) exactly; fp32 tensors within 1e-5 + 1e-5 |x|, tensors of bf16 results
(name containing "bf16") within two bf16 ulps of the tensor's largest value (2 * 2^-7 max |x|),
other JSON numbers within 1e-4 + 2e-2 |x|.  It reports each file as identical, within rounding (with the max abs
difference) or DIFFERENT; ``--check --exact`` requires identical bytes.
"""
from __future__ import annotations

import argparse
import copy
import filecmp
import importlib.metadata
import importlib.util
import json
import math
import os
import shutil
import sys
import tempfile
import types
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")

import warnings  # noqa: E402

warnings.filterwarnings("ignore", category=FutureWarning)  # transformers 5 deprecation notices

import torch  # noqa: E402
from safetensors.torch import load_file, save_file  # noqa: E402

import tokenizers  # noqa: E402
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers  # noqa: E402
from tokenizers import pre_tokenizers, processors, trainers  # noqa: E402

import transformers  # noqa: E402
from transformers import (  # noqa: E402
    AutoConfig,
    AutoModelForCausalLM,
    AutoTokenizer,
    GenerationConfig,
    LlamaConfig,
    LlamaForCausalLM,
    Qwen2Config,
    Qwen2ForCausalLM,
)

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = (HERE / ".." / "resources" / "fixtures").resolve()

IGNORE_INDEX = -100
NEW_TOKENS = 32
MIN_MARGIN = 1e-3
INIT_STD = 0.2  # initializer_range: large enough that logits are not flat
XTUNER_MAX_LENGTH = 2048  # encode_fn truncation length used for the data fixtures (nothing is truncated)

# --------------------------------------------------------------------------------------------------
# Tokenizers
# --------------------------------------------------------------------------------------------------

# Built-in training corpus (own text).  English, code-ish text, numbers, Chinese, accented Latin, emoji.
CORPUS = [
    "The quick brown fox jumps over the lazy dog, and the dog sleeps in the warm afternoon sun.",
    "Fine-tuning a language model means continuing its training on a smaller dataset. The model "
    "learns the style of the examples, the format of the answers and the words that the users prefer.",
    "A transformer is a stack of layers. Each layer has an attention block and a feed-forward block, "
    "and each block reads the residual stream, normalizes it, and adds its output back to the stream.",
    "What is the capital of France? The capital of France is Paris. What is the capital of Germany? "
    "The capital of Germany is Berlin. What is 2+3? It is 5. What is 12 * 7? It is 84.",
    "Low-rank adaptation trains two small matrices A and B for every target projection, while the "
    "original weights stay frozen. The update is B times A, scaled by alpha divided by the rank.",
    "You are a helpful assistant. You are a concise assistant. Please answer the question briefly. "
    "Thank you! Hello there, how can I help you today? Sure, here is a short answer.",
    "def add(a, b):\n    return a + b\n\nfor i in range(10):\n    print(i, add(i, 1))\n",
    "The loss is the mean cross entropy over the tokens whose labels are not ignored; the gradient "
    "flows back through every layer, and the optimizer updates the parameters with AdamW.",
    "Packing several short samples into one long sequence saves compute, but the loss must be "
    "weighted by the number of target tokens in each sample.",
    "Grüße aus Zürich! Café crème, naïve façade, jalapeño, São Paulo, Ångström, Dvořák, œuvre.",
    "Ça va très bien, merci. Où est la bibliothèque? Él está en la estación. Das Mädchen läuft schnell.",
    "你好，世界！今天天气很好。我们一起学习机器学习和自然语言处理。模型训练需要数据和耐心。",
    "北京是中国的首都。巴黎是法国的首都。请用一句话回答这个问题。谢谢你的帮助！",
    "Emoji test: 🙂 😀 🚀 🎉 👍 ❤️ 🌍 — they are encoded as several bytes each.",
    "Numbers: 0 1 2 3 4 5 6 7 8 9 10 42 100 2024 3.14159 1e-5 500000.",
    "Multi-turn chats alternate between the user and the assistant. The system prompt comes first "
    "and sets the behaviour of the assistant for the whole conversation.",
    "Once upon a time, a small robot learned to write poems. Every morning it read a book, and every "
    "evening it wrote a line about the stars, the sea, and the mountains.",
    "Tokenizers split text into pieces. Byte-level BPE never needs an unknown token, because every "
    "byte is in the base alphabet, and frequent pairs are merged into longer tokens.",
]

# Pre-tokenization regexes of the real families (the Split pre-tokenizer of their tokenizer.json).
# Llama 3 (Meta-Llama-3 tokenizer.json, same as tiktoken cl100k): numbers in groups of up to 3 digits.
LLAMA3_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)
# Qwen2 (transformers/models/qwen2/tokenization_qwen2.py PRETOKENIZE_REGEX): single digits.
QWEN2_PATTERN = (
    r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
    r"|\s*[\r\n]+|\s+(?!\S)|\s+"
)

# Chat templates.  llama: Meta-Llama-3-8B-Instruct's template (note the `| trim` of the content);
# qwen2: Qwen2-Instruct's ChatML template (inserts a default system prompt when there is none);
# internlm2: internlm2-chat's template (bos_token first, then ChatML turns).
LLAMA3_CHAT_TEMPLATE = (
    "{% set loop_messages = messages %}{% for message in loop_messages %}"
    "{% set content = '<|start_header_id|>' + message['role'] + '<|end_header_id|>\n\n'"
    "+ message['content'] | trim + '<|eot_id|>' %}"
    "{% if loop.index0 == 0 %}{% set content = bos_token + content %}{% endif %}"
    "{{ content }}{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}"
)
QWEN2_CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{% if loop.first and messages[0]['role'] != 'system' %}"
    "{{ '<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n' }}{% endif %}"
    "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)
INTERNLM2_CHAT_TEMPLATE = (
    "{{ bos_token }}{% for message in messages %}"
    "{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)

# Per tokenizer family:
#   leading_specials: ids 0.. (before the BPE vocab), trailing_specials: appended after the BPE vocab
#   (the real Llama-3 / Qwen2 tokenizers put their specials after the BPE vocab; InternLM2 has
#   <unk>=0, <s>=1, </s>=2 and its chat tokens at the end, <|im_end|> before <|im_start|>).
TOKENIZER_SPECS = {
    "llama": dict(
        bpe_vocab=994,
        leading_specials=[],
        trailing_specials=[
            "<|begin_of_text|>", "<|end_of_text|>", "<|finetune_right_pad_id|>",
            "<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>",
        ],
        bos="<|begin_of_text|>", eos="<|eot_id|>", pad="<|finetune_right_pad_id|>", unk=None,
        eot="<|eot_id|>",
        tokenizer_class="PreTrainedTokenizerFast",
        chat_template=LLAMA3_CHAT_TEMPLATE,
        post_bos=True,
        ignore_merges=True,  # as in Meta-Llama-3's tokenizer.json
    ),
    "qwen2": dict(
        bpe_vocab=997,
        leading_specials=[],
        trailing_specials=["<|endoftext|>", "<|im_start|>", "<|im_end|>"],
        bos=None, eos="<|im_end|>", pad="<|endoftext|>", unk=None,
        eot="<|im_end|>",
        tokenizer_class="Qwen2Tokenizer",
        chat_template=QWEN2_CHAT_TEMPLATE,
        post_bos=False,
        ignore_merges=False,
    ),
    "internlm2": dict(
        bpe_vocab=998,
        leading_specials=["<unk>", "<s>", "</s>"],
        trailing_specials=["<|im_end|>", "<|im_start|>"],
        bos="<s>", eos="</s>", pad="</s>", unk="<unk>",
        eot="<|im_end|>",
        tokenizer_class="PreTrainedTokenizerFast",
        chat_template=INTERNLM2_CHAT_TEMPLATE,
        post_bos=True,
        ignore_merges=False,
    ),
}


def build_tokenizer(family: str) -> Tokenizer:
    spec = TOKENIZER_SPECS[family]
    tok = Tokenizer(models.BPE(ignore_merges=spec["ignore_merges"]))
    if family == "llama":
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(LLAMA3_PATTERN), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=False),
        ])
    elif family == "qwen2":
        tok.normalizer = normalizers.NFC()
        tok.pre_tokenizer = pre_tokenizers.Sequence([
            pre_tokenizers.Split(Regex(QWEN2_PATTERN), behavior="isolated", invert=False),
            pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False),
        ])
    else:  # internlm2: the real one is SentencePiece; here GPT-2 style byte-level BPE (built-in regex)
        tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=True, use_regex=True)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=spec["bpe_vocab"] + len(spec["leading_specials"]),
        min_frequency=1,
        show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=[AddedToken(t, special=True, normalized=False) for t in spec["leading_specials"]],
    )
    tok.train_from_iterator(CORPUS, trainer=trainer)
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in spec["trailing_specials"]])
    byte_pp = processors.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    if spec["post_bos"]:
        bos = spec["bos"]
        tok.post_processor = processors.Sequence([
            byte_pp,
            processors.TemplateProcessing(
                single=f"{bos} $A", pair=f"{bos} $A {bos}:1 $B:1",
                special_tokens=[(bos, tok.token_to_id(bos))],
            ),
        ])
    else:
        tok.post_processor = byte_pp
    return tok


def save_tokenizer_json(tok: Tokenizer, path: Path):
    """tokenizer.json with BPE merges in the classic "left right" string form (as in the Meta-Llama-3 /
    Qwen2 hub files; readable by every tokenizers version) instead of the [left, right] pairs that
    tokenizers >= 0.20 writes.  Byte-level tokens never contain a space, so the form is unambiguous."""
    d = json.loads(tok.to_str())
    d["model"]["merges"] = [" ".join(m) if isinstance(m, list) else m for m in d["model"]["merges"]]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(d, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    reloaded = Tokenizer.from_file(str(path))
    for text in CORPUS:
        assert reloaded.encode(text).ids == tok.encode(text).ids


def tokenizer_config_json(family: str, tok: Tokenizer, model_max_length: int) -> dict:
    spec = TOKENIZER_SPECS[family]
    added = {}
    for tid in sorted(tok.get_added_tokens_decoder()):
        t = tok.get_added_tokens_decoder()[tid]
        added[str(tid)] = dict(content=t.content, lstrip=t.lstrip, normalized=t.normalized,
                               rstrip=t.rstrip, single_word=t.single_word, special=t.special)
    cfg = {"added_tokens_decoder": added}
    if family == "internlm2":  # InternLM2Tokenizer's flags (sentencepiece-style bos insertion)
        cfg["add_bos_token"] = True
        cfg["add_eos_token"] = False
    cfg.update({
        "bos_token": spec["bos"],
        "chat_template": spec["chat_template"],
        "clean_up_tokenization_spaces": False,
        "eos_token": spec["eos"],
        "model_max_length": model_max_length,
        "pad_token": spec["pad"],
        "tokenizer_class": spec["tokenizer_class"],
        "unk_token": spec["unk"],
    })
    if family == "qwen2":
        cfg["errors"] = "replace"
        cfg["split_special_tokens"] = False
    return cfg


# --------------------------------------------------------------------------------------------------
# Small IO helpers (deterministic output)
# --------------------------------------------------------------------------------------------------

def _is_scalar(x):
    return x is None or isinstance(x, (bool, int, float, str))


def dumps(obj, indent=0) -> str:
    """JSON with 1-space indentation, but lists of scalars (ids, labels, margins) on one line."""
    pad = " " * indent
    if isinstance(obj, dict):
        if not obj:
            return "{}"
        items = [f'{pad} {json.dumps(str(k), ensure_ascii=False)}: {dumps(v, indent + 1)}' for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, (list, tuple)):
        if all(_is_scalar(x) and not isinstance(x, str) for x in obj) or (
                all(_is_scalar(x) for x in obj) and sum(len(str(x)) for x in obj) < 100):
            return "[" + ", ".join(json.dumps(x, ensure_ascii=False, allow_nan=False) for x in obj) + "]"
        return "[\n" + ",\n".join(pad + " " + dumps(v, indent + 1) for v in obj) + "\n" + pad + "]"
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValueError("non-finite float in json")
    return json.dumps(obj, ensure_ascii=False, allow_nan=False)


def write_json(path: Path, obj):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(obj) + "\n", encoding="utf-8")


def write_safetensors(path: Path, tensors: dict):
    path.parent.mkdir(parents=True, exist_ok=True)
    save_file({k: v.detach().contiguous().clone() for k, v in tensors.items()}, str(path), metadata={"format": "pt"})


def f32(t: torch.Tensor) -> torch.Tensor:
    # clone: .to() returns the tensor itself when it is float32 already, and a later optimizer step
    # would then change the "initial" values captured here
    return t.detach().to(torch.float32).clone().contiguous()


def versions() -> dict:
    return {
        "python": sys.version.split()[0],
        "torch": torch.__version__,
        "transformers": transformers.__version__,
        "tokenizers": tokenizers.__version__,
        "safetensors": importlib.metadata.version("safetensors"),
        "peft": importlib.metadata.version("peft"),
        "xtuner": _xtuner_version(),
    }


def _xtuner_version():
    try:
        return importlib.metadata.version("xtuner")
    except importlib.metadata.PackageNotFoundError:
        return None


# --------------------------------------------------------------------------------------------------
# Models
# --------------------------------------------------------------------------------------------------

# Prompts used for the per-model references.  Prompt 2 is rendered through the model's chat template.
PLAIN_PROMPT = "The quick brown fox jumps over the lazy dog."
NON_ASCII_PROMPT = "Grüße aus Zürich: 你好，世界！Café 🙂"
CHAT_PROMPT = [
    {"role": "system", "content": "Be concise."},
    {"role": "user", "content": "Capital of France?"},
]

MODEL_SPECS = {
    # name: tokenizer family, hf class, config (hub style, as written to config.json)
    "llama": dict(
        family="llama", arch="LlamaForCausalLM", seed=1000, sharded=True, save_dtype=torch.float32,
        layers=3, heads=4, kv_heads=2, head_dim=16, hidden=64, intermediate=160, tied=False,
        rope_theta=500000.0,
        rope_scaling={"factor": 8.0, "high_freq_factor": 4.0, "low_freq_factor": 1.0,
                      "original_max_position_embeddings": 64, "rope_type": "llama3"},
        rms_norm_eps=1e-5, max_pos=256, eos_in_generation_config=["<|end_of_text|>", "<|eot_id|>"],
    ),
    "llama-tied": dict(
        family="llama", arch="LlamaForCausalLM", seed=2000, sharded=False, save_dtype=torch.float32,
        layers=2, heads=4, kv_heads=2, head_dim=16, hidden=64, intermediate=160, tied=True,
        rope_theta=500000.0, rope_scaling=None,
        rms_norm_eps=1e-5, max_pos=256, eos_in_generation_config="<|eot_id|>",
    ),
    "qwen2": dict(
        family="qwen2", arch="Qwen2ForCausalLM", seed=3000, sharded=False, save_dtype=torch.bfloat16,
        layers=2, heads=4, kv_heads=2, head_dim=16, hidden=64, intermediate=128, tied=True,
        rope_theta=1000000.0, rope_scaling=None,
        rms_norm_eps=1e-6, max_pos=256, eos_in_generation_config="<|im_end|>", vocab_pad_to=64,
    ),
    "internlm2": dict(
        family="internlm2", arch="InternLM2ForCausalLM", seed=4000, sharded=False, save_dtype=torch.float32,
        layers=2, heads=4, kv_heads=2, head_dim=16, hidden=64, intermediate=128, tied=False,
        rope_theta=1000000.0, rope_scaling=None,
        rms_norm_eps=1e-5, max_pos=256, eos_in_generation_config="<|im_end|>",
    ),
}


def hub_config(name: str, spec: dict, tok: Tokenizer, vocab_size: int) -> dict:
    """config.json as the real hub checkpoints of the family spell it (transformers-4 style keys:
    rope_theta / rope_scaling, torch_dtype).  transformers 5 converts these to rope_parameters."""
    fam = TOKENIZER_SPECS[spec["family"]]
    tid = tok.token_to_id
    dtype = "bfloat16" if spec["save_dtype"] == torch.bfloat16 else "float32"
    if spec["arch"] == "LlamaForCausalLM":
        eos = spec["eos_in_generation_config"]
        return {
            "architectures": ["LlamaForCausalLM"],
            "attention_bias": False,
            "attention_dropout": 0.0,
            "bos_token_id": tid(fam["bos"]),
            "eos_token_id": [tid(e) for e in eos] if isinstance(eos, list) else tid(eos),
            "head_dim": spec["head_dim"],
            "hidden_act": "silu",
            "hidden_size": spec["hidden"],
            "initializer_range": INIT_STD,
            "intermediate_size": spec["intermediate"],
            "max_position_embeddings": spec["max_pos"],
            "mlp_bias": False,
            "model_type": "llama",
            "num_attention_heads": spec["heads"],
            "num_hidden_layers": spec["layers"],
            "num_key_value_heads": spec["kv_heads"],
            "pretraining_tp": 1,
            "rms_norm_eps": spec["rms_norm_eps"],
            "rope_scaling": spec["rope_scaling"],
            "rope_theta": spec["rope_theta"],
            "tie_word_embeddings": spec["tied"],
            "torch_dtype": dtype,
            "use_cache": True,
            "vocab_size": vocab_size,
        }
    if spec["arch"] == "Qwen2ForCausalLM":
        return {
            "architectures": ["Qwen2ForCausalLM"],
            "attention_dropout": 0.0,
            "bos_token_id": tid("<|endoftext|>"),
            "eos_token_id": tid("<|im_end|>"),
            "hidden_act": "silu",
            "hidden_size": spec["hidden"],
            "initializer_range": INIT_STD,
            "intermediate_size": spec["intermediate"],
            "max_position_embeddings": spec["max_pos"],
            "max_window_layers": spec["layers"],
            "model_type": "qwen2",
            "num_attention_heads": spec["heads"],
            "num_hidden_layers": spec["layers"],
            "num_key_value_heads": spec["kv_heads"],
            "rms_norm_eps": spec["rms_norm_eps"],
            "rope_scaling": None,
            "rope_theta": spec["rope_theta"],
            "sliding_window": spec["max_pos"],
            "tie_word_embeddings": True,
            "torch_dtype": dtype,
            "use_cache": True,
            "use_sliding_window": False,
            "vocab_size": vocab_size,
        }
    # InternLM2 (keys of internlm2-chat's config.json / configuration_internlm2.py; no auto_map since
    # the remote code is not shipped; head_dim is implied: hidden_size / num_attention_heads)
    return {
        "architectures": ["InternLM2ForCausalLM"],
        "attn_implementation": "eager",
        "bias": False,
        "bos_token_id": tid("<s>"),
        "eos_token_id": tid("</s>"),
        "hidden_act": "silu",
        "hidden_size": spec["hidden"],
        "initializer_range": INIT_STD,
        "intermediate_size": spec["intermediate"],
        "max_position_embeddings": spec["max_pos"],
        "model_type": "internlm2",
        "num_attention_heads": spec["heads"],
        "num_hidden_layers": spec["layers"],
        "num_key_value_heads": spec["kv_heads"],
        "pad_token_id": tid("</s>"),
        "rms_norm_eps": spec["rms_norm_eps"],
        "rope_scaling": None,
        "rope_theta": spec["rope_theta"],
        "tie_word_embeddings": False,
        "torch_dtype": dtype,
        "use_cache": True,
        "vocab_size": vocab_size,
    }


def hf_config_from_hub(cfg: dict):
    """Build the transformers config object from a hub-style dict (internlm2 -> equivalent Llama)."""
    d = {k: copy.deepcopy(v) for k, v in cfg.items() if k not in ("architectures", "torch_dtype", "model_type",
                                                   "transformers_version", "auto_map", "bias",
                                                   "attn_implementation")}
    # rope: hub keys -> transformers 5 rope_parameters (from_pretrained's own conversion of the written
    # config.json is checked against this in verify_model_dir)
    theta = d.pop("rope_theta")
    scaling = d.pop("rope_scaling", None)
    d["rope_parameters"] = dict(scaling, rope_theta=theta) if scaling else {"rope_type": "default", "rope_theta": theta}
    if cfg["model_type"] == "internlm2":
        d["attention_bias"] = cfg["bias"]
        d["mlp_bias"] = False
        d["head_dim"] = cfg["hidden_size"] // cfg["num_attention_heads"]
        d["pad_token_id"] = None  # no padding_idx in the reference Llama embedding
        return LlamaConfig(**d)
    if cfg["model_type"] == "qwen2":
        return Qwen2Config(**d)
    return LlamaConfig(**d)


def init_weights(model: torch.nn.Module, seed: int, real_vocab: int):
    """Deterministic init independent of transformers' _init_weights: N(0, INIT_STD) for matrices,
    1 + 0.1 N(0,1) for RMSNorm weights (so a missing norm weight is detected), 0.2 N(0,1) for biases
    (Qwen2's q/k/v biases: non-zero).  Embedding rows >= real_vocab (padding) are zero."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith("norm.weight"):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            elif name.endswith(".bias"):
                p.copy_(0.2 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(INIT_STD * torch.randn(p.shape, generator=g))
        emb = model.get_input_embeddings().weight
        emb[real_vocab:] = 0.0
        out = model.get_output_embeddings().weight
        out[real_vocab:] = 0.0


def margins_of(logits: torch.Tensor) -> list:
    top = torch.topk(logits.float(), 2, dim=-1).values
    return (top[..., 0] - top[..., 1]).tolist()


def check_hidden_state_semantics(model, ids):
    """Establish what output_hidden_states returns (asserted, then documented)."""
    outs = []
    hooks = [layer.register_forward_hook(lambda m, i, o: outs.append(o[0] if isinstance(o, tuple) else o))
             for layer in model.model.layers]
    try:
        with torch.no_grad():
            res = model(ids, output_hidden_states=True)
    finally:
        for h in hooks:
            h.remove()
    hs = res.hidden_states
    L = len(model.model.layers)
    assert len(hs) == L + 1, len(hs)
    assert torch.equal(hs[0], model.model.embed_tokens(ids))
    for layer in range(1, L):
        assert torch.equal(hs[layer], outs[layer - 1]), layer
    assert torch.equal(hs[L], model.model.norm(outs[L - 1]))
    return outs[L - 1]


def greedy(model, ids: torch.Tensor):
    gen_cfg = GenerationConfig(do_sample=False, max_new_tokens=NEW_TOKENS, min_new_tokens=0,
                               eos_token_id=None, pad_token_id=None, bos_token_id=None, use_cache=True,
                               num_beams=1, output_logits=True, return_dict_in_generate=True)
    saved_gen_cfg = model.generation_config
    model.generation_config = copy.deepcopy(gen_cfg)  # no eos fallback from the model's own defaults
    try:
        with torch.no_grad():
            out = model.generate(ids, attention_mask=torch.ones_like(ids), generation_config=gen_cfg)
    finally:
        model.generation_config = saved_gen_cfg
    new = out.sequences[0, ids.shape[1]:].tolist()
    step_logits = torch.stack([x[0] for x in out.logits])  # [NEW_TOKENS, V]
    assert len(new) == NEW_TOKENS, len(new)
    assert step_logits.argmax(-1).tolist() == new
    # cross-check against a plain no-cache argmax loop
    seq = ids.clone()
    nc = []
    with torch.no_grad():
        for _ in range(NEW_TOKENS):
            lg = model(seq, use_cache=False).logits[0, -1]
            nc.append(lg)
            seq = torch.cat([seq, lg.argmax().view(1, 1)], dim=1)
    assert seq[0, ids.shape[1]:].tolist() == new, "cached and uncached greedy decoding disagree"
    return new, margins_of(step_logits), float((torch.stack(nc) - step_logits).abs().max())


def prompt_inputs(hf_tok) -> list:
    chat_text = hf_tok.apply_chat_template(CHAT_PROMPT, tokenize=False, add_generation_prompt=True)
    res = []
    for kind, text in (("plain", PLAIN_PROMPT), ("non_ascii", NON_ASCII_PROMPT)):
        ids = hf_tok(text, add_special_tokens=True)["input_ids"]
        res.append(dict(kind=kind, text=text, messages=None, rendered=None, add_special_tokens=True, input_ids=ids))
    ids = hf_tok(chat_text, add_special_tokens=False)["input_ids"]
    via_template = hf_tok.apply_chat_template(CHAT_PROMPT, tokenize=True, add_generation_prompt=True,
                                              return_dict=True)["input_ids"]
    assert list(via_template) == ids
    res.append(dict(kind="chat", text=None, messages=CHAT_PROMPT, rendered=chat_text, add_special_tokens=False,
                    input_ids=ids))
    for r in res:
        assert 5 <= len(r["input_ids"]) <= 40, (r["kind"], len(r["input_ids"]))
    return res


def compute_reference(model, hf_tok, prompts, real_vocab):
    """All reference outputs for one fp32 model.  Returns (tensors, per-prompt json, min margin)."""
    model.eval()
    tensors = {}
    entries = []
    bf16_model = copy.deepcopy(model).to(torch.bfloat16)
    max_bf16_diff = 0.0
    for i, p in enumerate(prompts):
        ids = torch.tensor([p["input_ids"]])
        prenorm_last = check_hidden_state_semantics(model, ids)
        with torch.no_grad():
            out = model(ids, output_hidden_states=True, use_cache=False)
            out_bf16 = bf16_model(ids, use_cache=False)
        tensors[f"logits.{i}"] = f32(out.logits[0])
        for layer, h in enumerate(out.hidden_states):
            tensors[f"hidden.{i}.{layer}"] = f32(h[0])
        tensors[f"hidden_last_prenorm.{i}"] = f32(prenorm_last[0])
        tensors[f"logits_bf16.{i}"] = f32(out_bf16.logits[0])
        max_bf16_diff = max(max_bf16_diff, float((out_bf16.logits.float() - out.logits).abs().max()))
        new, margins, nocache_diff = greedy(model, ids)
        assert all(t < real_vocab for t in new), "greedy produced a padding-vocab id"
        entries.append(dict(
            index=i, kind=p["kind"], text=p["text"], messages=p["messages"], rendered=p["rendered"],
            add_special_tokens=p["add_special_tokens"], num_tokens=len(p["input_ids"]),
            input_ids=p["input_ids"],
            last_token_margin=margins_of(out.logits[0, -1]),
            greedy=dict(new_tokens=NEW_TOKENS, ids=new, margins=margins, min_margin=min(margins),
                        text=hf_tok.decode(new, skip_special_tokens=False),
                        max_abs_diff_cached_vs_uncached_logits=nocache_diff),
        ))
    tensors["rope.inv_freq"] = f32(model.model.rotary_emb.inv_freq)
    min_margin = min(min(e["greedy"]["margins"]) for e in entries)
    return tensors, entries, min_margin, max_bf16_diff


# ---- InternLM2 packing ---------------------------------------------------------------------------
# InternLM2's modeling code computes qkv = wqkv(x) and then
#   rearrange(qkv, "b q (h gs d) -> b q h gs d", gs=2 + num_key_value_groups, d=head_dim)
# with q = [..., :num_key_value_groups, :], k = [..., -2, :], v = [..., -1, :]; i.e. the output rows of
# wqkv are grouped per kv head g: the q rows of its num_key_value_groups query heads (query heads
# g*G .. g*G+G-1, each head_dim rows), then the k rows of kv head g, then its v rows.  (Same split as
# InternLM's tools/convert2llama.py: rearrange(w, "(g n i) ... ", n=q_per_kv + 2).)

def pack_wqkv(q, k, v, heads, kv_heads, head_dim):
    G = heads // kv_heads
    hid = q.shape[1]
    return torch.cat([q.reshape(kv_heads, G, head_dim, hid), k.reshape(kv_heads, 1, head_dim, hid),
                      v.reshape(kv_heads, 1, head_dim, hid)], dim=1).reshape(kv_heads * (G + 2) * head_dim, hid)


def unpack_wqkv(w, heads, kv_heads, head_dim):
    G = heads // kv_heads
    hid = w.shape[1]
    w = w.reshape(kv_heads, G + 2, head_dim, hid)
    return (w[:, :G].reshape(heads * head_dim, hid), w[:, G].reshape(kv_heads * head_dim, hid),
            w[:, G + 1].reshape(kv_heads * head_dim, hid))


def llama_to_internlm2(sd: dict, cfg: dict) -> dict:
    H, KV = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    D = cfg["hidden_size"] // H
    out = {"model.tok_embeddings.weight": sd["model.embed_tokens.weight"],
           "model.norm.weight": sd["model.norm.weight"], "output.weight": sd["lm_head.weight"]}
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        q, k, v = (sd[p + f"self_attn.{x}_proj.weight"] for x in "qkv")
        w = pack_wqkv(q, k, v, H, KV, D)
        uq, uk, uv = unpack_wqkv(w, H, KV, D)
        assert torch.equal(uq, q) and torch.equal(uk, k) and torch.equal(uv, v), "wqkv round trip failed"
        # activation-level check mirroring the modeling code's rearrange
        x = torch.randn(1, 3, w.shape[1], generator=torch.Generator().manual_seed(i))
        qkv = (x @ w.T).view(1, 3, KV, H // KV + 2, D)
        assert torch.allclose(qkv[..., : H // KV, :].reshape(1, 3, H * D), x @ q.T, atol=1e-5)
        assert torch.allclose(qkv[..., -2, :].reshape(1, 3, KV * D), x @ k.T, atol=1e-5)
        assert torch.allclose(qkv[..., -1, :].reshape(1, 3, KV * D), x @ v.T, atol=1e-5)
        out[p + "attention.wqkv.weight"] = w
        out[p + "attention.wo.weight"] = sd[p + "self_attn.o_proj.weight"]
        out[p + "feed_forward.w1.weight"] = sd[p + "mlp.gate_proj.weight"]
        out[p + "feed_forward.w3.weight"] = sd[p + "mlp.up_proj.weight"]
        out[p + "feed_forward.w2.weight"] = sd[p + "mlp.down_proj.weight"]
        out[p + "attention_norm.weight"] = sd[p + "input_layernorm.weight"]
        out[p + "ffn_norm.weight"] = sd[p + "post_attention_layernorm.weight"]
    return out


def internlm2_to_llama(sd: dict, cfg: dict) -> dict:
    H, KV = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    D = cfg["hidden_size"] // H
    out = {"model.embed_tokens.weight": sd["model.tok_embeddings.weight"],
           "model.norm.weight": sd["model.norm.weight"], "lm_head.weight": sd["output.weight"]}
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        q, k, v = unpack_wqkv(sd[p + "attention.wqkv.weight"], H, KV, D)
        out[p + "self_attn.q_proj.weight"], out[p + "self_attn.k_proj.weight"], out[p + "self_attn.v_proj.weight"] = q, k, v
        out[p + "self_attn.o_proj.weight"] = sd[p + "attention.wo.weight"]
        out[p + "mlp.gate_proj.weight"] = sd[p + "feed_forward.w1.weight"]
        out[p + "mlp.up_proj.weight"] = sd[p + "feed_forward.w3.weight"]
        out[p + "mlp.down_proj.weight"] = sd[p + "feed_forward.w2.weight"]
        out[p + "input_layernorm.weight"] = sd[p + "attention_norm.weight"]
        out[p + "post_attention_layernorm.weight"] = sd[p + "ffn_norm.weight"]
    return out


def save_weights(model_dir: Path, sd: dict, dtype, sharded: bool):
    sd = {k: v.detach().to(dtype).contiguous() for k, v in sd.items()}
    if not sharded:
        write_safetensors(model_dir / "model.safetensors", sd)
        return
    names = sorted(sd)
    # shard 1: embeddings + first half of the layers; shard 2: the rest (HF naming convention)
    half = len(names) // 2
    shards = [names[:half], names[half:]]
    weight_map = {}
    total = 0
    for si, shard in enumerate(shards):
        fname = f"model-{si + 1:05d}-of-{len(shards):05d}.safetensors"
        write_safetensors(model_dir / fname, {n: sd[n] for n in shard})
        for n in shard:
            weight_map[n] = fname
            total += sd[n].numel() * sd[n].element_size()
    write_json(model_dir / "model.safetensors.index.json",
               {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))})


def build_model(name: str, spec: dict, tok: Tokenizer, out_dir: Path, log):
    fam = TOKENIZER_SPECS[spec["family"]]
    real_vocab = tok.get_vocab_size(with_added_tokens=True)
    pad_to = spec.get("vocab_pad_to")
    vocab_size = real_vocab if not pad_to else ((real_vocab + pad_to - 1) // pad_to) * pad_to
    cfg = hub_config(name, spec, tok, vocab_size)
    model_dir = out_dir / "models" / name
    model_dir.mkdir(parents=True, exist_ok=True)

    # --- tokenizer files
    save_tokenizer_json(tok, model_dir / "tokenizer.json")
    write_json(model_dir / "tokenizer_config.json", tokenizer_config_json(spec["family"], tok, spec["max_pos"]))
    hf_tok = AutoTokenizer.from_pretrained(str(model_dir))
    prompts = prompt_inputs(hf_tok)
    raw = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    for p in prompts:  # the raw tokenizers library (what a tokenizer.json consumer sees) must agree
        text = p["text"] if p["text"] is not None else p["rendered"]
        assert raw.encode(text, add_special_tokens=p["add_special_tokens"]).ids == p["input_ids"], (name, p["kind"])

    # --- model: find a seed whose greedy margins are all > MIN_MARGIN
    hf_cfg = hf_config_from_hub(cfg)
    cls = Qwen2ForCausalLM if spec["arch"] == "Qwen2ForCausalLM" else LlamaForCausalLM
    seed = spec["seed"]
    for attempt in range(20):
        torch.manual_seed(seed)
        model = cls(hf_cfg)
        model.config._attn_implementation = "eager"
        init_weights(model, seed, real_vocab)
        if spec["save_dtype"] == torch.bfloat16:  # reference = fp32 math on the bf16-rounded weights
            with torch.no_grad():
                for p_ in model.parameters():
                    p_.copy_(p_.to(torch.bfloat16).to(torch.float32))
        model.eval()
        tensors, entries, min_margin, max_bf16_diff = compute_reference(model, hf_tok, prompts, real_vocab)
        if min_margin > MIN_MARGIN:
            break
        log(f"  {name}: seed {seed} min greedy margin {min_margin:.2e} <= {MIN_MARGIN}, trying next seed")
        seed += 1
    else:
        raise RuntimeError(f"{name}: no seed with all greedy margins > {MIN_MARGIN}")

    # --- weights / configs
    sd = dict(model.state_dict())
    if spec["tied"]:
        sd.pop("lm_head.weight", None)
    if spec["arch"] == "InternLM2ForCausalLM":
        sd = llama_to_internlm2(sd, cfg)
    save_weights(model_dir, sd, spec["save_dtype"], spec["sharded"])
    write_json(model_dir / "config.json", cfg)
    eos = spec["eos_in_generation_config"]
    gen = {"bos_token_id": tok.token_to_id(fam["bos"]) if fam["bos"] else None,
           "eos_token_id": [tok.token_to_id(e) for e in eos] if isinstance(eos, list) else tok.token_to_id(eos)}
    if fam["pad"]:
        gen["pad_token_id"] = tok.token_to_id(fam["pad"])
    write_json(model_dir / "generation_config.json", gen)

    # --- reference
    L = cfg["num_hidden_layers"]
    ref = {
        "model": name,
        "architecture": spec["arch"],
        "reference_class": ("transformers.LlamaForCausalLM (weights re-packed into InternLM2 layout on save)"
                            if spec["arch"] == "InternLM2ForCausalLM" else f"transformers.{spec['arch']}"),
        "versions": versions(),
        "seed": seed,
        "attn_implementation": "eager",
        "weights_dtype_on_disk": str(spec["save_dtype"]).replace("torch.", ""),
        "dtype_notes": (
            "logits.<i> and hidden.* are computed in float32. "
            + ("The weights on disk are bfloat16; the float32 reference uses exactly those bf16 values upcast "
               "to float32. " if spec["save_dtype"] == torch.bfloat16 else "")
            + "logits_bf16.<i>: the same model cast with .to(torch.bfloat16) (every weight rounded to bf16) run "
              "in bfloat16 on CPU (eager attention: softmax in float32, RMSNorm in float32), logits upcast to float32 "
              "for storage. bf16 results depend on kernels; compare with a loose tolerance."
        ),
        "max_abs_diff_logits_bf16_vs_fp32": max_bf16_diff,
        "vocab_size": vocab_size,
        "tokenizer_size": real_vocab,
        "num_hidden_layers": L,
        "hidden_states_doc": (
            f"hidden.<i>.<l> for l = 0..{L} is transformers' output_hidden_states tuple: l = 0 is the token "
            f"embedding output (input of layer 0); l = 1..{L - 1} is the output of decoder layer l-1 (the "
            f"residual stream, not normalized); l = {L} is model.norm(output of the last decoder layer), i.e. "
            f"the final-normed state that feeds lm_head (NOT the raw last-layer output, which is stored "
            f"separately as hidden_last_prenorm.<i>). Asserted with forward hooks when generating."
        ),
        "greedy_doc": (
            f"model.generate(do_sample=False, num_beams=1, max_new_tokens={NEW_TOKENS}, use_cache=True, "
            "eos_token_id=None) with the prompt's input_ids (no eos stopping, no logits processors): ids are "
            "the argmax of the raw logits at each step. margins[j] = top1 - top2 of the raw float32 logits of "
            "step j (step 0 = the prompt's last position). Also checked against a no-cache argmax loop."
        ),
        "prompts": entries,
        "tensors": {k: list(v.shape) for k, v in tensors.items()},
    }
    if spec["rope_scaling"]:
        ref["rope_doc"] = ("rope.inv_freq: inverse frequencies after llama3 rope scaling "
                           f"({spec['rope_scaling']}); attention_scaling = 1.0")
    else:
        ref["rope_doc"] = "rope.inv_freq: 1 / rope_theta^(2j/head_dim), j = 0..head_dim/2-1 (no scaling)"
    write_safetensors(model_dir / "reference" / "reference.safetensors", tensors)
    write_json(model_dir / "reference" / "reference.json", ref)
    log(f"  {name}: vocab {vocab_size} (tokenizer {real_vocab}), seed {seed}, prompt lengths "
        f"{[e['num_tokens'] for e in entries]}, min greedy margin {min_margin:.4f}, "
        f"bf16 max |diff| {max_bf16_diff:.4f}")
    return hf_tok


def verify_model_dir(out_dir: Path, name: str, log):
    """Reload the written checkpoint with transformers and check the stored reference reproduces."""
    model_dir = out_dir / "models" / name
    cfg = json.loads((model_dir / "config.json").read_text())
    ref = json.loads((model_dir / "reference" / "reference.json").read_text())
    tensors = load_file(str(model_dir / "reference" / "reference.safetensors"))
    if cfg["model_type"] == "internlm2":
        sd = load_file(str(model_dir / "model.safetensors"))
        model = LlamaForCausalLM(hf_config_from_hub(cfg))
        model.load_state_dict(internlm2_to_llama({k: v.float() for k, v in sd.items()}, cfg), strict=True)
    else:
        model = AutoModelForCausalLM.from_pretrained(str(model_dir), dtype=torch.float32,
                                                     attn_implementation="eager")
        built = hf_config_from_hub(cfg).rope_parameters
        assert dict(model.config.rope_parameters) == dict(built), (model.config.rope_parameters, built)
    model.config._attn_implementation = "eager"
    model.eval()
    tok = AutoTokenizer.from_pretrained(str(model_dir))
    worst = 0.0
    for e in ref["prompts"]:
        text = e["text"] if e["text"] is not None else tok.apply_chat_template(
            e["messages"], tokenize=False, add_generation_prompt=True)
        ids = tok(text, add_special_tokens=e["add_special_tokens"])["input_ids"]
        assert ids == e["input_ids"], (name, e["kind"])
        with torch.no_grad():
            out = model(torch.tensor([ids]), output_hidden_states=True)
        worst = max(worst, float((out.logits[0] - tensors[f"logits.{e['index']}"]).abs().max()))
        for layer, h in enumerate(out.hidden_states):
            worst = max(worst, float((h[0] - tensors[f"hidden.{e['index']}.{layer}"]).abs().max()))
        new, _, _ = greedy(model, torch.tensor([ids]))
        assert new == e["greedy"]["ids"], (name, e["kind"])
    assert worst < 1e-5, (name, worst)
    log(f"  verify {name}: reloaded, logits/hidden max |diff| {worst:.2e}, greedy ids identical")


# --------------------------------------------------------------------------------------------------
# XTuner templates and encode_fn
# --------------------------------------------------------------------------------------------------
# Re-stated from xtuner 0.2.0, xtuner/utils/templates.py (PROMPT_TEMPLATE).  Cross-checked against the
# installed package when it is available (see load_xtuner()).
XTUNER_TEMPLATES = {
    "internlm2_chat": dict(
        SYSTEM="<|im_start|>system\n{system}<|im_end|>\n",
        INSTRUCTION="<|im_start|>user\n{input}<|im_end|>\n<|im_start|>assistant\n",
        SUFFIX="<|im_end|>", SUFFIX_AS_EOS=True, SEP="\n", STOP_WORDS=["<|im_end|>"]),
    "qwen_chat": dict(
        SYSTEM="<|im_start|>system\n{system}<|im_end|>\n",
        INSTRUCTION="<|im_start|>user\n{input}<|im_end|>\n<|im_start|>assistant\n",
        SUFFIX="<|im_end|>", SUFFIX_AS_EOS=True, SEP="\n", STOP_WORDS=["<|im_end|>", "<|endoftext|>"]),
    "llama3_chat": dict(
        SYSTEM="<|start_header_id|>system<|end_header_id|>\n\n{system}<|eot_id|>",
        INSTRUCTION=("<|start_header_id|>user<|end_header_id|>\n\n{input}<|eot_id|>"
                     "<|start_header_id|>assistant<|end_header_id|>\n\n"),
        SUFFIX="<|eot_id|>", SUFFIX_AS_EOS=True, STOP_WORDS=["<|eot_id|>"]),
}
TEMPLATE_TOKENIZER = {"internlm2_chat": "internlm2", "qwen_chat": "qwen2", "llama3_chat": "llama"}
# XTuner's get_bos_eos_token_ids (xtuner/dataset/utils.py) special-cases tokenizer classes named
# QWenTokenizer / QWen2Tokenizer / Qwen2TokenizerFast: bos = [] for them; otherwise bos = [bos_token_id].
# With transformers 4 (XTuner's target) a Qwen2 tokenizer loads as Qwen2TokenizerFast -> bos = [].
# (With transformers 5 the class is "Qwen2Tokenizer" and bos_token_id is None, which would crash
# encode_fn; the fixtures follow XTuner's intended behaviour under transformers 4.)
XTUNER_TOKENIZER_CLASS_NAME = {"llama": "PreTrainedTokenizerFast", "qwen2": "Qwen2TokenizerFast",
                               "internlm2": "InternLM2Tokenizer"}

CONVERSATIONS = [
    dict(name="multi_turn_system", messages=[
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "What is the capital of France?"},
        {"role": "assistant", "content": "The capital of France is Paris."},
        {"role": "user", "content": "And of Germany?"},
        {"role": "assistant", "content": "Berlin."},
    ]),
    dict(name="multi_turn_no_system", messages=[
        {"role": "user", "content": "What is 2+3?"},
        {"role": "assistant", "content": "It is 5."},
        {"role": "user", "content": "What is 12 * 7?"},
        {"role": "assistant", "content": "It is 84."},
        {"role": "user", "content": "Thank you!"},
        {"role": "assistant", "content": "Sure, happy to help."},
    ]),
    dict(name="empty_user_input", messages=[
        {"role": "user", "content": ""},
        {"role": "assistant", "content": "Hello there, how can I help you today?"},
    ]),
    dict(name="non_ascii", messages=[
        {"role": "system", "content": "请用一句话回答。"},
        # "Cafe\u0301" = decomposed é (NFD): the qwen2 tokenizer's NFC normalizer composes it
        {"role": "user", "content": "巴黎是哪个国家的首都？Cafe\u0301? 🙂"},
        {"role": "assistant", "content": "巴黎是法国的首都。Ça va très bien! 🚀"},
    ]),
    dict(name="single_turn", messages=[
        {"role": "user", "content": "Give me one word for happy."},
        {"role": "assistant", "content": "Joyful."},
    ]),
    # openai_map_fn's "loss": an earlier reply that is context only (output_with_loss False)
    dict(name="untrained_reply", messages=[
        {"role": "system", "content": "You are a concise assistant."},
        {"role": "user", "content": "What is 2+3?"},
        {"role": "assistant", "content": "It is 5, I think, but let me check again.", "loss": False},
        {"role": "user", "content": "Please answer briefly."},
        {"role": "assistant", "content": "5."},
    ]),
]
# alpaca records (xtuner/dataset/map_fns/dataset_map_fns/alpaca_map_fn.py): the user turn is
# f"{instruction}\n{input}"; a "system" field is not read
ALPACA_RECORDS = [
    dict(name="alpaca_with_input", record={"instruction": "Translate to French.", "input": "Thank you!",
                                           "output": "Merci !"}),
    dict(name="alpaca_empty_input", record={"instruction": "What is the capital of France?", "input": "",
                                            "output": "The capital of France is Paris."}),
    dict(name="alpaca_system_field", record={"system": "You are a helpful assistant.",
                                             "instruction": "Give me one word for happy.", "input": "",
                                             "output": "Joyful."}),
]
PRETRAIN_SAMPLES = [
    dict(name="pretrain_raw_text",
         text="  Once upon a time, a small robot learned to write poems.\nEvery evening it wrote a line about the stars. 🌍\n"),
]


def messages_to_xtuner_conversation(messages):
    """Same mapping as xtuner/dataset/map_fns/dataset_map_fns/openai_map_fn.py: a system message is
    attached to the next assistant turn only (it is reset after each assistant message); consecutive
    user messages are concatenated; leading assistant messages are dropped."""
    conv, system, inp = [], "", ""
    msgs = list(messages)
    while msgs and msgs[0]["role"] == "assistant":
        msgs = msgs[1:]
    for m in msgs:
        if m["role"] == "system":
            system = m["content"]
        elif m["role"] == "user":
            inp += m["content"]
        elif m["role"] == "assistant":
            with_loss = str(m.get("loss", "True")).lower() == "true"
            conv.append({"system": system, "input": inp, "output": m["content"], "output_with_loss": with_loss})
            system, inp = "", ""
        else:
            raise ValueError(m["role"])
    return conv


def apply_xtuner_template(conv, template):
    """Same as xtuner/dataset/map_fns/template_map_fn.py: input = [SYSTEM(system) if system] +
    INSTRUCTION(input, round=i+1); output += SUFFIX; need_eos_token = not SUFFIX_AS_EOS; sep = SEP or ''."""
    out = []
    for i, turn in enumerate(conv):
        t = dict(turn)
        text = template["INSTRUCTION"].format(input=t.get("input") or "", round=i + 1)
        if t.get("system"):
            text = template["SYSTEM"].format(system=t["system"]) + text
        t["input"] = text
        if template.get("SUFFIX"):
            t["output"] = t.get("output", "") + template["SUFFIX"]
        t["need_eos_token"] = not template.get("SUFFIX_AS_EOS", False)
        t["sep"] = template.get("SEP", "")
        out.append(t)
    return out


def xtuner_encode(conv, encode, bos_ids, eos_ids, max_length=XTUNER_MAX_LENGTH):
    """Own restatement of xtuner/dataset/utils.py encode_fn (input_ids_with_output=True, no images),
    additionally returning the segments.  Every piece is tokenized separately with
    add_special_tokens=False (so no BPE merge crosses a piece boundary)."""
    input_ids, labels, segments = [], [], []

    def add(kind, ids, with_loss, text):
        input_ids.extend(ids)
        labels.extend(list(ids) if with_loss else [IGNORE_INDEX] * len(ids))
        segments.append({"kind": kind, "text": text, "ids": list(ids), "loss": bool(with_loss and len(ids) > 0)})

    needs_bos = True
    for turn in conv:
        if needs_bos and bos_ids:
            add("bos", bos_ids, False, None)
        add("input", encode(turn["input"]), False, turn["input"])
        with_loss = turn.get("output_with_loss", True)
        add("output", encode(turn["output"]), with_loss, turn["output"])
        if turn.get("need_eos_token", True):
            needs_bos = True
            add("eos", eos_ids, with_loss, None)
        else:
            needs_bos = False
        sep = turn.get("sep", "")
        if sep != "":
            add("sep", encode(sep), False, sep)
    return input_ids[:max_length], labels[:max_length], segments


class _StubConfigDict(dict):
    """Attribute access like mmengine's ConfigDict (only what templates.py / template_map_fn need)."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        for k, v in list(self.items()):
            if isinstance(v, dict) and not isinstance(v, _StubConfigDict):
                self[k] = _StubConfigDict(v)

    def __getattr__(self, k):
        try:
            return self[k]
        except KeyError as e:
            raise AttributeError(k) from e


def load_xtuner():
    """Load XTuner's own template / map / encode functions from the installed xtuner 0.2.0 (installed
    with --no-deps) by file path, with stand-ins for the heavy imports they do not use here (mmengine,
    PIL, requests).  Returns None when xtuner is not installed."""
    spec = importlib.util.find_spec("xtuner")
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(list(spec.submodule_search_locations)[0])
    saved = dict(sys.modules)
    try:
        def stub(name, **attrs):
            if name in sys.modules and name not in ("xtuner", "xtuner.utils"):
                return sys.modules[name]
            m = types.ModuleType(name)
            m.__dict__.update(attrs)
            m.__path__ = []
            sys.modules[name] = m
            return m

        stub("mmengine")
        stub("mmengine.config", ConfigDict=_StubConfigDict)
        stub("mmengine.utils")
        stub("mmengine.utils.misc", get_object_from_string=lambda s: None)
        for mod in ("requests", "PIL", "PIL.Image"):
            try:
                importlib.import_module(mod)
            except ImportError:
                stub(mod, Image=None)

        def load(path, name):
            s = importlib.util.spec_from_file_location(name, root / path)
            m = importlib.util.module_from_spec(s)
            s.loader.exec_module(m)
            return m

        constants = load("utils/constants.py", "_xt_constants")
        stub("xtuner")
        stub("xtuner.utils", DEFAULT_IMAGE_TOKEN=constants.DEFAULT_IMAGE_TOKEN,
             IGNORE_INDEX=constants.IGNORE_INDEX, IMAGE_TOKEN_INDEX=constants.IMAGE_TOKEN_INDEX)
        templates = load("utils/templates.py", "_xt_templates")
        utils = load("dataset/utils.py", "_xt_dataset_utils")
        tmf = load("dataset/map_fns/template_map_fn.py", "_xt_template_map_fn")
        oai = load("dataset/map_fns/dataset_map_fns/openai_map_fn.py", "_xt_openai_map_fn")
        pre = load("dataset/map_fns/dataset_map_fns/pretrain_map_fn.py", "_xt_pretrain_map_fn")
        alp = load("dataset/map_fns/dataset_map_fns/alpaca_map_fn.py", "_xt_alpaca_map_fn")
        return types.SimpleNamespace(
            root=str(root), PROMPT_TEMPLATE=templates.PROMPT_TEMPLATE, encode_fn=utils.encode_fn,
            get_bos_eos_token_ids=utils.get_bos_eos_token_ids, template_map_fn=tmf.template_map_fn,
            openai_map_fn=oai.openai_map_fn, pretrain_map_fn=pre.pretrain_map_fn,
            alpaca_map_fn=alp.alpaca_map_fn,
            IGNORE_INDEX=constants.IGNORE_INDEX)
    finally:
        for k in list(sys.modules):
            if k not in saved:
                del sys.modules[k]
        sys.modules.update(saved)


def _named_tokenizer_proxy(hf_tok, class_name):
    """An object whose class name is the one XTuner's get_bos_eos_token_ids inspects under transformers 4."""
    def encode(self, text, add_special_tokens=True):
        return self._tok.encode(text, add_special_tokens=add_special_tokens)
    cls = type(class_name, (), {"encode": encode,
                                "bos_token_id": property(lambda self: self._tok.bos_token_id),
                                "eos_token_id": property(lambda self: self._tok.eos_token_id)})
    obj = cls()
    obj._tok = hf_tok
    return obj


def hf_template_labels(hf_tok, messages, eot_id):
    """Labels for the tokenizer's own chat template by prefix rendering: for assistant message i,
    P = render(messages[:i], add_generation_prompt=True), Q = render(messages[:i+1]); both token
    sequences must be prefixes of the full conversation's tokens; the supervised span is
    [len(P), last <eot> in [len(P), len(Q))] inclusive (so trailing template text after the
    end-of-turn token, e.g. ChatML's '\\n', is not supervised)."""
    def ids_of(msgs, gen):
        text = hf_tok.apply_chat_template(msgs, tokenize=False, add_generation_prompt=gen)
        return text, hf_tok(text, add_special_tokens=False)["input_ids"]

    text, ids = ids_of(messages, False)
    labels = [IGNORE_INDEX] * len(ids)
    spans = []
    for i, m in enumerate(messages):
        if m["role"] != "assistant" or m.get("loss", True) is False:
            continue
        _, p = ids_of(messages[:i], True)
        _, q = ids_of(messages[:i + 1], False)
        assert ids[:len(p)] == p and ids[:len(q)] == q, "prefix rendering is not a token prefix"
        ends = [j for j in range(len(p), len(q)) if ids[j] == eot_id]
        assert ends, "no end-of-turn token in the assistant span"
        end = ends[-1]
        labels[len(p):end + 1] = ids[len(p):end + 1]
        spans.append([len(p), end + 1])
    return text, ids, labels, spans


def build_data_fixtures(out_dir: Path, hf_toks: dict, log, require_xtuner: bool):
    xt = load_xtuner()
    if xt is None:
        if require_xtuner:
            raise RuntimeError("xtuner is not installed (pip install --no-deps xtuner==0.2.0); "
                               "use --no-xtuner-check to skip the cross-check")
        log("  WARNING: xtuner not installed, XTuner cross-check skipped")
    else:
        for name, t in XTUNER_TEMPLATES.items():
            assert dict(xt.PROMPT_TEMPLATE[name]) == t, f"template {name} differs from installed xtuner"
        log(f"  xtuner {_xtuner_version()} loaded from {xt.root}: templates identical to the restated ones")

    cases = []
    n_piecewise_diff = 0
    raw_toks = {fam: Tokenizer.from_file(str(out_dir / "models" / fam / "tokenizer.json"))
                for fam in ("llama", "qwen2", "internlm2")}
    for tname, template in XTUNER_TEMPLATES.items():
        fam = TEMPLATE_TOKENIZER[tname]
        tok = hf_toks[fam]
        bos_ids = [] if fam == "qwen2" else [tok.bos_token_id]
        eos_ids = [tok.eos_token_id]
        enc = lambda s, tok=tok: tok.encode(s, add_special_tokens=False)  # noqa: E731
        for c in CONVERSATIONS:
            conv = apply_xtuner_template(messages_to_xtuner_conversation(c["messages"]), template)
            ids, labels, segs = xtuner_encode(conv, enc, bos_ids, eos_ids)
            if xt is not None:
                ex = xt.openai_map_fn({"messages": copy.deepcopy(c["messages"])})
                ex = xt.template_map_fn(ex, _StubConfigDict(template))
                ref = xt.encode_fn(ex, _named_tokenizer_proxy(tok, XTUNER_TOKENIZER_CLASS_NAME[fam]),
                                   XTUNER_MAX_LENGTH)
                assert ref["input_ids"] == ids and ref["labels"] == labels, (tname, c["name"])
                assert [{k: v for k, v in t.items()} for t in ex["conversation"]] == conv, (tname, c["name"])
            text = "".join(s["text"] if s["text"] is not None else tok.convert_ids_to_tokens(s["ids"][0])
                           for s in segs)
            whole = tok.encode(text, add_special_tokens=False)
            n_piecewise_diff += whole != ids
            cases.append(dict(
                name=f"{tname}/{c['name']}", kind="xtuner_sft", template=tname, tokenizer=fam,
                conversation=c["name"], xtuner_conversation=conv, segments=segs, text=text,
                input_ids=ids, labels=labels, whole_text_tokenization_equal=whole == ids))
        for a in ALPACA_RECORDS:
            rec = a["record"]
            conv = apply_xtuner_template([{"input": f"{rec['instruction']}\n{rec['input']}",
                                           "output": rec["output"]}], template)
            ids, labels, segs = xtuner_encode(conv, enc, bos_ids, eos_ids)
            if xt is not None:
                ex = xt.template_map_fn(xt.alpaca_map_fn(copy.deepcopy(rec)), _StubConfigDict(template))
                assert ex["conversation"] == conv, (tname, a["name"])
                ref = xt.encode_fn(ex, _named_tokenizer_proxy(tok, XTUNER_TOKENIZER_CLASS_NAME[fam]),
                                   XTUNER_MAX_LENGTH)
                assert ref["input_ids"] == ids and ref["labels"] == labels, (tname, a["name"])
            cases.append(dict(
                name=f"{tname}/{a['name']}", kind="xtuner_alpaca", template=tname, tokenizer=fam,
                conversation=a["name"], record=rec, xtuner_conversation=conv, segments=segs,
                input_ids=ids, labels=labels))
    for fam in ("llama", "qwen2", "internlm2"):
        tok = hf_toks[fam]
        bos_ids = [] if fam == "qwen2" else [tok.bos_token_id]
        eos_ids = [tok.eos_token_id]
        enc = lambda s, tok=tok: tok.encode(s, add_special_tokens=False)  # noqa: E731
        for s in PRETRAIN_SAMPLES:
            # xtuner/dataset/map_fns/dataset_map_fns/pretrain_map_fn.py + no template_map_fn
            conv = [{"input": "", "output": s["text"].strip(), "need_eos_token": False}]
            ids, labels, segs = xtuner_encode(conv, enc, bos_ids, eos_ids)
            if xt is not None:
                ex = xt.pretrain_map_fn({"text": s["text"]})
                assert ex["conversation"] == conv
                ref = xt.encode_fn(ex, _named_tokenizer_proxy(tok, XTUNER_TOKENIZER_CLASS_NAME[fam]),
                                   XTUNER_MAX_LENGTH)
                assert ref["input_ids"] == ids and ref["labels"] == labels, (fam, s["name"])
            segs = [x for x in segs if x["ids"] or x["kind"] != "input"]
            cases.append(dict(
                name=f"pretrain/{fam}/{s['name']}", kind="xtuner_pretrain", template=None, tokenizer=fam,
                conversation=s["name"], xtuner_conversation=conv, segments=segs,
                text=(tok.convert_ids_to_tokens(bos_ids[0]) if bos_ids else "") + s["text"].strip(),
                input_ids=ids, labels=labels))
    for fam in ("llama", "qwen2", "internlm2"):
        tok = hf_toks[fam]
        eot = tok.convert_tokens_to_ids(TOKENIZER_SPECS[fam]["eot"])
        for c in CONVERSATIONS:
            text, ids, labels, spans = hf_template_labels(tok, c["messages"], eot)
            raw = tok.apply_chat_template(c["messages"], tokenize=True, return_dict=True)["input_ids"]
            assert list(raw) == ids
            cases.append(dict(
                name=f"chat_template/{fam}/{c['name']}", kind="hf_chat_template", template="tokenizer.chat_template",
                tokenizer=fam, conversation=c["name"], text=text, input_ids=ids, labels=labels,
                assistant_spans=spans))

    doc = {
        "schema": DATA_SCHEMA_DOC,
        "versions": versions(),
        "ignore_index": IGNORE_INDEX,
        "xtuner_max_length": XTUNER_MAX_LENGTH,
        "xtuner_facts": XTUNER_FACTS,
        "tokenizers": {fam: f"models/{'llama' if fam == 'llama' else fam}" for fam in ("llama", "qwen2", "internlm2")},
        "xtuner_templates": {k: dict(v, source="xtuner 0.2.0 xtuner/utils/templates.py PROMPT_TEMPLATE",
                                     tokenizer=TEMPLATE_TOKENIZER[k]) for k, v in XTUNER_TEMPLATES.items()},
        "xtuner_bos_eos": {fam: {"bos_ids": [] if fam == "qwen2" else [hf_toks[fam].bos_token_id],
                                 "eos_ids": [hf_toks[fam].eos_token_id],
                                 "xtuner_tokenizer_class": XTUNER_TOKENIZER_CLASS_NAME[fam]}
                           for fam in ("llama", "qwen2", "internlm2")},
        "chat_template_eot_token": {fam: TOKENIZER_SPECS[fam]["eot"] for fam in ("llama", "qwen2", "internlm2")},
        "conversations": CONVERSATIONS,
        "pretrain_samples": PRETRAIN_SAMPLES,
        "cases": cases,
    }
    # every id sequence must also be what tokenizer.json gives with the plain `tokenizers` library
    for c in cases:
        raw = raw_toks[c["tokenizer"]]
        if c["kind"] == "hf_chat_template":
            assert raw.encode(c["text"], add_special_tokens=False).ids == c["input_ids"], c["name"]
        else:
            for sg in c["segments"]:
                if sg["text"] is not None:
                    assert raw.encode(sg["text"], add_special_tokens=False).ids == sg["ids"], c["name"]
    write_json(out_dir / "data" / "templates.json", doc)
    log(f"  data: {len(cases)} cases ({n_piecewise_diff} XTuner cases whose piecewise ids differ from "
        f"tokenizing the concatenated text), xtuner cross-check: {'yes' if xt else 'SKIPPED'}")


DATA_SCHEMA_DOC = [
    "templates.json: chat-template and data-pipeline fixtures. Tokenizers: models/llama (also used for llama3_chat), "
    "models/qwen2 (qwen_chat), models/internlm2 (internlm2_chat).",
    "conversations[]: {name, messages:[{role, content, loss?}]} (OpenAI message format; loss false: the reply is "
    "context, not a target). pretrain_samples[]: {name, text}.",
    "kind=xtuner_alpaca: record -> alpaca_map_fn -> template_map_fn -> encode_fn; record = the alpaca record (its "
    "system field, if any, is not read by alpaca_map_fn).",
    "cases[]: one per (template or tokenizer, conversation). Common keys: name, kind, template, tokenizer, "
    "conversation (name), text, input_ids, labels (same length as input_ids; -100 = no loss).",
    "kind=xtuner_sft: messages -> openai_map_fn -> template_map_fn(PROMPT_TEMPLATE[template]) -> encode_fn "
    "(input_ids_with_output=True, max_length=xtuner_max_length). xtuner_conversation = the conversation after "
    "template_map_fn (input/output/system/need_eos_token/sep/output_with_loss). segments[] = {kind: bos|input|output|eos|sep, "
    "text (null for bos/eos), ids, loss}: input_ids is the concatenation of segments' ids, each text piece tokenized "
    "separately with add_special_tokens=False. text = the concatenation of the segment texts (bos as its token string). "
    "whole_text_tokenization_equal: whether tokenizing text in one go gives the same ids.",
    "kind=xtuner_pretrain: {text} -> pretrain_map_fn (text.strip(), input '', need_eos_token False) -> encode_fn "
    "without a template: [bos] + ids(text), labels = [-100] + ids(text); no eos is appended.",
    "kind=hf_chat_template: text = tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=False); "
    "input_ids = tokenizer(text, add_special_tokens=False) (== apply_chat_template(tokenize=True)). labels: loss on "
    "the assistant content tokens and the end-of-turn token (chat_template_eot_token), -100 elsewhere. Method: for "
    "assistant message i, P = ids(render(messages[:i], add_generation_prompt=True)), Q = ids(render(messages[:i+1])); "
    "both are asserted to be prefixes of input_ids; the span is [len(P), last eot position in [len(P), len(Q))] "
    "inclusive. assistant_spans = [[start, end_exclusive], ...].",
]

XTUNER_FACTS = [
    "Sources (xtuner 0.2.0): xtuner/utils/templates.py (PROMPT_TEMPLATE), xtuner/dataset/map_fns/template_map_fn.py, "
    "xtuner/dataset/map_fns/dataset_map_fns/openai_map_fn.py and pretrain_map_fn.py, xtuner/dataset/utils.py "
    "(get_bos_eos_token_ids, encode_fn), xtuner/dataset/huggingface.py (process order).",
    "Pipeline: dataset_map_fn -> template_map_fn -> encode_fn (-> drop samples whose labels are all -100 -> optional packing).",
    "openai_map_fn: one conversation turn per assistant message; the system message is attached only to the turn that "
    "follows it (it is reset after every assistant message); consecutive user messages are concatenated.",
    "template_map_fn: turn input = SYSTEM.format(system) (only if the turn has a non-empty system) + "
    "INSTRUCTION.format(input=input or '', round=i+1); output += SUFFIX (if the template has one); "
    "need_eos_token = not SUFFIX_AS_EOS; sep = SEP (or '' if the template has none, e.g. llama3_chat).",
    "encode_fn: bos, input, output, eos and sep are tokenized SEPARATELY with add_special_tokens=False and concatenated "
    "(BPE merges never cross these boundaries). Per turn: [bos if next_needs_bos_token] (label -100) + input (-100) "
    "+ output (labels = ids when output_with_loss) + [eos ids if need_eos_token] (labels = eos ids, i.e. WITH loss) "
    "+ [sep ids if sep != ''] (-100). next_needs_bos_token starts True and becomes need_eos_token after each turn.",
    "bos: get_bos_eos_token_ids gives bos = [] for Qwen tokenizers (class QWenTokenizer / QWen2Tokenizer / "
    "Qwen2TokenizerFast), [tokenizer.bos_token_id] otherwise; eos = [tokenizer.eos_token_id].",
    "All three templates used here (internlm2_chat, qwen_chat, llama3_chat) have SUFFIX_AS_EOS=True: no eos id is "
    "appended, the SUFFIX text (<|im_end|> / <|eot_id|>) is part of the output and therefore supervised, and bos is "
    "inserted only once at the very beginning of a multi-turn sample (llama: <|begin_of_text|>, internlm2: <s>, qwen: none).",
    "SEP ('\\n' for internlm2_chat and qwen_chat) follows every turn's output including the last one, with label -100; "
    "llama3_chat has no SEP. SYSTEM and INSTRUCTION text is never supervised.",
    "Multi-turn: every assistant output of every turn is supervised (input_ids_with_output must be True).",
    "Pretraining (pretrain_map_fn, template_map_fn=None): conversation [{input: '', output: text.strip(), "
    "need_eos_token: False}] -> input_ids = bos + ids(text), labels = [-100]*len(bos) + ids(text): labels equal "
    "input_ids except the bos; NO eos is appended.",
    "Truncation: input_ids/labels are cut to max_length after encoding (not exercised here).",
]

# --------------------------------------------------------------------------------------------------
# Training-step references
# --------------------------------------------------------------------------------------------------
TRAIN_LEN = 24
ADAMW = dict(lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.01)
LORA = dict(r=4, lora_alpha=8, lora_dropout=0.0,
            target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"])
LORA_B_STD = 0.1
TRAIN_SEED = 5000


def train_batch(hf_tok):
    """Two sequences of TRAIN_LEN tokens from the llama tokenizer: an XTuner llama3_chat SFT sample
    (prompt masked) and an XTuner pretraining sample (bos masked), both truncated to TRAIN_LEN;
    plus two extra label masks in sample 2 to have -100 in the middle of a sequence."""
    enc = lambda s: hf_tok.encode(s, add_special_tokens=False)  # noqa: E731
    bos, eos = [hf_tok.bos_token_id], [hf_tok.eos_token_id]
    conv = apply_xtuner_template(messages_to_xtuner_conversation([
        {"role": "user", "content": "Hi"},
        {"role": "assistant", "content": "Hello there, how can I help you today? Sure, here is a short answer."}]),
        XTUNER_TEMPLATES["llama3_chat"])
    ids1, lab1, _ = xtuner_encode(conv, enc, bos, eos)
    ids2, lab2, _ = xtuner_encode([{"input": "", "output": CORPUS[2], "need_eos_token": False}], enc, bos, eos)
    assert len(ids1) >= TRAIN_LEN and len(ids2) >= TRAIN_LEN
    ids1, lab1, ids2, lab2 = ids1[:TRAIN_LEN], lab1[:TRAIN_LEN], ids2[:TRAIN_LEN], lab2[:TRAIN_LEN]
    lab2 = list(lab2)
    lab2[10] = lab2[11] = IGNORE_INDEX
    return [ids1, ids2], [lab1, lab2]


def load_llama_fp32(out_dir: Path):
    m = AutoModelForCausalLM.from_pretrained(str(out_dir / "models" / "llama"), dtype=torch.float32,
                                             attn_implementation="eager")
    m.config._attn_implementation = "eager"
    return m


def build_train_fixtures(out_dir: Path, hf_tok, log):
    import peft

    ids, labels = train_batch(hf_tok)
    x = torch.tensor(ids)
    y = torch.tensor(labels)

    # ---- full fine-tuning step
    model = load_llama_fp32(out_dir)
    model.train()
    out = model(input_ids=x, labels=y)
    loss = out.loss
    # manual HF causal-LM loss: shift by one, mean over all non-ignored targets of the batch
    sl = out.logits[:, :-1].reshape(-1, out.logits.shape[-1])
    st = y[:, 1:].reshape(-1)
    manual = torch.nn.functional.cross_entropy(sl, st, ignore_index=IGNORE_INDEX, reduction="mean")
    assert torch.allclose(loss, manual, atol=1e-6, rtol=1e-6), (loss, manual)
    per_sample = []
    with torch.no_grad():
        for b in range(2):
            lg = model(input_ids=x[b:b + 1]).logits[0, :-1]
            tgt = y[b, 1:]
            s = torch.nn.functional.cross_entropy(lg, tgt, ignore_index=IGNORE_INDEX, reduction="sum")
            n = int((tgt != IGNORE_INDEX).sum())
            single = model(input_ids=x[b:b + 1], labels=y[b:b + 1]).loss
            per_sample.append(dict(loss_sum=float(s), num_tokens=n, loss_mean=float(single)))
    weighted = sum(p["loss_sum"] for p in per_sample) / sum(p["num_tokens"] for p in per_sample)
    assert abs(weighted - loss.item()) < 1e-5, (weighted, loss.item())
    loss.backward()
    names = [n for n, _ in model.named_parameters()]
    full = {"loss": f32(loss.detach().reshape(1))}
    for n, p in model.named_parameters():
        assert p.grad is not None, n
        full[f"grad.{n}"] = f32(p.grad)
    opt = torch.optim.AdamW(model.parameters(), lr=ADAMW["lr"], betas=ADAMW["betas"], eps=ADAMW["eps"],
                            weight_decay=ADAMW["weight_decay"], foreach=False)
    opt.step()
    for n, p in model.named_parameters():
        full[f"param_after.{n}"] = f32(p)
    write_safetensors(out_dir / "train" / "full_step.safetensors", full)

    # ---- LoRA step
    base = load_llama_fp32(out_dir)
    torch.manual_seed(TRAIN_SEED)  # peft initialises lora_A (kaiming-uniform) with the global RNG
    cfg = peft.LoraConfig(r=LORA["r"], lora_alpha=LORA["lora_alpha"], lora_dropout=LORA["lora_dropout"],
                          target_modules=LORA["target_modules"], bias="none", task_type="CAUSAL_LM",
                          init_lora_weights=True)
    pm = peft.get_peft_model(base, cfg)
    g = torch.Generator().manual_seed(TRAIN_SEED + 1)
    with torch.no_grad():
        for n, p in pm.named_parameters():
            if "lora_B" in n:
                p.copy_(LORA_B_STD * torch.randn(p.shape, generator=g))
    lora_names = [n for n, p in pm.named_parameters() if p.requires_grad]
    assert lora_names and all(("lora_A" in n or "lora_B" in n) for n in lora_names)
    lora = {}
    for n, p in pm.named_parameters():
        if p.requires_grad:
            lora[f"lora_init.{n}"] = f32(p)
    pm.train()
    lout = pm(input_ids=x, labels=y)
    lout.loss.backward()
    lora["loss"] = f32(lout.loss.detach().reshape(1))
    for n, p in pm.named_parameters():
        if p.requires_grad:
            assert p.grad is not None and float(p.grad.abs().max()) > 0, n
            lora[f"grad.{n}"] = f32(p.grad)
    lopt = torch.optim.AdamW([p for p in pm.parameters() if p.requires_grad], lr=ADAMW["lr"], betas=ADAMW["betas"],
                             eps=ADAMW["eps"], weight_decay=ADAMW["weight_decay"], foreach=False)
    lopt.step()
    for n, p in pm.named_parameters():
        if p.requires_grad:
            lora[f"lora_after.{n}"] = f32(p)
    write_safetensors(out_dir / "train" / "lora_step.safetensors", lora)

    write_json(out_dir / "train" / "batch.json", {
        "doc": [
            "Training-step references on models/llama (float32, eager attention, no dropout).",
            "Batch: input_ids / labels [2, 24], no padding, no attention_mask (all ones), position ids 0..23.",
            "Sample 0: XTuner llama3_chat SFT encoding of a short conversation (prompt -100), truncated to 24. "
            "Sample 1: XTuner pretraining encoding of a text (bos -100), truncated to 24, labels[10] and labels[11] "
            "additionally set to -100.",
            "loss: transformers' causal-LM loss: logits[:, :-1] vs labels[:, 1:], cross entropy averaged over ALL "
            "non-ignored targets of the batch (token-weighted, not a mean of per-sample means). "
            "loss == sum(per_sample.loss_sum) / sum(per_sample.num_tokens).",
            "per_sample: each sample run alone: loss_sum (sum of CE over its non-ignored shifted targets), "
            "num_tokens (count of labels[1:] != -100), loss_mean (= loss_sum / num_tokens).",
            "full_step.safetensors: loss [1]; grad.<name> = d loss / d param after one backward of the batch loss; "
            "param_after.<name> = params after one torch.optim.AdamW step (hyper-parameters in adamw; "
            "foreach=False, amsgrad=False, maximize=False; bias-corrected, decoupled weight decay p -= lr*wd*p). "
            "<name> = transformers parameter names (param_names). Initial params = models/llama weights.",
            "lora_step.safetensors: peft LoRA (config in lora) on the same model; lora_A initialised by peft "
            "(kaiming-uniform, torch.manual_seed(lora.torch_seed)), lora_B then overwritten with "
            "N(0, lora.b_init_std) values (non-zero, so lora_A gets gradients). lora_init.<peft name>, loss [1], "
            "grad.<peft name> (only trainable lora params; base weights frozen), lora_after.<peft name> after one "
            "AdamW step over the lora params (same hyper-parameters). LoRA forward: W x + (B (A x)) * lora_alpha / r. "
            "peft names look like base_model.model.model.layers.0.self_attn.q_proj.lora_A.default.weight (A: [r, in], "
            "B: [out, r]); the adapter_model.safetensors file format drops '.default'.",
        ],
        "input_ids": ids,
        "labels": labels,
        "loss": loss.item(),
        "per_sample": per_sample,
        "token_weighted_mean": weighted,
        "lora_loss": lout.loss.item(),
        "adamw": {"lr": ADAMW["lr"], "betas": list(ADAMW["betas"]), "eps": ADAMW["eps"],
                  "weight_decay": ADAMW["weight_decay"], "amsgrad": False, "step": 1},
        "lora": dict(LORA, scaling=LORA["lora_alpha"] / LORA["r"], bias="none", torch_seed=TRAIN_SEED,
                     b_init_std=LORA_B_STD, b_init_seed=TRAIN_SEED + 1),
        "param_names": names,
        "lora_param_names": lora_names,
        "versions": versions(),
    })
    log(f"  train: loss {loss.item():.6f} (per-sample sums {[round(p['loss_sum'], 4) for p in per_sample]}, "
        f"tokens {[p['num_tokens'] for p in per_sample]}), lora loss {lout.loss.item():.6f}, "
        f"{len(names)} params, {len(lora_names)} lora params")


# --------------------------------------------------------------------------------------------------
# README for the fixtures folder
# --------------------------------------------------------------------------------------------------
FIXTURES_README = """# Test fixtures (generated)

Generated by `trainer-image/src/test/python/make_fixtures.py` with `transformers`, `peft`, `tokenizers`
and XTuner 0.2.0's template code (versions: `src/test/python/requirements.txt`, and recorded in each
json file). Do not edit by hand: regenerate (see `src/test/python/README.md`).

## models/<name>/

| name | class | layers | heads / kv | hidden / head_dim / ffn | embeddings | weights on disk | notes |
|---|---|---|---|---|---|---|---|
| llama | LlamaForCausalLM | 3 | 4 / 2 | 64 / 16 / 160 | untied | fp32, **2 shards** + `model.safetensors.index.json` | rope_theta 5e5, `rope_scaling` llama3 (factor 8, low 1, high 4, original_max_position_embeddings 64); generation_config eos is a **list** [<\\|end_of_text\\|>, <\\|eot_id\\|>] |
| llama-tied | LlamaForCausalLM | 2 | 4 / 2 | 64 / 16 / 160 | tied (no `lm_head.weight` in the file) | fp32 | no rope scaling; same tokenizer as llama |
| qwen2 | Qwen2ForCausalLM | 2 | 4 / 2 | 64 / 16 / 128 | tied | **bf16** | non-zero random q/k/v biases; model vocab padded to a multiple of 64 (> tokenizer size; padding rows are zero) |
| internlm2 | InternLM2ForCausalLM layout | 2 | 4 / 2 | 64 / 16 / 128 | untied | fp32 | InternLM2 names and packed `wqkv`; reference computed with the equivalent transformers Llama |

Each folder: `config.json` (hub style keys: `rope_theta`/`rope_scaling`/`torch_dtype`, as real checkpoints
have them; transformers 5 converts them to `rope_parameters` on load), `model.safetensors` (or shards),
`tokenizer.json`, `tokenizer_config.json` (bos/eos/pad/unk, `chat_template`, `added_tokens_decoder`,
`tokenizer_class`), `generation_config.json`.

Weights are N(0, 0.2) (config `initializer_range`), RMSNorm weights 1 + 0.1 N(0,1), biases 0.2 N(0,1).

### Tokenizers (byte-level BPE trained on a built-in corpus)
* llama (also llama-tied): Llama-3 layout: Split(Llama-3 regex, digits in groups of 1-3) + ByteLevel(use_regex=false),
  no normalizer, BPE `ignore_merges: true`, specials after the BPE vocab: <|begin_of_text|> (bos),
  <|end_of_text|>, <|finetune_right_pad_id|> (pad), <|start_header_id|>, <|end_header_id|>, <|eot_id|> (eos).
  The post-processor (TemplateProcessing) prepends <|begin_of_text|> when `add_special_tokens=true`, like Llama 3.
  Chat template: Meta-Llama-3-Instruct's (starts with bos_token, content is `| trim`med).
* qwen2: Qwen2 layout: NFC normalizer, Split(Qwen2 regex, single digits) + ByteLevel; no bos (bos_token null, the
  post-processor adds nothing); specials after the vocab: <|endoftext|> (pad), <|im_start|>, <|im_end|> (eos).
  `tokenizer_class: Qwen2Tokenizer` (transformers 5 rebuilds the same pipeline from vocab/merges; asserted equal).
  Chat template: Qwen2-Instruct ChatML (adds "You are a helpful assistant." when there is no system message).
* internlm2: the real one is SentencePiece; here a GPT-2 style byte-level BPE (ByteLevel with its built-in regex),
  <unk>=0, <s>=1 (bos), </s>=2 (eos, pad), then the BPE vocab, then <|im_end|>, <|im_start|>. The post-processor
  prepends <s> (like InternLM2Tokenizer's add_bos_token=True). `tokenizer_class: PreTrainedTokenizerFast`
  (InternLM2Tokenizer is remote code). Chat template: internlm2-chat's ({{ bos_token }} + ChatML turns).

### InternLM2 layout
`model.tok_embeddings.weight`, `model.layers.N.attention.wqkv.weight`, `.attention.wo.weight`,
`.feed_forward.w1.weight` (gate), `.w3` (up), `.w2` (down), `.attention_norm.weight`, `.ffn_norm.weight`,
`model.norm.weight`, `output.weight`. `wqkv` has `(num_kv_heads * (G + 2) * head_dim)` rows, G =
num_attention_heads / num_key_value_heads: for each kv head g (in order): the q rows of query heads
g*G .. g*G+G-1 (head_dim rows each), then k rows of kv head g, then v rows of kv head g
(InternLM2's `rearrange(qkv, "b q (h gs d) -> b q h gs d", gs=2+G)`).

### reference/reference.safetensors (float32) and reference/reference.json
For prompt i in 0..2 (0: "The quick brown fox jumps over the lazy dog.", 1: "Grüße aus Zürich: 你好，世界！Café 🙂",
both tokenized with add_special_tokens=true, i.e. with bos for llama / internlm2 and without for qwen2;
2: [system "Be concise.", user "Capital of France?"] rendered with the model's chat template,
add_generation_prompt=true, tokenized with add_special_tokens=false; 12-31 tokens each):
* `logits.<i>` [T, V] float32 logits of the full prompt (V = config vocab_size).
* `hidden.<i>.<l>` [T, hidden] for l = 0..L (L = num_hidden_layers): transformers' `output_hidden_states`:
  l = 0 embedding output; l = 1..L-1 output of decoder layer l-1 (un-normalized residual stream);
  l = L = `model.norm(output of the last layer)` (the input of lm_head).
* `hidden_last_prenorm.<i>` [T, hidden]: the raw output of the last decoder layer (before the final norm).
* `logits_bf16.<i>` [T, V]: the model cast to bfloat16 and run in bfloat16 (CPU, eager), stored as float32.
* `rope.inv_freq` [head_dim/2]: the rotary inverse frequencies transformers uses (after llama3 scaling for llama).

reference.json: `prompts[i]` = {index, kind, text, messages, rendered (chat string), add_special_tokens,
num_tokens, input_ids, last_token_margin, greedy: {new_tokens: 32, ids, margins (top1 - top2 of the raw
logits at each step, all > 1e-3), min_margin, text (decoded with special tokens),
max_abs_diff_cached_vs_uncached_logits}}; plus versions, seed, attn_implementation, dtype_notes,
hidden_states_doc, greedy_doc, rope_doc, vocab_size, tokenizer_size, tensors (name -> shape),
max_abs_diff_logits_bf16_vs_fp32.

## data/templates.json
See the `schema` key at the top of the file (and `xtuner_facts` for how XTuner builds input_ids/labels).
Cases: XTuner templates internlm2_chat / qwen_chat / llama3_chat x 6 conversations (multi-turn with and
without system, empty user input, non-ASCII, single turn, an earlier reply marked "loss": false) and x 3
alpaca records (one with a system field, which alpaca_map_fn does not read), XTuner pretraining of one raw
text for each tokenizer, and each tokenizer's own chat_template x the 6 conversations. The non-ASCII conversation
contains a decomposed "e + U+0301" to exercise the NFC normalizer of the qwen2 tokenizer. All ids were
checked against the plain `tokenizers` library loading tokenizer.json. BPE `ignore_merges` (llama) does
not change any fixture tokenization (checked when writing this).

## train/
`batch.json` (inputs, labels, loss, per-sample token-summed losses and counts, AdamW and LoRA settings,
parameter names; see its `doc` key), `full_step.safetensors` (`loss` [1], `grad.<hf name>`,
`param_after.<hf name>`), `lora_step.safetensors` (`loss` [1], `lora_init.<peft name>`, `grad.<peft name>`,
`lora_after.<peft name>`). All tensors float32; the batch is 2 x 24 tokens from the llama tokenizer.
"""


# --------------------------------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------------------------------

def generate(out_dir: Path, log, require_xtuner=True):
    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()
    torch.manual_seed(0)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    out_dir.mkdir(parents=True, exist_ok=True)
    log(f"writing fixtures to {out_dir}")
    toks = {fam: build_tokenizer(fam) for fam in TOKENIZER_SPECS}
    hf_toks = {}
    for name, spec in MODEL_SPECS.items():
        hf_tok = build_model(name, spec, toks[spec["family"]], out_dir, log)
        if name in ("llama", "qwen2", "internlm2"):
            hf_toks[spec["family"]] = hf_tok
    for name in MODEL_SPECS:
        verify_model_dir(out_dir, name, log)
    build_data_fixtures(out_dir, hf_toks, log, require_xtuner)
    build_train_fixtures(out_dir, hf_toks["llama"], log)
    (out_dir / "README.md").write_text(FIXTURES_README, encoding="utf-8")
    total = sum(f.stat().st_size for f in out_dir.rglob("*") if f.is_file())
    log(f"done: {sum(1 for f in out_dir.rglob('*') if f.is_file())} files, {total / 1e6:.2f} MB")


FP32_ABS, FP32_REL = 1e-5, 1e-5  # fp32 rounding of another CPU / build
BF16_ULPS = 2 * 2.0 ** -7  # two bf16 ulps, relative
JSON_ABS, JSON_REL = 1e-4, 2e-2  # other JSON numbers (margins, measured differences)


def tensor_rounding_difference(name: str, a: torch.Tensor, b: torch.Tensor):
    """None when a and b agree up to floating-point rounding, else what differs."""
    if a.dtype != b.dtype or a.shape != b.shape:
        return f"{name}: {a.dtype}{list(a.shape)} vs {b.dtype}{list(b.shape)}"
    if not a.is_floating_point():
        return None if torch.equal(a, b) else f"{name}: integer values differ"
    a64, b64 = a.double(), b.double()
    if "bf16" in name or a.dtype == torch.bfloat16:
        # bf16 rounding moves every element by ulps of the tensor's scale, not of its own size
        bound = BF16_ULPS * float(b64.abs().max()) + 1e-6
    else:
        bound = FP32_ABS + FP32_REL * torch.maximum(a64.abs(), b64.abs())
    over = (a64 - b64).abs() > bound
    if bool(over.any()):
        return f"{name}: {int(over.sum())} values beyond rounding, max abs diff {float((a64 - b64).abs().max()):.3e}"
    return None


def json_rounding_difference(a, b, path="$"):
    """None when two JSON documents agree up to float rounding (see the module doc), else where not."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return f"{path}: keys {sorted(set(a) ^ set(b))} in one only"
        return next((d for k in a if (d := json_rounding_difference(a[k], b[k], f"{path}.{k}"))), None)
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{path}: {len(a)} vs {len(b)} items"
        return next((d for i, (x, y) in enumerate(zip(a, b)) if (d := json_rounding_difference(x, y, f"{path}[{i}]"))),
                    None)

    def number(x):
        return isinstance(x, (int, float)) and not isinstance(x, bool)

    if number(a) and number(b) and (isinstance(a, float) or isinstance(b, float)):
        return None if abs(a - b) <= JSON_ABS + JSON_REL * abs(b) else f"{path}: {a} vs {b}"
    if type(a) is not type(b):
        return f"{path}: {type(a).__name__} vs {type(b).__name__}"
    return None if a == b else f"{path}: {a!r} vs {b!r}"


def rounding_difference(new: Path, old: Path):
    """None when the two files agree up to rounding, else what differs (a short text)."""
    if new.suffix == ".safetensors":
        a, b = load_file(str(new)), load_file(str(old))
        if set(a) != set(b):
            return f"tensor names differ: {sorted(set(a) ^ set(b))}"
        return next((d for k in sorted(a) if (d := tensor_rounding_difference(k, a[k], b[k]))), None)
    if new.suffix == ".json":
        return json_rounding_difference(json.loads(new.read_text(encoding="utf-8")),
                                        json.loads(old.read_text(encoding="utf-8")))
    if new.suffix == ".bin":  # a torch pickle: its tensors (the legacy format embeds a random key)
        try:
            a, b = torch.load(new, weights_only=True), torch.load(old, weights_only=True)
        except Exception as e:  # noqa: BLE001 (a file torch refuses to load safely: bytes only)
            return f"contents differ (not loadable with weights_only: {type(e).__name__})"
        if not (isinstance(a, dict) and isinstance(b, dict)) or a.keys() != b.keys():
            return "different entries"
        return next((d for k in a if (d := tensor_rounding_difference(k, a[k], b[k]))), None)
    return "contents differ"


def max_abs_diff(new: Path, old: Path) -> str:
    if new.suffix != ".safetensors":
        return ""
    a, b = load_file(str(new)), load_file(str(old))
    worst = max((float((a[k].double() - b[k].double()).abs().max()) for k in a
                 if k in b and a[k].shape == b[k].shape and a[k].numel()), default=0.0)
    return f", max abs diff {worst:.3e}"


def compare_files(new: Path, old: Path, log, exact: bool = False) -> bool:
    """One file of a fresh generation against the committed one (see compare_dirs)."""
    if not old.is_file():
        log(f"  missing from committed fixtures: {old.name}")
        return False
    if filecmp.cmp(new, old, shallow=False):
        return True
    problem = "not byte-identical (--exact)" if exact else rounding_difference(new, old)
    if problem is None:
        log(f"  within rounding {old.name}{max_abs_diff(new, old)}")
        return True
    log(f"  DIFFERENT {old.name}: {problem}")
    return False


def compare_dirs(new: Path, old: Path, log, exact: bool = False) -> bool:
    """True when the fresh generation (new) matches the committed fixtures (old): byte for byte
    with exact, else up to the rounding of another CPU (see the module doc)."""
    ok = True
    new_files = {p.relative_to(new) for p in new.rglob("*") if p.is_file()}
    old_files = {p.relative_to(old) for p in old.rglob("*") if p.is_file()}
    for rel in sorted(old_files - new_files):
        log(f"  only in committed fixtures: {rel}")
        ok = False
    for rel in sorted(new_files - old_files):
        log(f"  missing from committed fixtures: {rel}")
        ok = False
    identical = 0
    for rel in sorted(new_files & old_files):
        if filecmp.cmp(new / rel, old / rel, shallow=False):
            identical += 1
            continue
        problem = "not byte-identical (--exact)" if exact else rounding_difference(new / rel, old / rel)
        if problem is None:
            log(f"  within rounding {rel}{max_abs_diff(new / rel, old / rel)}")
        else:
            ok = False
            log(f"  DIFFERENT {rel}: {problem}")
    log(f"  {identical} of {len(new_files & old_files)} files byte-identical")
    return ok


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT, help="fixtures directory (default: %(default)s)")
    ap.add_argument("--check", action="store_true",
                    help="regenerate into a temporary directory and compare with --out; exit 1 on difference")
    ap.add_argument("--exact", action="store_true",
                    help="with --check: require byte-identical files (same machine and versions), not equality up"
                         " to floating-point rounding")
    ap.add_argument("--no-xtuner-check", action="store_true",
                    help="do not require the installed xtuner package for the cross-check")
    args = ap.parse_args()
    log = lambda s: print(s, flush=True)  # noqa: E731
    if args.check:
        with tempfile.TemporaryDirectory() as tmp:
            generate(Path(tmp), log, not args.no_xtuner_check)
            # only what this script writes (make_layout_fixtures.py writes layouts/ and pickle/)
            ok = all(compare_dirs(Path(tmp) / sub, args.out / sub, log, args.exact)
                     for sub in ("models", "data", "train"))
            ok = compare_files(Path(tmp) / "README.md", args.out / "README.md", log, args.exact) and ok
        log("check: fixtures are up to date" if ok else "check: fixtures DIFFER from a fresh generation")
        sys.exit(0 if ok else 1)
    # write into a fresh temp dir next to the target, then swap in the generated subfolders
    args.out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="kubetune-fixtures-"))
    try:
        generate(tmp, log, not args.no_xtuner_check)
        for sub in ("models", "data", "train", "README.md"):
            dst = args.out / sub
            if dst.is_dir():
                shutil.rmtree(dst)
            elif dst.exists():
                dst.unlink()
            shutil.move(str(tmp / sub), str(dst))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
