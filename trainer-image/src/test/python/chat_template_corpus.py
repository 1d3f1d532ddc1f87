#!/usr/bin/env python3
"""Conformance corpus of the chat templates users ship, rendered by transformers.

Input (committed, hand-maintained): ``../resources/jinja/corpus/sources.json`` (one entry per
published template: its family, the repositories that publish it, where its text was copied from)
and ``../resources/jinja/corpus/templates/<id>.jinja`` (the published text, byte for byte).

Output (committed, written by this script):
  ``tokenizers/<family>/``  a byte-level BPE tokenizer (make_fixtures.py's Llama-3-style one) with the
                            family's control tokens added as special tokens, and its bos/eos
  ``cases.json``            every template on every conversation, with and without the generation
                            prompt: the text transformers' ``apply_chat_template`` renders and the ids
                            it tokenizes it to, or the message the template raises

JinjaChatTemplateCorpusTest replays every case through kubetune's Jinja renderer and tokenizer.

Usage (the reference venv, see README.md):
  python chat_template_corpus.py           # (re)write tokenizers/ and cases.json
  python chat_template_corpus.py --check   # regenerate in memory and compare with the committed files
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import shutil
import sys
import tempfile
from pathlib import Path

import make_fixtures as mf  # noqa: E402  (same folder: the BPE trainer and the JSON writer)
import transformers  # noqa: E402
from tokenizers import AddedToken, processors  # noqa: E402
from transformers import AutoTokenizer, PreTrainedTokenizerFast  # noqa: E402
from transformers.utils import chat_template_utils  # noqa: E402

HERE = Path(__file__).resolve().parent
CORPUS = (HERE / ".." / "resources" / "jinja" / "corpus").resolve()

# strftime_now() is frozen at this instant on both sides (the Java test passes the same clock), so that
# templates printing today's date (Llama 3.2) render the same text every day
FROZEN_NOW = _dt.datetime(2025, 2, 3, 10, 20, 30)

# Each family's control tokens (added as special tokens) and the special tokens its tokenizer_config.json
# names. The base vocabulary is the same small byte-level BPE for all: what is compared is the
# template, and the split of its output at control tokens.
FAMILIES = {
    "llama3": dict(
        specials=["<|begin_of_text|>", "<|end_of_text|>", "<|start_header_id|>", "<|end_header_id|>",
                  "<|eot_id|>", "<|eom_id|>", "<|python_tag|>", "<|finetune_right_pad_id|>"],
        bos="<|begin_of_text|>", eos="<|eot_id|>", pad="<|finetune_right_pad_id|>", unk=None),
    "qwen": dict(
        specials=["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<think>", "</think>", "<tool_call>",
                  "</tool_call>", "<tool_response>", "</tool_response>"],
        bos=None, eos="<|im_end|>", pad="<|endoftext|>", unk=None),
    "internlm2": dict(
        specials=["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>"],
        bos="<s>", eos="</s>", pad="</s>", unk="<unk>"),
    "mistral": dict(
        specials=["<unk>", "<s>", "</s>", "[INST]", "[/INST]", "[AVAILABLE_TOOLS]", "[/AVAILABLE_TOOLS]",
                  "[TOOL_CALLS]", "[TOOL_RESULTS]", "[/TOOL_RESULTS]"],
        bos="<s>", eos="</s>", pad=None, unk="<unk>"),
    "gemma": dict(
        specials=["<pad>", "<eos>", "<bos>", "<unk>", "<start_of_turn>", "<end_of_turn>", "<start_of_image>"],
        bos="<bos>", eos="<eos>", pad="<pad>", unk="<unk>"),
    "phi3": dict(
        specials=["<unk>", "<s>", "</s>", "<|endoftext|>", "<|system|>", "<|user|>", "<|assistant|>", "<|end|>"],
        bos="<s>", eos="<|endoftext|>", pad="<|endoftext|>", unk="<unk>"),
    "deepseek": dict(
        specials=["<｜begin▁of▁sentence｜>", "<｜end▁of▁sentence｜>", "<｜User｜>", "<｜Assistant｜>", "<|EOT|>",
                  "<think>", "</think>"],
        bos="<｜begin▁of▁sentence｜>", eos="<｜end▁of▁sentence｜>", pad="<｜end▁of▁sentence｜>", unk=None),
}

# Conversations without tools, in the OpenAI message form kubetune reads (role, content). Those ending
# with an assistant message are also rendered up to their last user message with the generation prompt.
CONVERSATIONS = [
    dict(name="system_multi_turn", messages=[
        {"role": "system", "content": "You are a helpful assistant."},
        {"role": "user", "content": "What is the capital of France?"},
        {"role": "assistant", "content": "The capital of France is Paris."},
        {"role": "user", "content": "And of Germany?"},
        {"role": "assistant", "content": "Berlin."},
    ]),
    dict(name="multi_turn", messages=[
        {"role": "user", "content": "What is 2+3?"},
        {"role": "assistant", "content": "It is 5."},
        {"role": "user", "content": "What is 12 * 7?"},
        {"role": "assistant", "content": "It is 84."},
    ]),
    dict(name="single_user", messages=[
        {"role": "user", "content": "Who are you?"},
    ]),
    dict(name="system_single_user", messages=[
        {"role": "system", "content": "Answer in one word."},
        {"role": "user", "content": "Give me one word for happy."},
    ]),
    dict(name="whitespace", messages=[
        {"role": "system", "content": "  Be brief.  \n"},
        {"role": "user", "content": "\n  Tell me a joke.  \n\n"},
        {"role": "assistant", "content": "  Why did the chicken cross the road?\n\nTo get to the other side.  \n"},
    ]),
    dict(name="non_ascii", messages=[
        {"role": "system", "content": "请用一句话回答。"},
        {"role": "user", "content": "巴黎是哪个国家的首都？Café 🙂 \"quoted\" 'single' {{ not a tag }}"},
        {"role": "assistant", "content": "巴黎是法国的首都。Ça va très bien! 🚀"},
    ]),
    dict(name="reasoning", messages=[
        {"role": "user", "content": "What is 2+3?"},
        {"role": "assistant", "content": "<think>\nAdd 2 and 3.\n</think>\n\nIt is 5."},
        {"role": "user", "content": "And 12*7?"},
        {"role": "assistant", "content": "<think>\n12*7 = 84\n</think>\n\nIt is 84."},
    ]),
    dict(name="empty_user", messages=[
        {"role": "user", "content": ""},
        {"role": "assistant", "content": "Hello there, how can I help you today?"},
    ]),
    dict(name="consecutive_users", messages=[
        {"role": "user", "content": "Hello."},
        {"role": "user", "content": "Are you there?"},
        {"role": "assistant", "content": "Yes."},
    ]),
    dict(name="assistant_first", messages=[
        {"role": "assistant", "content": "Hi, I am your assistant."},
        {"role": "user", "content": "Hi!"},
        {"role": "assistant", "content": "Hello."},
    ]),
]

# Variables a template reads beyond the conversation, per template id: each set is one more variant
EXTRA_VARIABLES = {
    "qwen3": [{"enable_thinking": False}],
    "qwen3-string-content": [{"enable_thinking": False}],
    "llama-3.1-instruct": [{"date_string": "01 Jan 2025"}],
}


def build_family_tokenizer(family: str, out_dir: Path) -> None:
    spec = FAMILIES[family]
    tok = mf.build_tokenizer("llama")
    tok.post_processor = processors.ByteLevel(add_prefix_space=False, trim_offsets=False, use_regex=False)
    tok.add_special_tokens([AddedToken(t, special=True, normalized=False) for t in spec["specials"]])
    out_dir.mkdir(parents=True, exist_ok=True)
    mf.save_tokenizer_json(tok, out_dir / "tokenizer.json")
    added = {}
    for tid in sorted(tok.get_added_tokens_decoder()):
        t = tok.get_added_tokens_decoder()[tid]
        added[str(tid)] = dict(content=t.content, lstrip=t.lstrip, normalized=t.normalized,
                               rstrip=t.rstrip, single_word=t.single_word, special=t.special)
    mf.write_json(out_dir / "tokenizer_config.json", {
        "added_tokens_decoder": added,
        "bos_token": spec["bos"],
        "clean_up_tokenization_spaces": False,
        "eos_token": spec["eos"],
        "model_max_length": 4096,
        "pad_token": spec["pad"],
        "tokenizer_class": "PreTrainedTokenizerFast",
        "unk_token": spec["unk"],
    })


class _FrozenDatetime(_dt.datetime):
    @classmethod
    def now(cls, tz=None):
        return FROZEN_NOW


def render_cases(sources: list, tokenizers_dir: Path, log) -> list:
    chat_template_utils.datetime = _FrozenDatetime  # strftime_now() reads datetime.now()
    toks = {fam: AutoTokenizer.from_pretrained(str(tokenizers_dir / fam)) for fam in FAMILIES}
    for fam, tok in toks.items():
        assert isinstance(tok, PreTrainedTokenizerFast), fam
    cases = []
    for src in sources:
        template = (CORPUS / "templates" / f"{src['id']}.jinja").read_text(encoding="utf-8")
        tok = toks[src["family"]]
        for variables in [{}] + EXTRA_VARIABLES.get(src["id"], []):
            for conv in CONVERSATIONS:
                msgs = conv["messages"]
                variants = [(msgs, False), (msgs, True)]
                if msgs[-1]["role"] == "assistant":
                    last_user = max(i for i, m in enumerate(msgs) if m["role"] == "user")
                    variants = [(msgs, False), (msgs[:last_user + 1], True)]
                for messages, gen in variants:
                    cases.append(render_case(src["id"], src["family"], tok, template, conv["name"], messages,
                                             gen, variables))
    n_err = sum(1 for c in cases if "error" in c)
    log(f"corpus: {len(sources)} templates, {len(cases)} cases ({n_err} raise the template's own error)")
    return cases


def render_case(tid, family, tok, template, conv_name, messages, gen, variables) -> dict:
    case = dict(template=tid, family=family, conversation=conv_name, messages=messages,
                add_generation_prompt=gen, variables=variables)
    try:
        text = tok.apply_chat_template(messages, chat_template=template, tokenize=False,
                                       add_generation_prompt=gen, **variables)
    except Exception as e:  # the template's raise_exception (jinja2 TemplateError)
        case["error"] = str(e)
        return case
    ids = tok.apply_chat_template(messages, chat_template=template, tokenize=True, return_dict=True,
                                  add_generation_prompt=gen, **variables)["input_ids"]
    assert list(ids) == tok(text, add_special_tokens=False)["input_ids"], (tid, conv_name)
    case["text"] = text
    case["input_ids"] = list(ids)
    return case


def generate(out: Path, log) -> None:
    sources = json.loads((CORPUS / "sources.json").read_text(encoding="utf-8"))
    for src in sources:
        assert src["family"] in FAMILIES, src
        assert (CORPUS / "templates" / f"{src['id']}.jinja").is_file(), src["id"]
    for fam in FAMILIES:
        build_family_tokenizer(fam, out / "tokenizers" / fam)
    cases = render_cases(sources, out / "tokenizers", log)
    mf.write_json(out / "cases.json", {
        "doc": [
            "Every template of sources.json (text in templates/<id>.jinja) on every conversation, rendered by "
            "transformers' tokenizer.apply_chat_template(messages, chat_template=..., add_generation_prompt=..., "
            "**variables) with the family's tokenizer (tokenizers/<family>/).",
            "cases[]: {template, family, conversation, messages, add_generation_prompt, variables} and either "
            "{text, input_ids} (input_ids = apply_chat_template(tokenize=True) = tokenizer(text, "
            "add_special_tokens=False)) or {error}: the message the template raised.",
            f"strftime_now() returns {FROZEN_NOW.isoformat()} (datetime.now frozen in "
            "transformers.utils.chat_template_utils).",
        ],
        "versions": {"transformers": transformers.__version__, "jinja2": __import__("jinja2").__version__},
        "frozen_now": FROZEN_NOW.isoformat(),
        "cases": cases,
    })


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="compare a fresh generation with the committed files")
    args = ap.parse_args()
    log = lambda s: print(s, flush=True)  # noqa: E731
    with tempfile.TemporaryDirectory() as tmp:
        generate(Path(tmp), log)
        if args.check:
            ok = _same(Path(tmp), log)
            log("check: corpus is up to date" if ok else "check: corpus DIFFERS from a fresh generation")
            sys.exit(0 if ok else 1)
        for sub in ("tokenizers", "cases.json"):
            dst = CORPUS / sub
            if dst.is_dir():
                shutil.rmtree(dst)
            elif dst.exists():
                dst.unlink()
            shutil.move(str(Path(tmp) / sub), str(dst))


def _same(fresh: Path, log) -> bool:
    ok = True
    for f in sorted(p for p in fresh.rglob("*") if p.is_file()):
        committed = CORPUS / f.relative_to(fresh)
        if not committed.is_file() or committed.read_bytes() != f.read_bytes():
            log(f"  differs: {f.relative_to(fresh)}")
            ok = False
    return ok


if __name__ == "__main__":
    main()
