"""LoRA adapters on a counted model: ``r·(d_in + d_out)`` per adapted matrix, per layer.

Each adapted weight W (d_in × d_out) gets A (d_in × r) and B (r × d_out); the base model is frozen,
so the adapters are the trainable parameters. The matrices come from the spec's blocks.
"""

from __future__ import annotations

from ..errors import SpecError
from .spec import NetworkSpec, Term

TARGETS = ("q", "k", "v", "o", "gate", "up", "down")


def matrix_shapes(spec: NetworkSpec) -> tuple[int, dict[str, tuple[int, int]]]:
    """(layers, {target: (d_in, d_out)}) of the first stack of attention blocks in ``spec``."""
    for layer in spec.layers:
        if layer.kind == "TransformerBlock":
            d, h = layer.units, layer.heads
            k = layer.head_dim or d // h
            g = layer.kv_heads or h
            shapes = {"q": (d, h * k), "k": (d, g * k), "v": (d, g * k), "o": (h * k, d)}
            if layer.gated:
                shapes.update(gate=(d, layer.ff), up=(d, layer.ff), down=(layer.ff, d))
            else:
                shapes.update(up=(d, layer.ff), down=(layer.ff, d))
            if layer.experts:
                shapes = {t: s for t, s in shapes.items() if t in ("q", "k", "v", "o")}
            return layer.repeat, shapes
        if layer.kind in ("TransformerEncoderLayer", "TransformerDecoderLayer", "GPTBlock"):
            d, f = layer.units, layer.ff or 4 * layer.units
            return layer.repeat, {"q": (d, d), "k": (d, d), "v": (d, d), "o": (d, d), "up": (d, f), "down": (f, d)}
    raise SpecError("the model has no transformer blocks for LoRA adapters to attach to.")


def lora_terms(spec: NetworkSpec, rank: int, targets: tuple[str, ...]) -> list[Term]:
    """One term per adapted matrix kind: ``layers · r · (d_in + d_out)``."""
    if rank <= 0:
        raise SpecError("the LoRA rank r must be positive.")
    layers, shapes = matrix_shapes(spec)
    missing = [t for t in targets if t not in shapes]
    if missing:
        raise SpecError(f"the model has no {', '.join(missing)} projection for LoRA to adapt.")
    terms = []
    for t in targets:
        d_in, d_out = shapes[t]
        terms.append(Term(f"LoRA on {t}_proj ({d_in:,} → {d_out:,}): layers × r × (d_in + d_out)", "weights",
                          (layers, rank, d_in + d_out), layers * rank * (d_in + d_out)))
    return terms
