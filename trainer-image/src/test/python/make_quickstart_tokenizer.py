"""Builds the tokenizer the quickstart's tiny base model uses (kubetune quickstart).

A byte-level BPE (Qwen2-style pre-tokenizer, ChatML special tokens) trained on the bundled
identity dataset plus a little general English, so that the quickstart's short replies are a few
dozen tokens. Deterministic; writes trainer-image/src/main/resources/quickstart/tokenizer.json
and tokenizer_config.json.

usage: python make_quickstart_tokenizer.py   (needs: pip install tokenizers)
"""
import json
from pathlib import Path

from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, trainers

ROOT = Path(__file__).resolve().parents[2] / "main" / "resources" / "quickstart"
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>"]
VOCAB = 1536
GENERAL = """
The quick brown fox jumps over the lazy dog. Kubernetes runs containers on a cluster of nodes.
A language model predicts the next token from the ones before it. Fine-tuning adapts a model to a
task with a small dataset. You can ask me questions about code, writing, science and history.
Hello, how are you today? Thank you very much. I do not know the answer to that question.
Please tell me more about what you need, and I will try to help. 你好，很高兴认识你。谢谢！
"""


def corpus():
    texts = [GENERAL]
    for line in (ROOT / "identity.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            for m in json.loads(line)["messages"]:
                texts.append(m["content"])
    return texts


def main():
    tok = Tokenizer(models.BPE())
    tok.normalizer = normalizers.NFC()
    qwen_split = (r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*"
                  r"|\s*[\r\n]+|\s+(?!\S)|\s+")
    tok.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.Split(Regex(qwen_split), behavior="isolated"),
        pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False),
    ])
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(vocab_size=VOCAB - len(SPECIALS), min_frequency=2, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    tok.train_from_iterator(corpus() * 4, trainer)
    tok.add_special_tokens(SPECIALS)
    tok.save(str(ROOT / "tokenizer.json"))
    ids = {s: tok.token_to_id(s) for s in SPECIALS}
    config = {
        "tokenizer_class": "PreTrainedTokenizerFast",
        "bos_token": None,
        "eos_token": "<|im_end|>",
        "pad_token": "<|endoftext|>",
        "model_max_length": 512,
        "added_tokens_decoder": {str(i): {"content": s, "special": True, "lstrip": False, "rstrip": False,
                                          "normalized": False, "single_word": False} for s, i in ids.items()},
        # ChatML, as Qwen2 writes it; training uses XTuner's qwen_chat, which renders the same turns
        "chat_template": "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + "
                         "message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}"
                         "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}",
    }
    (ROOT / "tokenizer_config.json").write_text(json.dumps(config, indent=1, ensure_ascii=False) + "\n")
    sample = "<|im_start|>user\nWho are you?<|im_end|>\n<|im_start|>assistant\n"
    print(f"vocab {tok.get_vocab_size()}, specials {ids}, prompt -> {len(tok.encode(sample).ids)} tokens")


if __name__ == "__main__":
    main()
