#!/usr/bin/env python3
"""Fixtures that mirror the layouts of published HuggingFace repositories, shrunk.

Writes ``trainer-image/src/test/resources/fixtures/layouts/`` (one folder per repository) and
``fixtures/pickle/`` (pytorch_model.bin edge cases).  Each layout keeps the published repository's
file names, config.json keys and values (sizes shrunk: hidden size, layers, vocabulary, context),
tokenizer kind, tokenizer_config.json keys and chat template text:

  internlm2-chat-1_8b/       config.json with auto_map + dynamic NTK rope scaling, sharded
                             safetensors, a sentencepiece tokenizer.model and NO tokenizer.json;
                             the remote-code .py files are stand-ins that raise if imported
  llama-2-7b-chat-hf/        sharded pytorch_model-*.bin (zip + pickle) with its index,
                             tokenizer.model (sentencepiece, Llama-2 trainer settings), legacy=false
  meta-llama-3-8b-instruct/  four safetensors shards, byte-level BPE tokenizer.json with the 256
                             reserved special tokens
  qwen2.5-0.5b-instruct/     single model.safetensors (tied, padded vocabulary), tokenizer.json +
                             vocab.json + merges.txt, the Qwen2.5 tool-aware chat template

and ``<layout>/reference/``:
  tokenization.json          a held-out text set (not in the training corpus: Chinese, emoji,
                             whitespace runs, special tokens inline, byte fallback) encoded with and
                             without special tokens and decoded, by the reference tokenizer
  backend_tokenizer.json     (sentencepiece layouts) transformers' own conversion of tokenizer.model
  reference.json / .safetensors   fp32 logits and 16-token greedy continuations per prompt

The references:
  * transformers 5 (AutoTokenizer / AutoModelForCausalLM on the written folder) for Llama-2,
    Llama-3 and Qwen2.5; the script reloads every such folder and re-checks the stored numbers.
  * InternLM2: transformers cannot load it (its modeling code is remote code, not shipped here), so
      - tokenizer: ``InternLM2SlowTokenizer`` below restates tokenization_internlm2.py
        (InternLM2Tokenizer, a PreTrainedTokenizer over sentencepiece: added tokens split out of the
        text first, every other chunk encoded by ``SentencePieceProcessor.encode``, bos prepended when
        add_bos_token, ``convert_tokens_to_string`` for decoding).  Its encodings are also checked
        against transformers 5's own sentencepiece conversion of the same folder.
      - model: transformers' LlamaForCausalLM on the unpacked weights with its rotary embedding
        replaced by ``InternLM2DynamicNTKRope`` (modeling_internlm2.py's
        InternLM2DynamicNTKScalingRotaryEmbedding, restated), cross-checked against transformers'
        own "dynamic" rope type.

Run from this directory with the reference venv (README.md):  python make_layout_fixtures.py
``--check`` regenerates into a temporary directory and compares.
"""
from __future__ import annotations

import argparse
import io
import json
import math
import os
import shutil
import sys
import tempfile
from pathlib import Path

import make_fixtures as mf  # noqa: E402  (sets the offline / determinism environment first)

import sentencepiece as spm  # noqa: E402
from sentencepiece import sentencepiece_model_pb2 as sp_pb2  # noqa: E402
import torch  # noqa: E402
from safetensors.torch import load_file  # noqa: E402
from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers  # noqa: E402
from tokenizers import pre_tokenizers, processors, trainers  # noqa: E402
import transformers  # noqa: E402
from transformers import AutoModelForCausalLM, AutoTokenizer, LlamaConfig, LlamaForCausalLM  # noqa: E402
from transformers import Qwen2Config, Qwen2ForCausalLM  # noqa: E402

HERE = Path(__file__).resolve().parent
FIXTURES = (HERE / ".." / "resources" / "fixtures").resolve()
GREEDY_TOKENS = 16

# --------------------------------------------------------------------------------------------------
# Held-out texts: none of these sentences is in mf.CORPUS (the tokenizers' training text).
# --------------------------------------------------------------------------------------------------
HELD_OUT = [
    "Hello world",
    " Hello",
    "  leading spaces, then    a run of four, and a tab\there.",
    "trailing spaces   ",
    "line one\nline two\n\nline four\r\n",
    "\n\n",
    "你好，请问今天的天气怎么样？我想去公园散步。",
    "混合 English 和中文 text 在一起。",
    "日本語のテキストと한국어 텍스트",
    "Emoji: 🚀🎉 👩‍👩‍👧 🏳️‍🌈 ❤️ 🙂🙂🙂",
    "Digits 1234567890 and 3.14159e-10, 1,000,000.",
    "Accents: naïve café, São Paulo, Zürich, Ångström (NFD: Cafe\u0301).",
    "Control\u0000char and \u00a0non-breaking\u2009thin spaces.",
    "def f(x):\n    return {\"a\": [x, x ** 2]}  # comment\n",
    "▁already has the meta symbol ▁ inside",
    "",
    " ",
]
# Special tokens written in the text (per layout family), e.g. a rendered chat turn.
SPECIAL_TEXTS = {
    "internlm2": [
        "<|im_start|>user\nHello!<|im_end|>\n<|im_start|>assistant\n",
        "<s>bos inline</s> and eos, <unk> too",
        "<|im_start|><|im_end|>  <|im_start|> spaced",
        "<|plugin|><|interpreter|><|action_start|>call<|action_end|>",
    ],
    "llama2": [
        "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi there [/INST] Hello! </s>",
        "text</s><s>more text",
        "<unk> unknown marker",
    ],
    "llama3": [
        "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|>",
        "<|reserved_special_token_7|> and <|end_of_text|>",
    ],
    "qwen2": [
        "<|im_start|>system\nYou are Qwen.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n",
        "<tool_call>\n{\"name\": \"f\"}\n</tool_call><|endoftext|>",
        "<|fim_prefix|>def<|fim_suffix|>pass<|fim_middle|>",
    ],
}

PROMPT_PLAIN = "The quick brown fox jumps over the lazy dog."
PROMPT_NON_ASCII = "Grüße aus Zürich: 你好，世界！Café 🙂"
CHAT = [{"role": "system", "content": "Be concise."}, {"role": "user", "content": "Capital of France?"}]
# Long enough to pass the shrunk max_position_embeddings (64) of the InternLM2 layout (dynamic NTK);
# its ids are cut to LONG_TOKENS, and only the logits of its last TAIL positions are stored.
PROMPT_LONG = " ".join(mf.CORPUS[1:5])
LONG_TOKENS = 80
TAIL = 8

# --------------------------------------------------------------------------------------------------
# Chat templates as published (tokenizer_config.json "chat_template")
# --------------------------------------------------------------------------------------------------
# meta-llama/Llama-2-7b-chat-hf
LLAMA2_CHAT_TEMPLATE = (
    "{% if messages[0]['role'] == 'system' %}{% set loop_messages = messages[1:] %}"
    "{% set system_message = messages[0]['content'] %}{% else %}{% set loop_messages = messages %}"
    "{% set system_message = false %}{% endif %}{% for message in loop_messages %}"
    "{% if (message['role'] == 'user') != (loop.index0 % 2 == 0) %}"
    "{{ raise_exception('Conversation roles must alternate user/assistant/user/assistant/...') }}{% endif %}"
    "{% if loop.index0 == 0 and system_message != false %}"
    "{% set content = '<<SYS>>\\n' + system_message + '\\n<</SYS>>\\n\\n' + message['content'] %}"
    "{% else %}{% set content = message['content'] %}{% endif %}"
    "{% if message['role'] == 'user' %}{{ bos_token + '[INST] ' + content.strip() + ' [/INST]' }}"
    "{% elif message['role'] == 'assistant' %}{{ ' '  + content.strip() + ' ' + eos_token }}{% endif %}"
    "{% endfor %}"
)
# Qwen/Qwen2.5-0.5B-Instruct
QWEN25_CHAT_TEMPLATE = (
    "{%- if tools %}\n    {{- '<|im_start|>system\\n' }}\n    {%- if messages[0]['role'] == 'system' %}\n"
    "        {{- messages[0]['content'] }}\n    {%- else %}\n"
    "        {{- 'You are Qwen, created by Alibaba Cloud. You are a helpful assistant.' }}\n    {%- endif %}\n"
    "    {{- \"\\n\\n# Tools\\n\\nYou may call one or more functions to assist with the user query.\\n\\n"
    "You are provided with function signatures within <tools></tools> XML tags:\\n<tools>\" }}\n"
    "    {%- for tool in tools %}\n        {{- \"\\n\" }}\n        {{- tool | tojson }}\n    {%- endfor %}\n"
    "    {{- \"\\n</tools>\\n\\nFor each function call, return a json object with function name and arguments "
    "within <tool_call></tool_call> XML tags:\\n<tool_call>\\n{\\\"name\\\": <function-name>, \\\"arguments\\\": "
    "<args-json-object>}\\n</tool_call><|im_end|>\\n\" }}\n{%- else %}\n"
    "    {%- if messages[0]['role'] == 'system' %}\n"
    "        {{- '<|im_start|>system\\n' + messages[0]['content'] + '<|im_end|>\\n' }}\n    {%- else %}\n"
    "        {{- '<|im_start|>system\\nYou are Qwen, created by Alibaba Cloud. You are a helpful assistant."
    "<|im_end|>\\n' }}\n    {%- endif %}\n{%- endif %}\n{%- for message in messages %}\n"
    "    {%- if (message.role == \"user\") or (message.role == \"system\" and not loop.first) or "
    "(message.role == \"assistant\" and not message.tool_calls) %}\n"
    "        {{- '<|im_start|>' + message.role + '\\n' + message.content + '<|im_end|>' + '\\n' }}\n"
    "    {%- elif message.role == \"assistant\" %}\n        {{- '<|im_start|>' + message.role }}\n"
    "        {%- if message.content %}\n            {{- '\\n' + message.content }}\n        {%- endif %}\n"
    "        {%- for tool_call in message.tool_calls %}\n            {%- if tool_call.function is defined %}\n"
    "                {%- set tool_call = tool_call.function %}\n            {%- endif %}\n"
    "            {{- '\\n<tool_call>\\n{\"name\": \"' }}\n            {{- tool_call.name }}\n"
    "            {{- '\", \"arguments\": ' }}\n            {{- tool_call.arguments | tojson }}\n"
    "            {{- '}\\n</tool_call>' }}\n        {%- endfor %}\n        {{- '<|im_end|>\\n' }}\n"
    "    {%- elif message.role == \"tool\" %}\n"
    "        {%- if (loop.index0 == 0) or (messages[loop.index0 - 1].role != \"tool\") %}\n"
    "            {{- '<|im_start|>user' }}\n        {%- endif %}\n        {{- '\\n<tool_response>\\n' }}\n"
    "        {{- message.content }}\n        {{- '\\n</tool_response>' }}\n"
    "        {%- if loop.last or (messages[loop.index0 + 1].role != \"tool\") %}\n"
    "            {{- '<|im_end|>\\n' }}\n        {%- endif %}\n    {%- endif %}\n{%- endfor %}\n"
    "{%- if add_generation_prompt %}\n    {{- '<|im_start|>assistant\\n' }}\n{%- endif %}\n"
)

# --------------------------------------------------------------------------------------------------
# SentencePiece models (trained here on mf.CORPUS with the published trainer settings)
# --------------------------------------------------------------------------------------------------
# InternLM2's chat tokens are the last six pieces of its tokenizer.model, stored under placeholder
# names ("[UNUSED_TOKEN_141]".."[UNUSED_TOKEN_146]"); tokenizer_config.json's added_tokens_decoder
# gives them their chat names (llama.cpp's InternLM2 converter replaces them the same way).
INTERNLM2_CHAT_TOKENS = ["<|plugin|>", "<|interpreter|>", "<|action_end|>", "<|action_start|>",
                         "<|im_end|>", "<|im_start|>"]


def train_sentencepiece(lines, vocab_size, **flags) -> bytes:
    buf = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(lines), model_writer=buf, model_type="bpe", vocab_size=vocab_size,
        byte_fallback=True, split_digits=True, allow_whitespace_only_pieces=True, remove_extra_whitespaces=False,
        normalization_rule_name="identity", unk_id=0, bos_id=1, eos_id=2, pad_id=-1, character_coverage=0.9995,
        num_threads=1, hard_vocab_limit=False, minloglevel=2, **flags)
    return buf.getvalue()


def append_user_defined(model: bytes, pieces) -> bytes:
    m = sp_pb2.ModelProto()
    m.ParseFromString(model)
    for p in pieces:
        piece = m.pieces.add()
        piece.piece, piece.score, piece.type = p, 0.0, sp_pb2.ModelProto.SentencePiece.USER_DEFINED
    m.trainer_spec.vocab_size = len(m.pieces)
    return m.SerializeToString()


def llama2_sentencepiece() -> bytes:
    # Llama-2's tokenizer.model: BPE, byte fallback, split digits, identity normalizer, dummy prefix,
    # whitespace-only pieces; trained on single lines, so "\n" is a byte-fallback token as in Llama-2
    lines = [ln for t in mf.CORPUS for ln in t.split("\n") if ln]
    return train_sentencepiece(lines, 640, add_dummy_prefix=True)


def internlm2_sentencepiece() -> bytes:
    # InternLM2's vocabulary has newline and indentation pieces (trained on whole documents); the
    # dummy prefix follows the sentencepiece default (the script and the Java converter read the flag)
    model = train_sentencepiece(mf.CORPUS, 760, add_dummy_prefix=True)
    return append_user_defined(model, [f"[UNUSED_TOKEN_{141 + i}]" for i in range(6)])


class InternLM2SlowTokenizer:
    """tokenization_internlm2.py's InternLM2Tokenizer (with transformers 4's PreTrainedTokenizer around
    it), restated for the reference: tokenize() splits the text on the added tokens (longest match,
    left to right; their lstrip/rstrip are false), encodes every other non-empty chunk with
    sp_model.encode (so each chunk gets sentencepiece's own dummy prefix), maps added tokens through
    added_tokens_decoder, and build_inputs_with_special_tokens prepends bos_id when add_bos_token.
    Decoding: convert_ids_to_tokens (added tokens by their content), special tokens dropped when
    skip_special_tokens, then convert_tokens_to_string: sentencepiece decodes the runs between special
    tokens, a space is inserted before a special token that follows other text (or starts the
    sequence), a space is prepended and the first character dropped."""

    def __init__(self, model: bytes, config: dict):
        self.sp = spm.SentencePieceProcessor(model_proto=model)
        self.added = {int(i): t["content"] for i, t in config["added_tokens_decoder"].items()}
        self.added_ids = {c: i for i, c in self.added.items()}
        self.add_bos = config["add_bos_token"]
        self.special = {config[k] for k in ("bos_token", "eos_token", "unk_token", "pad_token")}
        self.special |= set(config["additional_special_tokens"])
        self.special_ids = {self.added_ids[t] for t in self.special}
        import re
        self.split_re = re.compile("(" + "|".join(re.escape(t) for t in sorted(self.added_ids, key=len,
                                                                               reverse=True)) + ")")

    def encode(self, text: str, add_special_tokens: bool) -> list:
        ids = [self.sp.bos_id()] if add_special_tokens and self.add_bos else []
        for chunk in self.split_re.split(text):
            if not chunk:
                continue
            if chunk in self.added_ids:
                ids.append(self.added_ids[chunk])
            else:
                ids.extend(self.sp.piece_to_id(p) for p in self.sp.encode(chunk, out_type=str))
        return ids

    def decode(self, ids, skip_special_tokens: bool) -> str:
        tokens = [self.added.get(i, self.sp.id_to_piece(i)) for i in ids
                  if not (skip_special_tokens and i in self.special_ids)]
        out, sub, prev_special = "", [], False
        for token in tokens:
            if token in self.special:
                if not prev_special:
                    out += " "
                out += self.sp.decode(sub) + token
                prev_special, sub = True, []
            else:
                sub.append(token)
                prev_special = False
        out += self.sp.decode(sub)
        return (" " + out)[1:]  # _maybe_add_prefix_space always adds (tokens are never ids), then [1:]


# --------------------------------------------------------------------------------------------------
# Byte-level BPE tokenizers (tokenizer.json layouts)
# --------------------------------------------------------------------------------------------------
def llama3_special_tokens():
    names = ["<|begin_of_text|>", "<|end_of_text|>"] + [f"<|reserved_special_token_{i}|>" for i in range(4)]
    names += ["<|start_header_id|>", "<|end_header_id|>", "<|reserved_special_token_4|>", "<|eot_id|>"]
    names += [f"<|reserved_special_token_{i}|>" for i in range(5, 251)]
    assert len(names) == 256
    return names


# Qwen2.5's added tokens, in id order, with their "special" flag as published
QWEN25_ADDED = [("<|endoftext|>", True), ("<|im_start|>", True), ("<|im_end|>", True),
                ("<|object_ref_start|>", True), ("<|object_ref_end|>", True), ("<|box_start|>", True),
                ("<|box_end|>", True), ("<|quad_start|>", True), ("<|quad_end|>", True),
                ("<|vision_start|>", True), ("<|vision_end|>", True), ("<|vision_pad|>", True),
                ("<|image_pad|>", True), ("<|video_pad|>", True), ("<tool_call>", False), ("</tool_call>", False),
                ("<|fim_prefix|>", False), ("<|fim_middle|>", False), ("<|fim_suffix|>", False),
                ("<|fim_pad|>", False), ("<|repo_name|>", False), ("<|file_sep|>", False)]


def byte_level_bpe(pattern: str, vocab: int, nfc: bool, added, bos=None) -> Tokenizer:
    tok = Tokenizer(models.BPE(ignore_merges=bos is not None))
    if nfc:
        tok.normalizer = normalizers.NFC()
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(pattern), behavior="isolated", invert=False),
        pre_tokenizers.ByteLevel(add_prefix_space=False, trim_offsets=bos is not None, use_regex=False)])
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(mf.CORPUS, trainer=trainers.BpeTrainer(
        vocab_size=vocab, min_frequency=1, show_progress=False,
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet()))
    tok.add_tokens([AddedToken(t, special=s, normalized=False) for t, s in added])
    byte_pp = processors.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    if bos:
        tok.post_processor = processors.Sequence([byte_pp, processors.TemplateProcessing(
            single=f"{bos} $A", pair=f"{bos} $A {bos}:1 $B:1", special_tokens=[(bos, tok.token_to_id(bos))])])
    else:
        tok.post_processor = byte_pp
    return tok


def added_tokens_decoder(entries) -> dict:
    """{id: AddedToken dict} as tokenizer_config.json spells it."""
    return {str(i): dict(content=c, lstrip=False, normalized=False, rstrip=False, single_word=False, special=s)
            for i, c, s in entries}


# --------------------------------------------------------------------------------------------------
# Layouts
# --------------------------------------------------------------------------------------------------
def weights_state_dict(cfg: LlamaConfig | Qwen2Config, seed: int, real_vocab: int, dtype):
    cls = Qwen2ForCausalLM if isinstance(cfg, Qwen2Config) else LlamaForCausalLM
    torch.manual_seed(seed)
    model = cls(cfg)
    model.config._attn_implementation = "eager"
    mf.init_weights(model, seed, real_vocab)
    with torch.no_grad():  # the fp32 reference computes with exactly the rounded weights on disk
        for p in model.parameters():
            p.copy_(p.to(dtype).to(torch.float32))
    return model.eval()


def shard_names(names, n):
    size = math.ceil(len(names) / n)
    return [names[i * size:(i + 1) * size] for i in range(n)]


def save_safetensors_shards(d: Path, sd: dict, n: int):
    names = list(sd)
    if n == 1:
        mf.write_safetensors(d / "model.safetensors", sd)
        return
    weight_map, total = {}, 0
    for i, shard in enumerate(shard_names(names, n)):
        fname = f"model-{i + 1:05d}-of-{n:05d}.safetensors"
        mf.write_safetensors(d / fname, {k: sd[k] for k in shard})
        for k in shard:
            weight_map[k] = fname
            total += sd[k].numel() * sd[k].element_size()
    mf.write_json(d / "model.safetensors.index.json",
                  {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))})


def save_bin_shards(d: Path, sd: dict, n: int):
    """pytorch_model-0000i-of-0000n.bin as transformers' save_pretrained(safe_serialization=False) writes
    them: torch.save of a dict of tensors per shard (zip container, data.pkl + one record per storage)."""
    weight_map, total = {}, 0
    for i, shard in enumerate(shard_names(list(sd), n)):
        fname = f"pytorch_model-{i + 1:05d}-of-{n:05d}.bin"
        torch.save({k: sd[k].clone() for k in shard}, d / fname)
        for k in shard:
            weight_map[k] = fname
            total += sd[k].numel() * sd[k].element_size()
    mf.write_json(d / "pytorch_model.bin.index.json",
                  {"metadata": {"total_size": total}, "weight_map": dict(sorted(weight_map.items()))})


REMOTE_CODE_STANDIN = '''# kubetune test fixture: a stand-in for the published {name}.
# The real file is remote code that transformers runs only with trust_remote_code=True; kubetune reads
# config.json and tokenizer_config.json as data and must never import this file.
raise RuntimeError("{name} was executed: remote code must never run")
'''


def internlm2_layout(d: Path, log):
    model = internlm2_sentencepiece()
    (d / "tokenizer.model").write_bytes(model)
    sp = spm.SentencePieceProcessor(model_proto=model)
    V = sp.get_piece_size()
    chat_ids = {t: V - 6 + i for i, t in enumerate(INTERNLM2_CHAT_TOKENS)}
    tok_cfg = {
        "add_bos_token": True,
        "add_eos_token": False,
        "added_tokens_decoder": added_tokens_decoder(
            [(0, "<unk>", True), (1, "<s>", True), (2, "</s>", True)]
            + [(i, t, True) for t, i in chat_ids.items()]),
        "additional_special_tokens": ["<|im_start|>", "<|im_end|>", "<|action_start|>", "<|action_end|>",
                                      "<|interpreter|>", "<|plugin|>"],
        "auto_map": {"AutoTokenizer": ["tokenization_internlm2.InternLM2Tokenizer",
                                       "tokenization_internlm2_fast.InternLM2TokenizerFast"]},
        "bos_token": "<s>",
        "chat_template": mf.INTERNLM2_CHAT_TEMPLATE,
        "clean_up_tokenization_spaces": False,
        "decode_with_prefix_space": False,
        "eos_token": "</s>",
        "model_max_length": 1000000000000000019884624838656,
        "pad_token": "</s>",
        "sp_model_kwargs": None,
        "tokenizer_class": "InternLM2Tokenizer",
        "unk_token": "<unk>",
    }
    mf.write_json(d / "tokenizer_config.json", tok_cfg)
    mf.write_json(d / "special_tokens_map.json", {
        "additional_special_tokens": tok_cfg["additional_special_tokens"], "bos_token": "<s>",
        "eos_token": "</s>", "pad_token": "</s>", "unk_token": "<unk>"})
    for name in ("configuration_internlm2", "modeling_internlm2", "tokenization_internlm2",
                 "tokenization_internlm2_fast"):
        (d / f"{name}.py").write_text(REMOTE_CODE_STANDIN.format(name=name + ".py"), encoding="utf-8")
    # config.json: internlm/internlm2-chat-1_8b's keys; sizes shrunk (hidden 2048 -> 64, 24 -> 2 layers,
    # 16/8 -> 4/2 heads, intermediate 8192 -> 128, max_position_embeddings 32768 -> 64, vocab 92544 -> V)
    cfg = {
        "architectures": ["InternLM2ForCausalLM"],
        "attn_implementation": "eager",
        "auto_map": {"AutoConfig": "configuration_internlm2.InternLM2Config",
                     "AutoModelForCausalLM": "modeling_internlm2.InternLM2ForCausalLM",
                     "AutoModel": "modeling_internlm2.InternLM2ForCausalLM"},
        "bias": False,
        "bos_token_id": 1,
        "eos_token_id": 2,
        "hidden_act": "silu",
        "hidden_size": 64,
        "initializer_range": mf.INIT_STD,
        "intermediate_size": 128,
        "max_position_embeddings": 64,
        "model_type": "internlm2",
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "num_key_value_heads": 2,
        "pad_token_id": 2,
        "pretraining_tp": 1,
        "rms_norm_eps": 1e-05,
        "rope_scaling": {"factor": 2.0, "type": "dynamic"},
        "rope_theta": 1000000,
        "tie_word_embeddings": False,
        "torch_dtype": "bfloat16",
        "transformers_version": "4.41.0",
        "use_cache": True,
        "vocab_size": V,
    }
    mf.write_json(d / "config.json", cfg)
    mf.write_json(d / "generation_config.json", {"bos_token_id": 1, "eos_token_id": [2, chat_ids["<|im_end|>"]],
                                                 "pad_token_id": 2, "transformers_version": "4.41.0"})
    ref_tok = InternLM2SlowTokenizer(model, tok_cfg)
    llama_cfg = LlamaConfig(
        vocab_size=V, hidden_size=64, intermediate_size=128, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=2, head_dim=16, max_position_embeddings=64, rms_norm_eps=1e-5, attention_bias=False,
        mlp_bias=False, tie_word_embeddings=False, bos_token_id=1, eos_token_id=2, pad_token_id=None,
        rope_parameters={"rope_type": "default", "rope_theta": 1000000.0})
    model_ = weights_state_dict(llama_cfg, 4100, V, torch.bfloat16)
    rope = lambda: InternLM2DynamicNTKRope(16, 64, 1000000.0, 2.0)  # noqa: E731
    sd = mf.llama_to_internlm2({k: v for k, v in model_.state_dict().items()}, cfg)
    save_safetensors_shards(d, {k: v.to(torch.bfloat16) for k, v in sd.items()}, 2)
    return ref_tok, model_, rope


class InternLM2DynamicNTKRope(torch.nn.Module):
    """modeling_internlm2.py's InternLM2DynamicNTKScalingRotaryEmbedding, restated: inv_freq =
    1 / base^(arange(0, dim, 2) / dim) in float32; a cos/sin cache over positions [0, seq_len) that is
    rebuilt whenever a forward needs a longer one, and when seq_len > max_position_embeddings with
      base = rope_theta * (factor * seq_len / max_position_embeddings - (factor - 1)) ** (dim / (dim - 2)).
    InternLM2Attention passes seq_len = kv_seq_len (cached + new tokens), which for one sequence is the
    largest position + 1; that is what forward() computes here from position_ids.  One instance per
    prompt (a fresh process), since the real cache keeps the largest base it has seen."""

    def __init__(self, dim, max_position_embeddings, base, factor):
        super().__init__()
        self.dim, self.max_position_embeddings, self.base, self.factor = dim, max_position_embeddings, base, factor
        self.inv_freq = 1.0 / (base ** (torch.arange(0, dim, 2).float() / dim))
        self._set_cos_sin_cache(max_position_embeddings)

    def _set_cos_sin_cache(self, seq_len):
        self.max_seq_len_cached = seq_len
        if seq_len > self.max_position_embeddings:
            base = self.base * ((self.factor * seq_len / self.max_position_embeddings) - (self.factor - 1)) ** (
                self.dim / (self.dim - 2))
            self.inv_freq = 1.0 / (base ** (torch.arange(0, self.dim, 2).float() / self.dim))
        t = torch.arange(self.max_seq_len_cached, dtype=self.inv_freq.dtype)
        freqs = torch.einsum("i,j->ij", t, self.inv_freq)
        emb = torch.cat((freqs, freqs), dim=-1)
        self.cos_cached, self.sin_cached = emb.cos(), emb.sin()

    def forward(self, x, position_ids):
        seq_len = int(position_ids.max()) + 1
        if seq_len > self.max_seq_len_cached:
            self._set_cos_sin_cache(seq_len)
        return self.cos_cached[position_ids].to(x.dtype), self.sin_cached[position_ids].to(x.dtype)


def llama2_layout(d: Path, log):
    model = llama2_sentencepiece()
    (d / "tokenizer.model").write_bytes(model)
    V = spm.SentencePieceProcessor(model_proto=model).get_piece_size()
    tok = lambda c: {"__type": "AddedToken", "content": c, "lstrip": False, "normalized": False,  # noqa: E731
                     "rstrip": False, "single_word": False}
    mf.write_json(d / "tokenizer_config.json", {
        "add_bos_token": True, "add_eos_token": False, "bos_token": tok("<s>"),
        "chat_template": LLAMA2_CHAT_TEMPLATE, "clean_up_tokenization_spaces": False, "eos_token": tok("</s>"),
        "legacy": False, "model_max_length": 1000000000000000019884624838656, "pad_token": None,
        "padding_side": "right", "sp_model_kwargs": {}, "tokenizer_class": "LlamaTokenizer",
        "unk_token": tok("<unk>")})
    mf.write_json(d / "special_tokens_map.json", {
        "bos_token": tok("<s>") | {}, "eos_token": tok("</s>"), "unk_token": tok("<unk>")})
    # meta-llama/Llama-2-7b-chat-hf config.json; hidden 4096 -> 64, 32 -> 2 layers, 32 -> 4 heads
    # (multi-head: kv heads = heads), intermediate 11008 -> 172, max_position_embeddings 4096 -> 64
    cfg = {
        "_name_or_path": "meta-llama/Llama-2-7b-chat-hf",
        "architectures": ["LlamaForCausalLM"],
        "bos_token_id": 1,
        "eos_token_id": 2,
        "hidden_act": "silu",
        "hidden_size": 64,
        "initializer_range": mf.INIT_STD,
        "intermediate_size": 172,
        "max_position_embeddings": 64,
        "model_type": "llama",
        "num_attention_heads": 4,
        "num_hidden_layers": 2,
        "num_key_value_heads": 4,
        "pretraining_tp": 1,
        "rms_norm_eps": 1e-05,
        "rope_scaling": None,
        "tie_word_embeddings": False,
        "torch_dtype": "float16",
        "transformers_version": "4.32.0.dev0",
        "use_cache": True,
        "vocab_size": V,
    }
    mf.write_json(d / "config.json", cfg)
    mf.write_json(d / "generation_config.json", {
        "bos_token_id": 1, "do_sample": True, "eos_token_id": 2, "max_length": 4096, "pad_token_id": 0,
        "temperature": 0.6, "top_p": 0.9, "transformers_version": "4.32.0.dev0"})
    llama_cfg = LlamaConfig(
        vocab_size=V, hidden_size=64, intermediate_size=172, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=4, max_position_embeddings=64, rms_norm_eps=1e-5, tie_word_embeddings=False,
        bos_token_id=1, eos_token_id=2, rope_parameters={"rope_type": "default", "rope_theta": 10000.0})
    model_ = weights_state_dict(llama_cfg, 5100, V, torch.float16)
    save_bin_shards(d, {k: v.to(torch.float16) for k, v in model_.state_dict().items()}, 2)
    return model_


def llama3_layout(d: Path, log):
    specials = llama3_special_tokens()
    tok = byte_level_bpe(mf.LLAMA3_PATTERN, 900, False, [(t, True) for t in specials], bos="<|begin_of_text|>")
    mf.save_tokenizer_json(tok, d / "tokenizer.json")
    base = tok.token_to_id(specials[0])
    mf.write_json(d / "tokenizer_config.json", {
        "added_tokens_decoder": added_tokens_decoder([(base + i, t, True) for i, t in enumerate(specials)]),
        "bos_token": "<|begin_of_text|>", "chat_template": mf.LLAMA3_CHAT_TEMPLATE,
        "clean_up_tokenization_spaces": True, "eos_token": "<|eot_id|>",
        "model_input_names": ["input_ids", "attention_mask"], "model_max_length": 1000000000000000019884624838656,
        "tokenizer_class": "PreTrainedTokenizerFast"})
    mf.write_json(d / "special_tokens_map.json", {"bos_token": {"content": "<|begin_of_text|>", "lstrip": False,
                  "normalized": False, "rstrip": False, "single_word": False}, "eos_token": {
                  "content": "<|eot_id|>", "lstrip": False, "normalized": False, "rstrip": False,
                  "single_word": False}})
    V = tok.get_vocab_size(with_added_tokens=True)
    eot, eos = tok.token_to_id("<|eot_id|>"), tok.token_to_id("<|end_of_text|>")
    # meta-llama/Meta-Llama-3-8B-Instruct; hidden 4096 -> 64, 32 -> 2 layers, 32/8 -> 4/1 heads,
    # intermediate 14336 -> 224, max_position_embeddings 8192 -> 256, vocab 128256 -> V
    cfg = {
        "architectures": ["LlamaForCausalLM"], "attention_bias": False, "attention_dropout": 0.0,
        "bos_token_id": base, "eos_token_id": eot, "hidden_act": "silu", "hidden_size": 64,
        "initializer_range": mf.INIT_STD, "intermediate_size": 224, "max_position_embeddings": 256,
        "model_type": "llama", "num_attention_heads": 4, "num_hidden_layers": 2, "num_key_value_heads": 1,
        "pretraining_tp": 1, "rms_norm_eps": 1e-05, "rope_scaling": None, "rope_theta": 500000.0,
        "tie_word_embeddings": False, "torch_dtype": "bfloat16", "transformers_version": "4.40.0.dev0",
        "use_cache": True, "vocab_size": V}
    mf.write_json(d / "config.json", cfg)
    mf.write_json(d / "generation_config.json", {
        "bos_token_id": base, "do_sample": True, "eos_token_id": [eos, eot], "max_length": 4096,
        "temperature": 0.6, "top_p": 0.9, "transformers_version": "4.40.0.dev0"})
    llama_cfg = LlamaConfig(
        vocab_size=V, hidden_size=64, intermediate_size=224, num_hidden_layers=2, num_attention_heads=4,
        num_key_value_heads=1, max_position_embeddings=256, rms_norm_eps=1e-5, tie_word_embeddings=False,
        bos_token_id=base, eos_token_id=eot, rope_parameters={"rope_type": "default", "rope_theta": 500000.0})
    model_ = weights_state_dict(llama_cfg, 6100, V, torch.bfloat16)
    save_safetensors_shards(d, {k: v.to(torch.bfloat16) for k, v in model_.state_dict().items()}, 4)
    return model_


def qwen25_layout(d: Path, log):
    tok = byte_level_bpe(mf.QWEN2_PATTERN, 900, True, QWEN25_ADDED)
    mf.save_tokenizer_json(tok, d / "tokenizer.json")
    vocab = {k: v for k, v in tok.get_vocab(with_added_tokens=False).items()}
    (d / "vocab.json").write_text(json.dumps(dict(sorted(vocab.items(), key=lambda kv: kv[1])),
                                             ensure_ascii=False), encoding="utf-8")
    merges = json.loads(tok.to_str())["model"]["merges"]
    (d / "merges.txt").write_text("#version: 0.2\n" + "".join(
        (" ".join(m) if isinstance(m, list) else m) + "\n" for m in merges), encoding="utf-8")
    first = tok.token_to_id("<|endoftext|>")
    mf.write_json(d / "tokenizer_config.json", {
        "add_bos_token": False, "add_prefix_space": False,
        "added_tokens_decoder": added_tokens_decoder([(first + i, t, s) for i, (t, s) in enumerate(QWEN25_ADDED)]),
        "additional_special_tokens": [t for t, _ in QWEN25_ADDED[1:14]],
        "bos_token": None, "chat_template": QWEN25_CHAT_TEMPLATE, "clean_up_tokenization_spaces": False,
        "eos_token": "<|im_end|>", "errors": "replace", "model_max_length": 131072, "pad_token": "<|endoftext|>",
        "split_special_tokens": False, "tokenizer_class": "Qwen2Tokenizer", "unk_token": None})
    real = tok.get_vocab_size(with_added_tokens=True)
    V = (real + 63) // 64 * 64  # the published vocab_size (151936) is padded past the tokenizer (151665)
    im_end = tok.token_to_id("<|im_end|>")
    # Qwen/Qwen2.5-0.5B-Instruct; hidden 896 -> 112, 24 -> 2 layers, 14/2 -> 7/1 heads (head_dim 64 -> 16),
    # intermediate 4864 -> 160, max_position_embeddings / sliding_window 32768 -> 256
    cfg = {
        "architectures": ["Qwen2ForCausalLM"], "attention_dropout": 0.0, "bos_token_id": first,
        "eos_token_id": im_end, "hidden_act": "silu", "hidden_size": 112, "initializer_range": mf.INIT_STD,
        "intermediate_size": 160, "max_position_embeddings": 256, "max_window_layers": 2, "model_type": "qwen2",
        "num_attention_heads": 7, "num_hidden_layers": 2, "num_key_value_heads": 1, "rms_norm_eps": 1e-06,
        "rope_theta": 1000000.0, "sliding_window": 256, "tie_word_embeddings": True, "torch_dtype": "bfloat16",
        "transformers_version": "4.43.1", "use_cache": True, "use_sliding_window": False, "vocab_size": V}
    mf.write_json(d / "config.json", cfg)
    mf.write_json(d / "generation_config.json", {
        "bos_token_id": first, "do_sample": True, "eos_token_id": [im_end, first], "pad_token_id": first,
        "repetition_penalty": 1.1, "temperature": 0.7, "top_k": 20, "top_p": 0.8,
        "transformers_version": "4.37.0"})
    qcfg = Qwen2Config(
        vocab_size=V, hidden_size=112, intermediate_size=160, num_hidden_layers=2, num_attention_heads=7,
        num_key_value_heads=1, max_position_embeddings=256, rms_norm_eps=1e-6, tie_word_embeddings=True,
        use_sliding_window=False, sliding_window=256, max_window_layers=2, bos_token_id=first, eos_token_id=im_end,
        rope_parameters={"rope_type": "default", "rope_theta": 1000000.0})
    model_ = weights_state_dict(qcfg, 7100, real, torch.bfloat16)
    sd = {k: v.to(torch.bfloat16) for k, v in model_.state_dict().items() if k != "lm_head.weight"}
    save_safetensors_shards(d, sd, 1)
    return model_


# --------------------------------------------------------------------------------------------------
# References
# --------------------------------------------------------------------------------------------------
def tokenization_reference(name, encode, decode, family, doc) -> dict:
    cases = []
    for text in HELD_OUT + SPECIAL_TEXTS[family]:
        with_special = encode(text, True)
        without = encode(text, False)
        cases.append(dict(text=text, ids=with_special, ids_no_special=without,
                          decoded=decode(with_special, False), decoded_skip_special=decode(with_special, True)))
    return {"layout": name, "reference": doc, "versions": mf.versions() | {"sentencepiece": spm.__version__},
            "cases": cases}


CONVERSATION = [{"role": "system", "content": "Be concise."}, {"role": "user", "content": "Hi, who are you?"},
                {"role": "assistant", "content": "  An assistant. "}, {"role": "user", "content": "你好 🙂"}]


def chat_reference(hf_tok) -> list:
    """The published chat template rendered by transformers, for kubetune's Jinja renderer."""
    out = []
    for messages, gen in ((CHAT, True), (CONVERSATION, True), (CONVERSATION[1:3], False)):
        out.append(dict(messages=messages, add_generation_prompt=gen,
                        rendered=hf_tok.apply_chat_template(messages, tokenize=False, add_generation_prompt=gen)))
    return out


def compare_encodings(a_enc, b_enc, family) -> list:
    return [t for t in HELD_OUT + SPECIAL_TEXTS[family] for s in (True, False) if a_enc(t, s) != b_enc(t, s)]


def logits_reference(name, model, prompts, rope_factory=None) -> tuple[dict, dict]:
    """fp32 logits of every prompt and a cached greedy continuation (fresh rope module per prompt)."""
    tensors, entries = {}, []
    for i, (kind, ids) in enumerate(prompts):
        if rope_factory is not None:
            model.model.rotary_emb = rope_factory()
        x = torch.tensor([ids])
        with torch.no_grad():
            logits = model(x, use_cache=False).logits[0]
        if kind == "long":
            tensors[f"logits_tail.{i}"] = mf.f32(logits[-TAIL:])
        else:
            tensors[f"logits.{i}"] = mf.f32(logits)
        if rope_factory is not None:
            model.model.rotary_emb = rope_factory()
        with torch.no_grad():
            out = model.generate(x, attention_mask=torch.ones_like(x), do_sample=False, max_new_tokens=GREEDY_TOKENS,
                                 min_new_tokens=GREEDY_TOKENS, eos_token_id=None, pad_token_id=0, use_cache=True,
                                 output_logits=True, return_dict_in_generate=True)
        new = out.sequences[0, len(ids):].tolist()
        margins = mf.margins_of(torch.stack([s[0] for s in out.logits]))
        entries.append(dict(index=i, kind=kind, input_ids=ids, num_tokens=len(ids), greedy_ids=new,
                            greedy_min_margin=min(margins)))
    return tensors, {"layout": name, "prompts": entries, "versions": mf.versions()}


def prompts_for(encode, render_chat, long=False):
    p = [("plain", encode(PROMPT_PLAIN, True)), ("non_ascii", encode(PROMPT_NON_ASCII, True)),
         ("chat", encode(render_chat(CHAT), False))]
    if long:
        p.append(("long", encode(PROMPT_LONG, True)[:LONG_TOKENS]))
    return p


def write_reference(d: Path, tokenization: dict, tensors: dict, ref: dict):
    r = d / "reference"
    mf.write_json(r / "tokenization.json", tokenization)
    mf.write_safetensors(r / "reference.safetensors", tensors)
    mf.write_json(r / "reference.json", ref | {"tensors": {k: list(v.shape) for k, v in tensors.items()}})


def check_reload(d: Path, model, tensors, ref, log):
    """transformers loads the written folder (weights, config, tokenizer) and reproduces the numbers."""
    loaded = AutoModelForCausalLM.from_pretrained(str(d), dtype=torch.float32, attn_implementation="eager").eval()
    worst = 0.0
    for e in ref["prompts"]:
        with torch.no_grad():
            got = loaded(torch.tensor([e["input_ids"]]), use_cache=False).logits[0]
        worst = max(worst, float((got - tensors[f"logits.{e['index']}"]).abs().max()))
    for rope_type in ("linear", "dynamic"):  # rope_scaling read from a patched config.json by transformers
        if f"rope_{rope_type}" not in ref:
            continue
        patched = Path(tempfile.mkdtemp())
        for f in d.iterdir():
            if f.is_file():
                shutil.copy(f, patched / f.name)
        cfg = json.loads((d / "config.json").read_text())
        cfg["rope_scaling"] = ref[f"rope_{rope_type}"]["rope_scaling"]
        (patched / "config.json").write_text(json.dumps(cfg))
        scaled = AutoModelForCausalLM.from_pretrained(str(patched), dtype=torch.float32,
                                                      attn_implementation="eager").eval()
        shutil.rmtree(patched)
        with torch.no_grad():
            got = scaled(torch.tensor([ref[f"rope_{rope_type}"]["input_ids"]]), use_cache=False).logits[0]
        worst = max(worst, float((got[-TAIL:] - tensors[f"logits_rope_{rope_type}_tail"]).abs().max()))
    assert worst < 1e-5, (d.name, worst)
    log(f"  {d.name}: reloaded by transformers, logits max |diff| {worst:.1e}")


def build_layouts(out: Path, log):
    layouts = out / "layouts"
    # ---- InternLM2 (sentencepiece, remote code, dynamic NTK)
    d = layouts / "internlm2-chat-1_8b"
    d.mkdir(parents=True)
    slow, model, rope = internlm2_layout(d, log)
    # transformers 5: its own sentencepiece conversion (the remote tokenizer class is not run)
    hf_tok = AutoTokenizer.from_pretrained(str(d), trust_remote_code=False)
    mismatches = compare_encodings(slow.encode, lambda t, s: hf_tok(t, add_special_tokens=s)["input_ids"],
                                   "internlm2")
    assert not mismatches, ("internlm2: transformers 5 and the InternLM2Tokenizer restatement disagree", mismatches)
    # The one place they part: the raw placeholder name of a renamed piece. sentencepiece still matches the
    # user-defined piece "[UNUSED_TOKEN_145]" in text; transformers 5 (and kubetune) renamed it "<|im_end|>".
    raw = "[UNUSED_TOKEN_145] is the raw piece name"
    divergence = dict(text=raw, internlm2_tokenizer=slow.encode(raw, False),
                      transformers5=hf_tok(raw, add_special_tokens=False)["input_ids"])
    assert divergence["internlm2_tokenizer"] != divergence["transformers5"]
    (d / "reference").mkdir()
    (d / "reference" / "backend_tokenizer.json").write_text(
        json.dumps(json.loads(hf_tok.backend_tokenizer.to_str()), indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8")
    tokenization = tokenization_reference(
        d.name, slow.encode, slow.decode, "internlm2",
        "InternLM2SlowTokenizer (make_layout_fixtures.py): tokenization_internlm2.py restated over sentencepiece; "
        "ids also equal transformers 5's AutoTokenizer on this folder for every case")
    # Decoding with special tokens kept differs by design: convert_tokens_to_string puts a space before a
    # special token that follows text (and before a leading one); transformers 5 and sentencepiece do not.
    tokenization["decoded_transformers5"] = [hf_tok.decode(c["ids"], skip_special_tokens=False)
                                             for c in tokenization["cases"]]
    assert [hf_tok.decode(c["ids"], skip_special_tokens=True) for c in tokenization["cases"]] == [
        c["decoded_skip_special"] for c in tokenization["cases"]], "skip_special_tokens decoding differs"
    tokenization["known_divergence"] = divergence
    render = lambda m: hf_tok.apply_chat_template(m, tokenize=False, add_generation_prompt=True)  # noqa: E731
    tensors, ref = logits_reference(d.name, model, prompts_for(slow.encode, render, long=True), rope)
    assert ref["prompts"][3]["num_tokens"] > 64, "the long prompt must pass max_position_embeddings"
    # the same formula as transformers' own "dynamic" rope type, for a fresh forward
    from transformers.models.llama.modeling_llama import LlamaRotaryEmbedding
    model.model.rotary_emb = LlamaRotaryEmbedding(LlamaConfig(**{**model.config.to_dict(),
        "rope_parameters": {"rope_type": "dynamic", "factor": 2.0, "rope_theta": 1000000.0}}))
    long_ids = torch.tensor([ref["prompts"][3]["input_ids"]])
    with torch.no_grad():
        hf_dynamic = model(long_ids, use_cache=False).logits[0]
    diff = float((hf_dynamic[-TAIL:] - tensors["logits_tail.3"]).abs().max())
    assert diff < 1e-4, ("InternLM2 dynamic NTK restatement vs transformers' dynamic rope", diff)
    ref["reference_model"] = ("transformers LlamaForCausalLM on the unpacked wqkv weights, rotary embedding replaced "
                              "by InternLM2DynamicNTKRope (modeling_internlm2.py restated); prompt 3 passes "
                              "max_position_embeddings (64), so it runs with the NTK-scaled base. "
                              f"transformers' own 'dynamic' rope type gives the same logits within {diff:.1e}")
    tokenization["chat"] = chat_reference(hf_tok)
    write_reference(d, tokenization, tensors, ref)
    log(f"  {d.name}: vocab {model.config.vocab_size}, prompts {[e['num_tokens'] for e in ref['prompts']]}")

    # ---- Llama-2 (sentencepiece, pickled .bin shards)
    d = layouts / "llama-2-7b-chat-hf"
    d.mkdir(parents=True)
    model = llama2_layout(d, log)
    hf_tok = AutoTokenizer.from_pretrained(str(d), trust_remote_code=False)
    (d / "reference").mkdir()
    (d / "reference" / "backend_tokenizer.json").write_text(
        json.dumps(json.loads(hf_tok.backend_tokenizer.to_str()), indent=1, ensure_ascii=False) + "\n",
        encoding="utf-8")
    enc = lambda t, s: hf_tok(t, add_special_tokens=s)["input_ids"]  # noqa: E731
    dec = lambda ids, skip: hf_tok.decode(ids, skip_special_tokens=skip)  # noqa: E731
    tokenization = tokenization_reference(d.name, enc, dec, "llama2",
                                          f"transformers {transformers.__version__} AutoTokenizer (LlamaTokenizer)")
    sp = spm.SentencePieceProcessor(model_file=str(d / "tokenizer.model"))
    tokenization["sentencepiece_differs"] = [
        t for t in HELD_OUT if enc(t, False) != sp.encode(t)]
    render = lambda m: hf_tok.apply_chat_template(m, tokenize=False)  # noqa: E731
    prompts = prompts_for(enc, lambda m: render(m + [{"role": "assistant", "content": "Paris."}]))
    tensors, ref = logits_reference(d.name, model, prompts)
    for rope_type in ("linear", "dynamic"):  # rope_scaling variants on the same weights (config.json patched)
        scaled = LlamaForCausalLM(LlamaConfig(**{**model.config.to_dict(), "rope_parameters": {
            "rope_type": rope_type, "factor": 2.0, "rope_theta": 10000.0}}))
        scaled.load_state_dict(model.state_dict())
        scaled.config._attn_implementation = "eager"
        scaled.eval()
        long_ids = enc(PROMPT_LONG, True)[:LONG_TOKENS]
        with torch.no_grad():
            logits = scaled(torch.tensor([long_ids]), use_cache=False).logits[0]
        tensors[f"logits_rope_{rope_type}_tail"] = mf.f32(logits[-TAIL:])
        ref[f"rope_{rope_type}"] = dict(rope_scaling={"type": rope_type, "factor": 2.0}, input_ids=long_ids)
    tokenization["chat"] = chat_reference(hf_tok)
    write_reference(d, tokenization, tensors, ref)
    check_reload(d, model, tensors, ref, log)

    # ---- Llama-3 and Qwen2.5 (tokenizer.json)
    for name, build, family in (("meta-llama-3-8b-instruct", llama3_layout, "llama3"),
                                ("qwen2.5-0.5b-instruct", qwen25_layout, "qwen2")):
        d = layouts / name
        d.mkdir(parents=True)
        model = build(d, log)
        hf_tok = AutoTokenizer.from_pretrained(str(d))
        enc = lambda t, s, h=hf_tok: h(t, add_special_tokens=s)["input_ids"]  # noqa: E731
        dec = lambda ids, skip, h=hf_tok: h.decode(ids, skip_special_tokens=skip)  # noqa: E731
        tokenization = tokenization_reference(name, enc, dec, family,
                                              f"transformers {transformers.__version__} AutoTokenizer")
        render = lambda m, h=hf_tok: h.apply_chat_template(m, tokenize=False, add_generation_prompt=True)  # noqa
        tensors, ref = logits_reference(name, model, prompts_for(enc, render))
        tokenization["chat"] = chat_reference(hf_tok)
        write_reference(d, tokenization, tensors, ref)
        check_reload(d, model, tensors, ref, log)


# --------------------------------------------------------------------------------------------------
# pytorch_model.bin edge cases
# --------------------------------------------------------------------------------------------------
class _Foreign:
    """Pickles as a call to os.system: what a malicious checkpoint carries.  The command is harmless."""

    def __reduce__(self):
        return (os.system, ("echo a pickle ran this",))


def build_pickles(out: Path, log):
    d = out / "pickle"
    d.mkdir(parents=True)
    g = torch.Generator().manual_seed(11)
    base = torch.randn(4, 6, generator=g)
    sd = {
        "f32": torch.randn(3, 5, generator=g),
        "f16": torch.randn(7, generator=g).to(torch.float16),
        "bf16": torch.randn(2, 3, 4, generator=g).to(torch.bfloat16),
        "i64": torch.arange(6, dtype=torch.int64).reshape(2, 3),
        "scalar": torch.tensor(2.5),
        "view_offset": base[1:3],           # shares base's storage, storage_offset 6
        "view_transposed": base.t(),        # non-contiguous strides
        "base": base,
        "parameter": torch.nn.Parameter(torch.randn(2, 2, generator=g)),  # torch._utils._rebuild_parameter
    }
    from collections import OrderedDict
    torch.save(OrderedDict(sd), d / "state_dict.bin")
    mf.write_safetensors(d / "state_dict.expected.safetensors",
                         {k: v.detach().contiguous() for k, v in sd.items()})
    torch.save({"weight": torch.ones(2), "payload": _Foreign()}, d / "foreign_reconstructor.bin")
    # (the legacy format embeds a random key: this one file is not byte-reproducible, and --check says so)
    torch.save({"weight": torch.ones(2)}, d / "legacy_format.bin", _use_new_zipfile_serialization=False)
    # torch's own safe loader refuses the same file
    try:
        torch.load(d / "foreign_reconstructor.bin", weights_only=True)
        raise AssertionError("torch.load(weights_only=True) accepted the foreign reconstructor")
    except Exception as e:  # noqa: BLE001
        assert "system" in str(e), e
    reloaded = torch.load(d / "state_dict.bin", weights_only=True)
    assert all(torch.equal(reloaded[k], sd[k]) for k in sd)
    log(f"  pickle: {len(sd)} tensors, a foreign reconstructor (posix.system) and a legacy-format file")


# --------------------------------------------------------------------------------------------------
def generate(out: Path, log):
    transformers.utils.logging.disable_progress_bar()
    transformers.utils.logging.set_verbosity_error()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    build_layouts(out, log)
    build_pickles(out, log)
    total = sum(f.stat().st_size for sub in ("layouts", "pickle") for f in (out / sub).rglob("*") if f.is_file())
    log(f"done: {total / 1e6:.2f} MB in layouts/ and pickle/")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=FIXTURES)
    ap.add_argument("--check", action="store_true", help="regenerate in a temp dir and compare with --out")
    args = ap.parse_args()
    log = lambda s: print(s, flush=True)  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), log)
        if args.check:
            ok = all(mf.compare_dirs(Path(tmp) / s, args.out / s, log) for s in ("layouts", "pickle"))
            log("check: fixtures are up to date" if ok else "check: fixtures DIFFER from a fresh generation")
            sys.exit(0 if ok else 1)
        for sub in ("layouts", "pickle"):
            shutil.rmtree(args.out / sub, ignore_errors=True)
            shutil.move(str(Path(tmp) / sub), str(args.out / sub))


if __name__ == "__main__":
    main()
