"""Attributes of convolution, pooling and embedding phrases: filters, kernel, stride, padding...

Each CONV/EMBED mention belongs to the nearest layer phrase of a matching family in its clause
(the one before it, else the one after it); a mention in a clause with no such phrase ("Stride 1,
no padding.") applies to every phrase of that family that does not set it itself.
"""

from __future__ import annotations

from . import docwords
from .groups import Group
from .mentions import Mention, Reading, shape, vocab

CONV_KINDS = {"Conv", "Conv1D", "Conv2D", "Conv3D", "DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose"}
POOL_KINDS = {"MaxPool", "AvgPool"}
FAMILY = {"filters": CONV_KINDS, "kernel": CONV_KINDS, "stride": CONV_KINDS | POOL_KINDS,
          "padding_same": CONV_KINDS | POOL_KINDS, "padding_valid": CONV_KINDS | POOL_KINDS,
          "padding": CONV_KINDS | POOL_KINDS, "dilation": CONV_KINDS, "multiplier": CONV_KINDS,
          "pool": POOL_KINDS, "groups": CONV_KINDS, "in_channels": set(),
          "vocab": {"Embedding"}, "dim": {"Embedding"}, "table": {"Embedding"}, "length": set()}
TF_FAMILY = {"positions": {"Embedding"},  # "learned positional embeddings for 256 positions"
             "width": {"Embedding"}}     # "embedding dimension 128"


def _clause_of(reading: Reading) -> list[int]:
    """Each token's clause number. A paragraph or list item that names a layer kind starts a clause
    ("- Conv1: 16 filters, stride 1" / "- MaxPool1: stride 2"); one that does not continues the layer
    above it ("A convolutional layer has:" / "- 16 filters, each 5x5")."""
    breaks = vocab()["clause_breaks"] | {","} - {","}
    doc = reading.doc
    lower = docwords.lower(doc)
    paragraphs = [i for i, word in enumerate(docwords.texts(doc)) if "\n\n" in word] \
        if "\n\n" in docwords.text(doc) else []
    if paragraphs:
        layer_words = set(vocab()["layer_words"])
        starts = set(paragraphs)
        kinds = sorted([m.start for m in reading.mentions if m.label == "KIND"] +  # "- Layer-2: Filter Size 5x5"
                       [i for p in paragraphs for i in range(p + 1, min(p + 4, len(doc)))
                        if lower[i] in layer_words])
        paragraphs.append(len(doc))
    clause, out = 0, []
    for i, word in enumerate(lower):
        if word in breaks and word not in (",",):
            clause += 1
        elif paragraphs and i in starts:
            end = next(p for p in paragraphs if p > i)
            clause += any(i < k < end for k in kinds)
        out.append(clause)
    return out


def _bare_shapes(reading: Reading, groups: list[Group], clause: list[int]) -> None:
    """A shape right after a conv or pooling phrase is its kernel or window: "conv 3×3", "MaxPool 2×2"."""
    for g in groups:
        if g.code is not None or g.kind not in CONV_KINDS | POOL_KINDS:
            continue
        key = "kernel" if g.kind in CONV_KINDS else "pool"
        if key in g.attrs:
            continue
        if any(m.label == "ROLE" and m.id == "input" and m.end <= g.start and clause[m.start] == clause[g.start]
               for m in reading.mentions):
            continue  # "the input to a conv layer is 5x5x3": the shape is the input's, not a kernel
        later = [h.start for h in groups if h.start >= g.end]
        stop = min(later) if later else len(reading.doc)
        for i in range(g.end, stop):
            if clause[i] != clause[min(g.start, len(clause) - 1)]:
                break
            value = shape(reading.doc[i].text)
            if value is not None and i not in reading.covered:
                g.attrs[key] = Mention("CONV", key, i, i + 1, value, reading.doc[i].text)
                break


def assign_attributes(reading: Reading, groups: list[Group]) -> dict[str, Mention]:
    """Fill ``group.attrs``; return the attributes that apply to the whole network."""
    clause = _clause_of(reading)
    global_attrs: dict[str, Mention] = {}
    for m in reading.mentions:
        if m.label not in ("CONV", "EMBED") and not (m.label == "TF" and m.id in TF_FAMILY):
            continue
        family = FAMILY.get(m.id, set()) if m.label != "TF" else TF_FAMILY[m.id]
        if m.id == "kernel":  # "MaxPooling2D with a 2x2 window": the layer's kind decides the slot
            family = family | POOL_KINDS
        candidates = [g for g in groups if g.kind in family and g.code is None]
        shared = {reading.doc[i].lower_ for i in range(max(m.start - 2, 0), m.start)} & {"both", "each", "all", "every"}
        if shared and candidates:  # "two conv layers with 64 filters each (padding 1)": that phrase's layers
            previous = [g for g in candidates if g.start <= m.start and clause[min(g.start, len(clause) - 1)] == clause[m.start]]
            if previous and (previous[-1].count or 1) > 1:
                previous[-1].attrs.setdefault(m.id, m)
                continue
        if not candidates or shared:  # "both of width 128" applies to every such layer
            global_attrs.setdefault(m.id, m)
            continue
        same = [g for g in candidates if clause[min(g.start, len(clause) - 1)] == clause[m.start]]
        before = [g for g in same if g.start <= m.start]
        after = [g for g in same if g.start > m.start]
        adjacent = [g for g in after if g.start - m.end <= 1  # "a 3x3 conv": the head follows
                    and reading.doc[m.end].text not in (",", ";")]  # not "... same padding, maxpool"
        target = adjacent[0] if adjacent else before[-1] if before else (after[0] if after else None)
        if target is None:
            global_attrs.setdefault(m.id, m)
            continue
        if m.id == "kernel" and target.kind in POOL_KINDS:
            target.attrs.setdefault("pool", Mention(m.label, "pool", m.start, m.end, m.value, m.text))
            continue
        target.attrs.setdefault(m.id, m)
    _bare_shapes(reading, groups, clause)
    for g in groups:
        for key, m in global_attrs.items():
            if g.kind in FAMILY.get(key, TF_FAMILY.get(key, set())) and g.code is None:
                g.attrs.setdefault(key, m)
    return global_attrs
