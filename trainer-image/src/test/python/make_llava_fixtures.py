#!/usr/bin/env python3
"""Reference fixtures for kubetune's LLaVA: a tiny random LlavaForConditionalGeneration (a CLIP ViT
vision tower, the mlp2x_gelu projector, a Qwen2 language model), its llava-hf processor files, and
what transformers computes with them. Writes ../resources/fixtures/llava/ (about 1 MB):

  model/                  the llava-hf folder (config.json, model.safetensors, tokenizer with <image>,
                          preprocessor_config.json (LlavaImageProcessor, do_pad false),
                          processor_config.json, chat_template.jinja)
  images/                 small source images (PNG RGB / RGBA / grayscale, a JPEG)
  pixels.safetensors      pixel_values by transformers' PIL image processors, per image:
                          clip.<img> (CLIPImageProcessorPil: shortest edge 28, crop 28) and
                          pad.<img> (LlavaImageProcessorPil do_pad=True), float32 [3, 28, 28]
  resize/                 the imaging comparison at LLaVA-1.5's real size (336): source images and
                          PIL's resized + center-cropped uint8 result (before rescale/normalize), as PNG
  forward.safetensors     one prompt with one image: vision_features (hidden_states[-2], CLS dropped),
                          image_features (projected), inputs_embeds (merged), logits [1, T, V]
  train.safetensors       one batch [2, T] (row 0: one image, row 1: two images): the loss, then the
                          gradients of the projector alone (stage pretrain: grad_pretrain.<name>) and of
                          the projector + LoRA on the language model (stage finetune, PEFT:
                          grad_lora.<peft name>, lora_init.<peft name>)
  reference.json          ids, labels, greedy continuation, margins, shapes, versions

Run with the reference venv (bench/pyenv.sh): python make_llava_fixtures.py
"""
import argparse
import importlib.metadata
import json
import sys
from pathlib import Path

import numpy as np
import torch
import transformers
from PIL import Image
from safetensors.torch import save_file
from tokenizers import AddedToken, Tokenizer
from transformers import (CLIPVisionConfig, GenerationConfig, LlavaConfig, LlavaForConditionalGeneration,
                          Qwen2Config)
from transformers.models.clip.image_processing_pil_clip import CLIPImageProcessorPil
from transformers.models.llava.image_processing_pil_llava import LlavaImageProcessorPil

HERE = Path(__file__).resolve().parent
FIXTURES = (HERE / ".." / "resources" / "fixtures").resolve()
OUT = FIXTURES / "llava"
IGNORE = -100
IMAGE_TOKEN = "<image>"
SIZE = 28
PATCH = 7
NEW_TOKENS = 12
SEED = 1234
LORA = dict(r=4, lora_alpha=8, lora_dropout=0.0,
            target_modules=r"model\.language_model\.layers\.\d+\.(self_attn\.(q|k|v|o)_proj|mlp\.(gate|up|down)_proj)")
LORA_B_STD = 0.1
CHAT_TEMPLATE = (
    "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' }}"
    "{% if message['content'] is string %}{{ message['content'] }}"
    "{% else %}{% for part in message['content'] %}{% if part['type'] == 'image' %}{{ '<image>\n' }}"
    "{% elif part['type'] == 'text' %}{{ part['text'] }}{% endif %}{% endfor %}{% endif %}"
    "{{ '<|im_end|>\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}")

torch.set_num_threads(1)
torch.use_deterministic_algorithms(True)


def f32(t):
    return t.detach().to(torch.float32).clone().contiguous()


def save(path, tensors):
    save_file({k: f32(v) for k, v in tensors.items()}, str(path), metadata={"format": "pt"})


def versions():
    return {"torch": torch.__version__, "transformers": transformers.__version__,
            "peft": importlib.metadata.version("peft"), "pillow": importlib.metadata.version("pillow")}


# ---------------------------------------------------------------------------------------- images
def smooth_noise(rng, h, w, cells):
    """Low-frequency colour noise: a coarse random grid, upsampled bilinearly (compresses well)."""
    coarse = Image.fromarray(rng.integers(0, 256, (cells, cells, 3), dtype=np.uint8))
    return np.asarray(coarse.resize((w, h), Image.BILINEAR), dtype=np.float64)


def picture(rng, w, h, cells=6):
    """Gradients and noise with sharp edges (a rectangle, a disc, thin lines): what resampling filters
    disagree on."""
    y, x = np.mgrid[0:h, 0:w]
    img = 0.6 * smooth_noise(rng, h, w, cells)
    img[..., 0] += 100 * x / w
    img[..., 2] += 100 * y / h
    img[h // 5: h // 2, w // 6: w // 2] = rng.integers(0, 256, 3)
    disc = (x - 0.65 * w) ** 2 + (y - 0.6 * h) ** 2 < (0.2 * min(w, h)) ** 2
    img[disc] = rng.integers(0, 256, 3)
    img[:, ::max(3, w // 12)] = 255
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


def make_images(rng, folder):
    folder.mkdir(parents=True, exist_ok=True)
    a = picture(rng, 40, 31)
    a.save(folder / "a.png")
    b = picture(rng, 18, 24)
    b.save(folder / "b.png")
    c = picture(rng, 33, 33).convert("RGBA")
    alpha = np.tile(np.linspace(0, 255, 33, dtype=np.uint8), (33, 1))
    c.putalpha(Image.fromarray(alpha, "L"))
    c.save(folder / "c_rgba.png")
    picture(rng, 50, 20).convert("L").save(folder / "d_gray.png")
    picture(rng, 64, 48).save(folder / "e.jpg", quality=90)
    return ["a.png", "b.png", "c_rgba.png", "d_gray.png", "e.jpg"]


def processors():
    common = dict(size={"shortest_edge": SIZE}, crop_size={"height": SIZE, "width": SIZE})
    return CLIPImageProcessorPil(**common), LlavaImageProcessorPil(do_pad=True, **common)


def resize_fixtures(rng, folder):
    """LLaVA-1.5's 336 preprocessing on larger pictures: PIL's resized + cropped uint8 pixels."""
    folder.mkdir(parents=True, exist_ok=True)
    clip = CLIPImageProcessorPil(size={"shortest_edge": 336}, crop_size={"height": 336, "width": 336})
    pad = LlavaImageProcessorPil(size={"shortest_edge": 336}, crop_size={"height": 336, "width": 336},
                                 do_pad=True)
    names = []
    for name, (w, h) in {"down3x": (1024, 768), "down1x": (500, 375), "up": (200, 150), "tall": (300, 520)}.items():
        src = picture(rng, w, h, cells=10)
        src.save(folder / f"{name}.png", optimize=True)
        for kind, proc in (("clip", clip), ("pad", pad)):
            pv = proc(src, do_rescale=False, do_normalize=False, return_tensors="pt").pixel_values[0]
            assert torch.equal(pv, pv.round()), "resize output is not whole levels"
            arr = pv.permute(1, 2, 0).numpy().astype(np.uint8)
            Image.fromarray(arr, "RGB").save(folder / f"{name}.{kind}.png", optimize=True)
        names.append(name)
    return names


# ----------------------------------------------------------------------------------------- model
def build_tokenizer(model_dir):
    tok = Tokenizer.from_file(str(FIXTURES / "models" / "qwen2" / "tokenizer.json"))
    tok.add_special_tokens([AddedToken(IMAGE_TOKEN, special=True, normalized=False)])
    tok.save(str(model_dir / "tokenizer.json"))
    base = json.loads((FIXTURES / "models" / "qwen2" / "tokenizer_config.json").read_text())
    image_id = tok.token_to_id(IMAGE_TOKEN)
    base["added_tokens_decoder"][str(image_id)] = {
        "content": IMAGE_TOKEN, "lstrip": False, "normalized": False, "rstrip": False,
        "single_word": False, "special": True}
    base.pop("chat_template", None)
    base["extra_special_tokens"] = {"image_token": IMAGE_TOKEN}
    (model_dir / "tokenizer_config.json").write_text(json.dumps(base, indent=1) + "\n")
    return image_id


def build_model(image_id):
    vision = CLIPVisionConfig(hidden_size=32, intermediate_size=64, num_hidden_layers=3, num_attention_heads=4,
                              image_size=SIZE, patch_size=PATCH, projection_dim=32, hidden_act="quick_gelu")
    text = Qwen2Config(vocab_size=1024, hidden_size=64, intermediate_size=128, num_hidden_layers=2,
                       num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=256,
                       rope_theta=1000000.0, bos_token_id=None, eos_token_id=999, tie_word_embeddings=False)
    cfg = LlavaConfig(vision_config=vision, text_config=text, image_token_id=image_id,
                      image_seq_length=(SIZE // PATCH) ** 2, vision_feature_layer=-2,
                      vision_feature_select_strategy="default", projector_hidden_act="gelu")
    cfg._attn_implementation = "eager"
    model = LlavaForConditionalGeneration(cfg).eval()
    g = torch.Generator().manual_seed(SEED)
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" in name and name.endswith(".weight"):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=g))
            elif name.endswith(".bias"):
                p.copy_(0.1 * torch.randn(p.shape, generator=g))
            else:
                p.copy_(0.2 * torch.randn(p.shape, generator=g))
        model.lm_head.weight[1001:] = 0.0
        model.model.language_model.embed_tokens.weight[1001:] = 0.0
    return model


def expand(ids, image_id, n):
    out = []
    for t in ids:
        out.extend([t] * n if t == image_id else [t])
    return out


def encode_chat(tok, turns, image_id, n):
    """ChatML rendering of (user, assistant) turns; labels on each reply and its <|im_end|>, as
    XTuner's qwen_chat encode_fn does. Returns ids (with <image> expanded) and labels."""
    ids, labels = [], []
    for user, reply in turns:
        prompt = tok.encode(f"<|im_start|>user\n{user}<|im_end|>\n<|im_start|>assistant\n").ids
        prompt = expand(prompt, image_id, n)
        answer = tok.encode(f"{reply}<|im_end|>").ids
        tail = tok.encode("\n").ids
        ids += prompt + answer + tail
        labels += [IGNORE] * len(prompt) + answer + [IGNORE] * len(tail)
    return ids, labels


def greedy(model, ids, pixels):
    cfg = GenerationConfig(do_sample=False, max_new_tokens=NEW_TOKENS, min_new_tokens=0, eos_token_id=None,
                           pad_token_id=None, bos_token_id=None, num_beams=1, output_logits=True,
                           return_dict_in_generate=True)
    saved, model.generation_config = model.generation_config, cfg
    try:
        with torch.no_grad():
            out = model.generate(input_ids=ids, pixel_values=pixels, attention_mask=torch.ones_like(ids),
                                 generation_config=cfg)
    finally:
        model.generation_config = saved
    step_logits = torch.stack([x[0] for x in out.logits])
    top = torch.topk(step_logits, 2, dim=-1).values
    return out.sequences[0, ids.shape[1]:].tolist(), (top[:, 0] - top[:, 1]).tolist()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args()
    out = args.out
    model_dir = out / "model"
    model_dir.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(SEED)

    names = make_images(rng, out / "images")
    clip_proc, pad_proc = processors()
    pixels = {}
    for n in names:
        img = Image.open(out / "images" / n)
        pixels[f"clip.{n}"] = clip_proc(img, return_tensors="pt").pixel_values[0]
        pixels[f"pad.{n}"] = pad_proc(img, return_tensors="pt").pixel_values[0]
    save(out / "pixels.safetensors", pixels)
    resize_names = resize_fixtures(rng, out / "resize")

    image_id = build_tokenizer(model_dir)
    tok = Tokenizer.from_file(str(model_dir / "tokenizer.json"))
    n_img = (SIZE // PATCH) ** 2
    margin = 0.0
    for seed in range(SEED, SEED + 50):
        torch.manual_seed(seed)
        model = build_model(image_id)
        # ---- forward: one prompt with one image
        prompt = f"<|im_start|>user\n{IMAGE_TOKEN}\nWhat is in the picture?<|im_end|>\n<|im_start|>assistant\n"
        ids = torch.tensor([expand(tok.encode(prompt).ids, image_id, n_img)])
        pv = pixels["clip.a.png"].unsqueeze(0)
        new, margins = greedy(model, ids, pv)
        margin = min(margins)
        if margin > 1e-3:
            break
    assert margin > 1e-3, margin
    with torch.no_grad():
        vt = model.model.vision_tower(pv, output_hidden_states=True)
        vision_features = vt.hidden_states[-2][:, 1:]
        image_features = model.model.get_image_features(pixel_values=pv).pooler_output[0].unsqueeze(0)
        assert torch.allclose(image_features, model.model.multi_modal_projector(vision_features))
        embeds = model.get_input_embeddings()(ids)
        mask = (ids == image_id).unsqueeze(-1).expand_as(embeds)
        merged = embeds.masked_scatter(mask, image_features)
        logits = model(input_ids=ids, pixel_values=pv).logits
        assert torch.allclose(logits, model(inputs_embeds=merged).logits, atol=1e-6)
        hidden = model.model.vision_tower(pv, output_hidden_states=True).hidden_states
    save(out / "forward.safetensors", {"vision_features": vision_features, "image_features": image_features,
                                       "inputs_embeds": merged, "logits": logits,
                                       "vision_hidden_states": torch.stack(hidden)})

    # ---- training batch: row 0 one image, row 1 two images, same length (the tail of row 0 cut)
    row0, lab0 = encode_chat(tok, [(f"{IMAGE_TOKEN}\nWhat colour is the square?", "It is a red square."),
                                   ("And the circle?", "The circle is blue, next to the square.")], image_id, n_img)
    row1, lab1 = encode_chat(tok, [(f"{IMAGE_TOKEN}\n{IMAGE_TOKEN}\nCompare the two images.",
                                    "Both show stripes.")], image_id, n_img)
    length = min(len(row0), len(row1))
    assert row0[:length].count(image_id) == n_img and row1[:length].count(image_id) == 2 * n_img
    x = torch.tensor([row0[:length], row1[:length]])
    y = torch.tensor([lab0[:length], lab1[:length]])
    batch_images = ["a.png", "b.png", "e.jpg"]
    bpv = torch.stack([pixels[f"clip.{n}"] for n in batch_images])
    train = {}
    model.train()
    for p in model.parameters():
        p.requires_grad_(False)
    projector = model.model.multi_modal_projector
    for p in projector.parameters():
        p.requires_grad_(True)
    loss = model(input_ids=x, pixel_values=bpv, labels=y).loss
    loss.backward()
    train["loss"] = loss.reshape(1)
    for n, p in projector.named_parameters():
        train[f"grad_pretrain.model.multi_modal_projector.{n}"] = p.grad
    import peft
    torch.manual_seed(SEED + 1)
    cfg = peft.LoraConfig(r=LORA["r"], lora_alpha=LORA["lora_alpha"], lora_dropout=0.0,
                          target_modules=LORA["target_modules"], modules_to_save=["multi_modal_projector"],
                          bias="none")
    fresh = build_model(image_id)
    fresh.load_state_dict(model.state_dict())
    pm = peft.get_peft_model(fresh, cfg)
    g = torch.Generator().manual_seed(SEED + 2)
    with torch.no_grad():
        for n, p in pm.named_parameters():
            if "lora_B" in n:
                p.copy_(LORA_B_STD * torch.randn(p.shape, generator=g))
    pm.train()
    lora_loss = pm(input_ids=x, pixel_values=bpv, labels=y).loss
    lora_loss.backward()
    trainable = [n for n, p in pm.named_parameters() if p.requires_grad]
    for n, p in pm.named_parameters():
        if p.requires_grad:
            assert p.grad is not None and float(p.grad.abs().max()) > 0, n
            train[f"grad_lora.{n}"] = p.grad
            if "lora_" in n:
                train[f"lora_init.{n}"] = p
    train["lora_loss"] = lora_loss.reshape(1)
    save(out / "train.safetensors", train)

    model.eval()
    for p in model.parameters():
        p.requires_grad_(False)
    model.save_pretrained(str(model_dir))
    cfg_json = json.loads((model_dir / "config.json").read_text())
    cfg_json["text_config"]["eos_token_id"] = 999
    (model_dir / "config.json").write_text(json.dumps(cfg_json, indent=2) + "\n")
    LlavaImageProcessorPil(size={"shortest_edge": SIZE}, crop_size={"height": SIZE, "width": SIZE}).save_pretrained(
        str(model_dir))
    (model_dir / "processor_config.json").write_text(json.dumps({
        "image_token": IMAGE_TOKEN, "num_additional_image_tokens": 1, "patch_size": PATCH,
        "processor_class": "LlavaProcessor", "vision_feature_select_strategy": "default"}, indent=2) + "\n")
    (model_dir / "chat_template.jinja").write_text(CHAT_TEMPLATE)
    # the processor as transformers assembles it from these files expands <image> as we did
    proc = transformers.AutoProcessor.from_pretrained(str(model_dir))
    check = proc(text=prompt, images=Image.open(out / "images" / "a.png"), return_tensors="pt")
    assert check.input_ids.tolist() == ids.tolist(), "LlavaProcessor expands <image> differently"
    assert torch.equal(check.pixel_values, pv), "LlavaProcessor's pixels differ"

    (out / "reference.json").write_text(json.dumps({
        "doc": __doc__.strip().splitlines(),
        "image_token_id": image_id,
        "image_tokens": n_img,
        "images": names,
        "resize_images": resize_names,
        "prompt": prompt,
        "prompt_ids": ids[0].tolist(),
        "forward_image": "a.png",
        "greedy": new,
        "greedy_margins": margins,
        "train_input_ids": x.tolist(),
        "train_labels": y.tolist(),
        "train_images": batch_images,
        "loss": loss.item(),
        "lora_loss": lora_loss.item(),
        "lora": {"r": LORA["r"], "lora_alpha": LORA["lora_alpha"], "target_modules": LORA["target_modules"],
                 "modules_to_save": ["multi_modal_projector"], "b_init_std": LORA_B_STD},
        "lora_trainable": trainable,
        "versions": versions(),
    }, indent=1) + "\n")
    print(f"llava fixtures in {out}: greedy {new} (min margin {margin:.4f}), loss {loss.item():.6f}, "
          f"lora loss {lora_loss.item():.6f}, {len(trainable)} trainable peft tensors")


if __name__ == "__main__":
    sys.exit(main())
