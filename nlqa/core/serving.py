"""Memory to serve a model: the KV cache its attention layers keep, from the counted spec.

KV cache = 2 (keys and values) · layers · kv_heads · head_dim · tokens · batch · bytes per value.
Grouped-query attention keeps only its key/value heads; activations are not part of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..errors import SpecError
from .spec import NetworkSpec

ATTENTION_KINDS = ("TransformerBlock", "GPTBlock", "TransformerEncoderLayer", "TransformerDecoderLayer")


@dataclass(frozen=True)
class CacheShape:
    layers: int
    kv_heads: int
    head_dim: int


def cache_shape(spec: NetworkSpec) -> CacheShape:
    """The layers, key/value heads and head width the KV cache of ``spec``'s self-attention holds."""
    blocks = [layer for layer in spec.layers if layer.kind in ATTENTION_KINDS and not layer.cross]
    if not blocks or not blocks[0].heads:
        raise SpecError("the model has no self-attention layers with known heads, so no KV cache.")
    first = blocks[0]
    heads = first.heads
    head_dim = first.head_dim or first.units // heads
    return CacheShape(sum(b.repeat for b in blocks), first.kv_heads or heads, head_dim)


def kv_cache_bytes(shape: CacheShape, tokens: int, batch: int, per_value: Fraction) -> tuple[int, list[str]]:
    """``2 · L · g · k · tokens · batch · bytes``, with the steps that compute it."""
    values = 2 * shape.layers * shape.kv_heads * shape.head_dim * tokens * batch
    total = values * per_value
    per = f"{per_value.numerator}/{per_value.denominator}" if per_value.denominator != 1 else f"{per_value.numerator}"
    steps = ["KV cache = 2 (keys and values) × layers × kv_heads × head_dim × tokens × batch × bytes",
             f"  = 2 × {shape.layers} × {shape.kv_heads} × {shape.head_dim} × {tokens:,} × {batch} × {per}"
             f" = {int(total):,} B"]
    return int(total), steps
