"""Attention layers, transformer blocks and named transformer models, from their configuration.

A question names a model ("BERT-base", "GPT-2 small", "ViT-B/16") or a block ("a transformer
encoder layer", "multi-head attention") and some numbers (width, heads, layers, feed-forward
width, vocabulary, positions). Presets (``grammars/presets.toml``) fill what a named model leaves
unsaid — each value used is stated as an assumption — and what the text states overrides them.
"""

from __future__ import annotations

import re

from dataclasses import dataclass, field, replace
from typing import Any

from ...core.spec import LayerSpec, NetworkSpec
from ...resources import load_toml
from ..prose.mentions import Mention, vocab
from ..prose.modelnames import asks, read_lora

BLOCK_KINDS = ("MultiHeadAttention", "TransformerEncoderLayer", "TransformerDecoderLayer")
# what a family name ("a GPT-style model") takes from its preset: its layout, never a size
FAMILY_KEYS = ("segments", "pooler", "tied", "channels")
GENERIC_SUFFIXES = ("style", "like", "ish", "type")
GENERIC_ADJECTIVES = ("small", "tiny", "toy", "custom", "mini", "little", "simple", "own", "smaller", "miniature")
CONFIG_KEYS = ("layers", "width", "heads", "ff", "vocab", "positions", "segments", "pooler", "tied",
               "patch", "image", "channels", "classes")


@dataclass
class Config:
    values: dict[str, Any] = field(default_factory=dict)
    preset: str | None = None
    family: str | None = None
    from_preset: set[str] = field(default_factory=set)
    unknown: str | None = None  # a named variant with no preset ("ViT-S/16")
    generic: bool = False  # a family ("BERT-style"), not a named model: its preset gives conventions only


def _generic(m: Mention, doc) -> bool:
    """ "GPT-style", "a BERT-like encoder", "a tiny BERT", "a ViT on 32x32 images": a family named, not a model."""
    words = m.text.lower().replace("-", " ").split()
    if words and words[-1] in GENERIC_SUFFIXES:
        return True
    after = [t.lower_ for t in doc[m.end:m.end + 2]]
    if after[:1] in (["style"], ["like"]) or after[:2] in (["-", "style"], ["-", "like"], ["-", "ish"]):
        return True
    before = [t.lower_ for t in doc[max(0, m.start - 2):m.start]]
    if any(w in GENERIC_ADJECTIVES for w in before):
        return True
    return m.id == "vit-base" and m.text.lower() in ("vit", "vision transformer") and before[-1:] in (["a"], ["an"])


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
            if j >= 0 and doc[j].text.isdecimal():
                return int(doc[j].text)
    return None


def _after_word(doc, word: str) -> int | None:
    """'hidden 256': the number right after a word, when no pattern took it."""
    for i, token in enumerate(doc[:-1]):
        if token.lower_ == word and doc[i + 1].text.isdecimal():
            return int(doc[i + 1].text)
    return None


def _quoted_count(m: Mention, doc) -> bool:
    """ "the base model size 110M parameters", "a 7B-parameter model": a number followed by a count noun
    is a count the asker quotes (grammars/ledger.toml [roles.quoted_count] after), never a width."""
    if doc is None or m.end >= len(doc):
        return False
    nouns = load_toml("ledger.toml")["roles"]["quoted_count"]["after"]
    after = [t.lower_ for t in doc[m.end:m.end + 2] if t.text != "-"]
    return bool(after) and after[0] in nouns


def _sizes(mentions: list[Mention], doc) -> list[Mention]:
    """The mentions that may give a size: not a quoted parameter count."""
    return [m for m in mentions if not (m.label in ("TF", "UNITS", "EMBED") and _quoted_count(m, doc))]


def _counted_kinds(kinds: list[str], mentions: list[Mention], doc) -> list[str]:
    """The block kinds the question asks about: "A = number of self-attention heads" counts heads in a
    legend of symbols, it does not ask for the attention block alone."""
    if doc is None:
        return kinds
    legend = set(load_toml("ledger.toml").get("kinds", {}).get("counted_after", ()))
    asked = {m.id for m in mentions if m.label == "KIND" and not (
        m.start >= 2 and " ".join(t.lower_ for t in doc[m.start - 2:m.start]) in legend)}
    return [k for k in kinds if k in asked or not any(m.label == "KIND" and m.id == k for m in mentions)]


def _change_at(doc) -> int | None:
    """The token where the question's changed settings start ("Suppose the architecture is modified as
    follows:"), or None (grammars/modifications.toml markers)."""
    if doc is None:
        return None
    markers = load_toml("modifications.toml")["markers"]
    text = doc.text.lower()
    if not any(marker.split()[-1] in text for marker in markers):
        return None   # (cheap: most questions change nothing)
    words = [t.lower_ for t in doc]
    for marker in markers:
        seq = marker.split()
        for i in range(len(words) - len(seq) + 1):
            if words[i:i + len(seq)] == seq:
                return i
    return None


def _results(mentions: list[Mention], doc) -> list[Mention]:
    """ "d_ff = 4 × d_model = 4096": a setting's number followed by a product sign is a coefficient; the
    setting is the number after the next "=" (or nothing when there is none)."""
    if doc is None:
        return mentions
    signs = set(load_toml("modifications.toml")["coefficient"])
    out = []
    for m in mentions:
        if m.label in ("TF", "EMBED") and m.start and doc[m.start - 1].text in signs:
            continue  # "4 × d_model = 3072": the right operand of a product, not a setting
        sign = doc[m.end].text if m.end < len(doc) else ""
        # "4 × d_model", or "4 xd_model" as the LaTeX "4 \\times d_{model}" reads once converted
        product = sign in signs or (sign[:1] in signs and sign[1:2].isalpha())
        if m.label != "TF" or not isinstance(m.value, int) or not product:
            out.append(m)
            continue
        tail = list(doc[m.end:m.end + 10])
        at = next((i for i, t in enumerate(tail) if t.text == "="), None)
        if at is not None and at + 1 < len(tail) and tail[at + 1].text.replace(",", "").isdecimal():
            out.append(replace(m, value=int(tail[at + 1].text.replace(",", ""))))
    return out


def _changed_first(mentions: list[Mention], doc) -> list[Mention]:
    """The settings said after a change marker first (the last said first), so each replaces the earlier
    value of the same setting."""
    at = _change_at(doc)
    if at is None:
        return mentions
    return [m for m in reversed(mentions) if m.start >= at] + [m for m in mentions if m.start < at]


def superseded(mentions: list[Mention], doc) -> tuple[int, ...]:
    """The values of the settings a change replaced ("heads: 8" ... "heads is increased to 16": 8)."""
    at = _change_at(doc)
    if at is None:
        return ()
    mentions = _results(mentions, doc)
    later = {(m.label, m.id) for m in mentions if m.start >= at and m.label in ("TF", "EMBED")}
    old = [m for m in mentions if m.start < at and (m.label, m.id) in later and isinstance(m.value, int)]
    values = [m.value for m in old]
    heads = next((m.value for m in old if m.id == "heads"), None)
    width = next((m.value for m in mentions if m.start < at and m.id in ("width", "dim") and isinstance(m.value, int)
                  and m.label in ("TF", "EMBED")), None)
    if heads and width and width % heads == 0:
        values.append(width // heads)  # the per-head size of the heads replaced ("Dimension of each head: 64")
    return tuple(values)


def _all_widths(mentions: list[Mention]) -> list[int]:
    return [m.value for m in mentions if isinstance(m.value, int) and (
        (m.label == "TF" and m.id in ("width", "width_loose")) or (m.label == "EMBED" and m.id == "dim")
        or m.label == "UNITS")]


def read_config(mentions: list[Mention], doc=None) -> Config:
    """The configuration the text states, completed by the preset it names."""
    presets = load_toml("presets.toml")
    cfg = Config()
    mentions = _changed_first(_results(_sizes(mentions, doc), doc), doc)
    models = [m.id for m in mentions if m.label == "MODEL" and not m.id.startswith("?")]
    if models:
        name = max(models, key=lambda n: ("-" in n, len(n)))  # the most specific name given
        entry = presets[name]
        name = entry.get("preset", name)
        cfg.preset, cfg.family = name, presets[name]["family"]
    named = [m for m in mentions if m.label == "MODEL" and not m.id.startswith("?")]
    if named and doc is not None and all(_generic(m, doc) for m in named):
        cfg.generic = True  # "a GPT-style model", "a small Vision Transformer": the family, not its sizes
    unknown = [m for m in mentions if m.label == "MODEL" and m.id.startswith("?")]
    if unknown and not models:  # "ViT-S/16": a variant nlqa has no preset for: the family, from the text only
        cfg.family, cfg.unknown = unknown[0].id[1:], unknown[0].text
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
        "segments": _first(mentions, "TF", "segments") or (0 if any(  # "0 token types"
            m.label == "TF" and m.id == "segments" and m.value == 0 for m in mentions) else None),
        "patch": _first(mentions, "TF", "patch"),
        "classes": _first(mentions, "CLASSES"),
    }
    image = _first(mentions, "INPUT", "image")
    if image:
        said["image"] = image
    shapes = [m.value for m in mentions if m.label == "INPUT" and m.id == "image" and isinstance(m.value, tuple)]
    channels = [int(m.id) for m in mentions if m.label == "CHANNELS" and m.id.isdecimal()]
    if doc is not None and not channels:
        words = vocab()["channel_words"]
        channels = [int(words[t.lower_]) for t in doc if t.lower_ in words and isinstance(words[t.lower_], int)]
    if shapes and len(shapes[0]) == 3:
        said["channels"] = shapes[0][2]  # "224x224x3"
    elif channels:
        said["channels"] = channels[0]  # "grayscale", "RGB"
    if cfg.family == "vit":  # "ViT-B/32", "vit_large_patch16_384": the name gives the patch (and image) size
        for m in mentions:
            if m.label != "MODEL":
                continue
            named = re.search(r"/(\d+)$|patch(\d+)_(\d+)$", m.text.lower())
            if named and not said["patch"]:
                said["patch"] = int(named.group(1) or named.group(2))
            if named and named.group(3) and not said.get("image"):
                said["image"] = int(named.group(3))
    ids = {m.id for m in mentions if m.label == "TF"}
    if "no_pooler" in ids:
        said["pooler"] = False
    elif "pooler" in ids:
        said["pooler"] = True
    if "one_segment" in ids and said["segments"] is None:
        said["segments"] = 1  # "a single token type"
    elif "no_segments" in ids and said["segments"] is None:
        said["segments"] = 0  # "no token type embeddings"
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
        if cfg.generic:
            skip = set(CONFIG_KEYS) - set(FAMILY_KEYS)
        for key in CONFIG_KEYS:
            if key not in cfg.values and key in preset and key not in skip:
                cfg.values[key] = presets[cfg.preset][key]
                cfg.from_preset.add(key)
    return cfg


def _stacks(mentions: list[Mention]) -> tuple[int, int] | None:
    """(encoder layers, decoder layers) when the text gives both ("6 encoder layers and 6 decoder layers")."""
    said = {}
    for m in mentions:
        if m.label == "TF" and m.id == "layers" and isinstance(m.value, int):
            for side in ("encoder", "decoder"):
                if side in m.text.lower():
                    said.setdefault(side, m.value)
    return (said["encoder"], said["decoder"]) if len(said) == 2 else None


def _dot_attention(mentions: list[Mention], doc, framework: str) -> tuple[NetworkSpec, list[str], list[str]] | None:
    """ "Zero trainable params in layers.Attention?": Keras's own Attention layer, named by its API path, is
    the one the question's other "Attention layer" words mean (unless a width, heads or a model are given)."""
    if not any(m.label == "KIND" and m.id == "DotAttention" for m in mentions) or any(
            m.label in ("MODEL", "TF") for m in mentions):
        return None
    text = doc.text if doc is not None else ""
    scale = re.search(r"use_scale\s*=\s*True", text) is not None
    width = next((w for w in _all_widths(mentions)), None)
    note = ("Keras layers.Attention is dot-product (Luong-style) attention: scores are query·key products, "
            + ("with one learned scale (use_scale=True)" if scale else "with no weights (use_scale=False, the default)"))
    layer = LayerSpec("DotAttention", use_scale=scale, name="Attention")
    return NetworkSpec((None, width or 1), (layer,), "keras" if framework == "textbook" else framework), [note], []


def build(mentions: list[Mention], kinds: list[str], excluded: set[str], bias: bool,
          framework: str, doc=None) -> tuple[NetworkSpec | None, list[str], list[str]]:
    """The spec of the model or block the question describes; (spec, assumptions, missing)."""
    dot = _dot_attention(mentions, doc, framework)
    if dot is not None:
        return dot
    cfg = read_config(mentions, doc)
    kinds = _counted_kinds(kinds, mentions, doc) if cfg.family else kinds
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
    strict = cfg.unknown or cfg.generic  # no preset gives the sizes the text leaves out
    if strict and not v.get("layers"):
        missing.append("the number of layers")
    if strict and cfg.family in ("bert", "gpt") and "embeddings" not in excluded:
        missing += [what for key, what in (("vocab", "the vocabulary size (how many tokens)"),
                                           ("positions", "the number of positions (the maximum sequence length)"))
                    if not v.get(key)]
    if cfg.family == "vit" and strict:
        missing += [what for key, what in (("image", "the input image size"), ("patch", "the patch size"))
                    if not v.get(key)]
    if missing and cfg.unknown:
        missing.insert(0, f"the configuration of {cfg.unknown} (nlqa has no preset for this variant)")
    if missing:
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
                                    center=family == "bert" and not any(
                                        m.label == "TF" and m.id == "no_embedding_norm" for m in mentions),
                                    name="embeddings"))
        layers.append(LayerSpec("GPTBlock" if family == "gpt" else "TransformerEncoderLayer",
                                repeat=v.get("layers", 1), name="transformer layers", **block))
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
    elif _stacks(mentions):  # "4 encoder layers and 2 decoder layers": an encoder-decoder transformer
        encoders, decoders = _stacks(mentions)
        text = doc.text.lower() if doc is not None else ""
        final_norms = "nn.transformer" in text or "pytorch" in text
        layers.append(LayerSpec("TransformerEncoderLayer", repeat=encoders, name="encoder layers", **block))
        if final_norms:
            layers.append(LayerSpec("LayerNormalization", name="encoder final LayerNorm"))
        layers.append(LayerSpec("TransformerDecoderLayer", repeat=decoders, name="decoder layers", **block))
        if final_norms:
            layers.append(LayerSpec("LayerNormalization", name="decoder final LayerNorm"))
            assumptions.append("as in PyTorch's nn.Transformer, the encoder and the decoder each end in a LayerNorm")
        shape = (None, d)
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


def lora_request(question: str) -> tuple[dict[str, Any] | None, tuple[int, int] | None, list[str], list[str]]:
    """ "LoRA with rank=4 on Q and V of GPT-2 medium": the adapters asked on a model or block read from its
    configuration; (the lora setting, the rank's span, missing, assumptions), or Nones when no LoRA is asked."""
    if not asks(question, "lora"):
        return None, None, [], []
    rank, targets, named = read_lora(question)
    if rank is None:
        return None, None, ["the LoRA rank r, e.g. 'r=8'"], []
    notes = [] if named else ["no matrices named: LoRA on the query and value projections (q_proj, v_proj), "
                              "as in the LoRA paper and PEFT's default"]
    return {"rank": rank[0], "targets": targets}, (rank[1], rank[2]), [], notes
