"""Attention layers, transformer blocks and named transformer models, from their configuration.

A question names a model ("BERT-base", "GPT-2 small", "ViT-B/16") or a block ("a transformer
encoder layer", "multi-head attention") and some numbers (width, heads, layers, feed-forward
width, vocabulary, positions). Presets (``grammars/presets.toml``) fill what a named model leaves
unsaid — each value used is stated as an assumption — and what the text states overrides them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..core.spec import LayerSpec, NetworkSpec
from ..resources import load_toml
from .mentions import Mention

BLOCK_KINDS = ("MultiHeadAttention", "TransformerEncoderLayer", "TransformerDecoderLayer")
CONFIG_KEYS = ("layers", "width", "heads", "ff", "vocab", "positions", "segments", "pooler", "tied",
               "patch", "image", "channels", "classes")


@dataclass
class Config:
    values: dict[str, Any] = field(default_factory=dict)
    preset: str | None = None
    family: str | None = None
    from_preset: set[str] = field(default_factory=set)


def _first(mentions: list[Mention], label: str, ident: str | None = None) -> Any:
    for m in mentions:
        if m.label == label and (ident is None or m.id == ident) and m.value is not None:
            value = m.value[0] if isinstance(m.value, tuple) else m.value
            if isinstance(value, int) and value > 0:
                return value
    return None


def _before_word(doc, words: tuple[str, ...]) -> int | None:
    """'8 layers', '12-layer': the number right before a word."""
    for i, token in enumerate(doc):
        if token.lower_ in words and i:
            j = i - 1 if doc[i - 1].text != "-" else i - 2
            if j >= 0 and doc[j].text.isdigit():
                return int(doc[j].text)
    return None


def _after_word(doc, word: str) -> int | None:
    """'hidden 256': the number right after a word, when no pattern took it."""
    for i, token in enumerate(doc[:-1]):
        if token.lower_ == word and doc[i + 1].text.isdigit():
            return int(doc[i + 1].text)
    return None


def _all_widths(mentions: list[Mention]) -> list[int]:
    return [m.value for m in mentions if isinstance(m.value, int) and (
        (m.label == "TF" and m.id in ("width", "width_loose")) or (m.label == "EMBED" and m.id == "dim")
        or m.label == "UNITS")]


def read_config(mentions: list[Mention], doc=None) -> Config:
    """The configuration the text states, completed by the preset it names."""
    presets = load_toml("presets.toml")
    cfg = Config()
    models = [m.id for m in mentions if m.label == "MODEL"]
    if models:
        name = max(models, key=lambda n: ("-" in n, len(n)))  # the most specific name given
        entry = presets[name]
        name = entry.get("preset", name)
        cfg.preset, cfg.family = name, presets[name]["family"]
    said = {
        "layers": (_first(mentions, "TF", "layers") or _first(mentions, "STACK")
                   or (_before_word(doc, ("layers", "layer", "blocks")) if doc is not None else None)),
        "width": (_first(mentions, "TF", "width") or _first(mentions, "UNITS") or _first(mentions, "EMBED", "dim")
                  or _first(mentions, "INPUT", "features") or (_after_word(doc, "hidden") if doc is not None else None)
                  or _first(mentions, "TF", "width_loose")),
        "heads": _first(mentions, "TF", "heads"),
        "ff": _first(mentions, "TF", "ff"),
        "vocab": _first(mentions, "EMBED", "vocab"),
        "positions": _first(mentions, "TF", "positions"),
        "segments": _first(mentions, "TF", "segments"),
        "patch": _first(mentions, "TF", "patch"),
        "classes": _first(mentions, "CLASSES"),
    }
    image = _first(mentions, "INPUT", "image")
    if image:
        said["image"] = image
    ids = {m.id for m in mentions if m.label == "TF"}
    if "no_pooler" in ids:
        said["pooler"] = False
    elif "pooler" in ids:
        said["pooler"] = True
    if "untied" in ids:
        said["tied"] = False
    elif "tied" in ids:
        said["tied"] = True
    head_dim, heads = _first(mentions, "TF", "head_dim"), said["heads"]
    if head_dim and heads and not said["width"]:
        said["width"] = head_dim * heads  # "12 heads of size 64"
    said["key_dim"] = _first(mentions, "TF", "key_dim")
    cfg.values = {k: v for k, v in said.items() if v is not None}
    if cfg.preset:
        preset = presets[cfg.preset]
        if "width" in cfg.values and cfg.values["width"] != preset.get("width"):
            skip = {"ff", "heads"}  # a new width: the preset's feed-forward width and heads do not carry over
        else:
            skip = set()
        for key in CONFIG_KEYS:
            if key not in cfg.values and key in preset and key not in skip:
                cfg.values[key] = presets[cfg.preset][key]
                cfg.from_preset.add(key)
    return cfg


def build(mentions: list[Mention], kinds: list[str], excluded: set[str], bias: bool,
          framework: str, doc=None) -> tuple[NetworkSpec | None, list[str], list[str]]:
    """The spec of the model or block the question describes; (spec, assumptions, missing)."""
    cfg = read_config(mentions, doc)
    v = cfg.values
    assumptions, missing = [], []
    if cfg.preset:
        shown = ", ".join(f"{k} {v[k]:,}" if isinstance(v[k], int) and not isinstance(v[k], bool)
                          else f"{k} {v[k]}" for k in CONFIG_KEYS if k in cfg.from_preset)
        source = load_toml("presets.toml")[cfg.preset]["source"]
        if shown:
            assumptions.append(f"{cfg.preset} configuration ({source}): {shown}")
    d = v.get("width")
    if not d:
        missing.append("the model width (hidden size / d_model)")
        return None, assumptions, missing
    if "ff" not in v and (cfg.family or any(k != "MultiHeadAttention" for k in kinds)):
        v["ff"] = 4 * d
        assumptions.append(f"feed-forward width 4 × d = {4 * d:,} (not given)")
    block = dict(units=d, heads=v.get("heads"), ff=v.get("ff"), bias=bias)
    family = cfg.family
    head = [m for m in mentions if m.label == "OUTHEAD"]
    if head and v.get("classes") and doc is not None and head[0].end < len(doc) and doc[head[0].end].lower_ == "of":
        # "the classification head of BERT-base for 3 classes": that dense layer alone
        return (NetworkSpec((d,), (LayerSpec("Dense", v["classes"], name="classification head"),), framework),
                assumptions + [f"the head is a dense layer from the width {d:,} to {v['classes']:,} classes"], [])
    if kinds and family:  # "the self-attention of one encoder layer of BERT-base": that block alone
        family = None
        if "layers" in cfg.from_preset:
            v.pop("layers")
    layers: list[LayerSpec] = []
    if family in ("bert", "gpt"):
        if not v.get("vocab"):
            missing.append("the vocabulary size")
            return None, assumptions, missing
        if "embeddings" not in excluded:
            layers.append(LayerSpec("TokenEmbeddings", d, vocab=v["vocab"], positions=v.get("positions"),
                                    segments=v.get("segments", 0) if family == "bert" else 0,
                                    center=family == "bert", name="embeddings"))
        layers.append(LayerSpec("TransformerEncoderLayer", repeat=v.get("layers", 1), name="transformer layers",
                                **block))
        if family == "bert" and v.get("pooler", True):
            layers.append(LayerSpec("Pooler", name="pooler"))
            if "pooler" in cfg.from_preset:
                assumptions.append("the pooler (a dense d → d on the first token) is counted, as BertModel has it")
        if family == "bert" and head and v.get("classes"):
            layers.append(LayerSpec("Dense", v["classes"], name="classification head"))
        if family == "gpt":
            if "final_norm" not in excluded:
                layers.append(LayerSpec("LayerNormalization", name="final LayerNorm"))
            if "head" not in excluded:
                layers.append(LayerSpec("LMHead", vocab=v["vocab"], tied=v.get("tied", True), name="LM head"))
        shape: tuple = (v.get("positions"),)
    elif family == "vit":
        layers.append(LayerSpec("PatchEmbedding", d, patch=v.get("patch"), image=v.get("image"),
                                channels=v.get("channels", 3), name="patch embedding"))
        layers.append(LayerSpec("TransformerEncoderLayer", repeat=v.get("layers", 1), name="transformer layers",
                                **block))
        if "final_norm" not in excluded:
            layers.append(LayerSpec("LayerNormalization", name="final LayerNorm"))
        if v.get("classes") and "head" not in excluded:
            layers.append(LayerSpec("Dense", v["classes"], name="classification head"))
        shape = (v.get("image"), v.get("image"), v.get("channels", 3))
    else:
        kind = next((k for k in kinds if k != "MultiHeadAttention"), None) or (kinds[0] if kinds else
                                                                                 "TransformerEncoderLayer")
        repeat = v.get("layers", 1) if kind != "MultiHeadAttention" else 1
        if kind == "MultiHeadAttention":
            block.pop("ff")
            widths = [w for w in _all_widths(mentions) if w != d]
            if widths and any("cross" in m.text.lower() for m in mentions if m.label == "KIND"):
                block["kdim"] = block["vdim"] = widths[0]  # keys and values from a memory of another width
                assumptions.append(f"keys and values are projected from width {widths[0]:,} (the other sequence)")
            if v.get("key_dim"):
                block["key_dim"] = v["key_dim"]
        layers.append(LayerSpec(kind, repeat=repeat, name=kind, **block))
        shape = (None, d)
    return NetworkSpec(shape, tuple(layers), framework), assumptions, missing
