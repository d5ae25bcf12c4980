"""The values a layer's code template is filled with, and the conditions its options name.

``fields(count, framework)`` turns one counted layer (its spec and its input and output shapes) into
the template fields of ``grammars/export.toml`` ({i}, {u}, {k}, ...); ``CONDITIONS`` holds the named
tests the templates' ``opts``, ``refuse``, ``wrap`` and ``before`` tables refer to.
"""

from __future__ import annotations

from typing import Any, Callable

from ..core.conv import CONV_DIMS, POOL_DIMS
from ..core.spec import LayerCount

RECURRENT = ("SimpleRNN", "LSTM", "GRU")


def _sides(value, dims: int, default: int) -> tuple[int, ...]:
    if value is None:
        return (default,) * dims
    if isinstance(value, int):
        return (value,) * dims
    value = tuple(value)
    return value * dims if len(value) == 1 else value


def literal(sides: tuple[int, ...]) -> str:
    """Equal sides as one int (3), others as a Python tuple ((3, 5))."""
    if len(set(sides)) == 1:
        return str(sides[0])
    return "(" + ", ".join(str(s) for s in sides) + ")"


def _dims(kind: str) -> int:
    return CONV_DIMS.get(kind) or POOL_DIMS.get(kind) or (int(kind[-2]) if kind[-2:-1].isdigit() else 1)


def _explicit(padding) -> bool:
    return padding not in ("valid", "same", None)


def _elements(shape) -> int:
    size = 1
    for side in shape:
        size *= side or 1
    return size


def fields(c: LayerCount, framework: str) -> dict[str, Any]:
    """Every template field of one counted layer (unused ones are harmless)."""
    spec, shape = c.spec, tuple(c.input_shape)
    dims = _dims(spec.kind)
    i = spec.in_features or (shape[-1] if shape else None)
    out: dict[str, Any] = {"i": i, "u": spec.units, "dims": dims, "m": spec.depth_multiplier, "g": spec.groups,
                           "vocab": spec.vocab, "proj": spec.proj_size, "merge": spec.merge_mode,
                           "repeat": spec.repeat, "bn_dims": min(max(len(shape) - 1, 1), 3)}
    k = _sides(spec.kernel, dims, 1)
    s = _sides(spec.strides, dims, 1)
    d = _sides(spec.dilation, dims, 1)
    pool = _sides(spec.pool, dims, 2)
    out.update(k=literal(k), s=literal(tuple(si or pi for si, pi in zip(_sides(spec.strides, dims, 0), pool)))
               if spec.kind in POOL_DIMS else literal(s), d=literal(d), pool=literal(pool))
    if _explicit(spec.padding):
        p = _sides(spec.padding, dims, 0)
        out["p"] = literal(p)
    elif spec.padding == "same":
        out["p"] = '"same"'
    else:
        out["p"] = "0" if framework == "pytorch" else '"valid"'
    op = _sides(spec.output_padding, dims, 0)
    if spec.kind.endswith("Transpose") and spec.padding in ("valid", None) and framework == "pytorch":
        op = tuple(max(si - ki, 0) for si, ki in zip(s, k))   # Keras 'valid': n·s + max(k − s, 0)
    out["op"] = literal(op)
    out["bias_opt"] = "" if spec.bias else ", bias=False"
    # attention
    d_model = spec.units or (shape[-1] if shape else None)
    out["u"] = spec.units if spec.units is not None else d_model
    heads = spec.heads or 1
    out["heads"] = heads
    out["key_dim"] = spec.key_dim or (d_model // heads if d_model else None)
    out["value_dim"] = spec.value_dim
    out["kdim"], out["vdim"] = spec.kdim, spec.vdim
    out["ff"] = spec.ff or (4 * d_model if d_model else None)
    out["keys"] = f"x.new_zeros(*x.shape[:-1], {spec.kdim})" if spec.kdim and spec.kdim != d_model else "x"
    out["values"] = f"x.new_zeros(*x.shape[:-1], {spec.vdim})" if spec.vdim and spec.vdim != d_model else "x"
    out["merge_opt"] = "" if spec.merge_mode == "concat" else f', merge_mode="{spec.merge_mode}"'
    # PReLU: how many slopes, and the axes Keras shares one slope over
    alphas, elements, rank = spec.units or _elements(shape), _elements(shape), len(shape)
    out.update(alphas=alphas, elements=elements, channels=shape[-1] if shape else None, framework=framework)
    last = rank + 1 if alphas == 1 else rank        # one slope: shared over every axis; per channel: not C
    out["shared_axes"] = "[" + ", ".join(str(a) for a in range(1, last)) + "]"
    out["sequence_out"] = len(c.output_shape) == 2 and spec.kind in RECURRENT
    out["_k"], out["_s"], out["_d"] = k, s, d
    return out


Condition = Callable[[Any, dict], bool]

CONDITIONS: dict[str, Condition] = {
    "always": lambda spec, f: True,
    "no_bias": lambda spec, f: not spec.bias,
    "bidirectional": lambda spec, f: spec.bidirectional,
    "merge_not_concat": lambda spec, f: spec.bidirectional and spec.merge_mode != "concat",
    "projected": lambda spec, f: spec.proj_size > 0,
    "reset_before": lambda spec, f: spec.kind == "GRU" and spec.reset_after is False,
    "sequences": lambda spec, f: f["sequence_out"],
    "strided": lambda spec, f: any(v != 1 for v in f["_s"]),
    "pool_strided": lambda spec, f: spec.strides is not None and f["s"] != f["pool"],
    "dilated": lambda spec, f: any(v != 1 for v in f["_d"]),
    "grouped": lambda spec, f: spec.groups != 1,
    "multiplied": lambda spec, f: spec.depth_multiplier != 1,
    "padded": lambda spec, f: (_explicit(spec.padding) and any(_sides(spec.padding, f["dims"], 0)))
                              or (spec.padding == "same" and not spec.kind.endswith("Transpose")
                                  and "Pooling" not in spec.kind and f.get("framework") == "pytorch"),
    "same_padding": lambda spec, f: spec.padding == "same",
    "same_strided": lambda spec, f: spec.padding == "same" and any(v != 1 for v in f["_s"]),
    "padding_word": lambda spec, f: spec.padding == "same" or (spec.padding in ("valid", None)
                                                                and any(v != 1 for v in f["_d"])),
    "out_padded": lambda spec, f: f["op"] != "0",
    "no_affine": lambda spec, f: not spec.center and not spec.scale,
    "half_affine": lambda spec, f: spec.center != spec.scale,
    "scale_only": lambda spec, f: spec.scale and not spec.center,
    "offset_only": lambda spec, f: spec.center and not spec.scale,
    "no_center": lambda spec, f: not spec.center,
    "no_scale": lambda spec, f: not spec.scale,
    "bias_kv": lambda spec, f: spec.bias_kv,
    "key_width": lambda spec, f: bool(spec.kdim) and spec.kdim != f["u"],
    "value_width": lambda spec, f: bool(spec.vdim) and spec.vdim != f["u"],
    "keras_key_dim": lambda spec, f: bool(spec.key_dim) and (spec.heads or 1) * spec.key_dim != f["u"]
                                     or bool(spec.value_dim) and (spec.heads or 1) * spec.value_dim != f["u"],
    "value_dim_given": lambda spec, f: bool(spec.value_dim),
    "alphas_per_element": lambda spec, f: f["alphas"] not in (1, f["channels"]),
    "alphas_shared": lambda spec, f: f["alphas"] != f["elements"],
    "alphas_uneven": lambda spec, f: f["alphas"] not in (1, f["channels"], f["elements"]),
}

