"""Keras input shapes written channels first, read channels last (the counting core's layout).

Keras counts a convolution's input channels from the last axis unless the layer (or keras.json)
says ``data_format="channels_first"``. A question shows that layout in the code
(``data_format='channels_first'``) or in the prose that names the axes ("an input shape (3, 16, 112,
112) (channels, frames, height, width)"); the signals are data (``grammars/tables.toml`` [layout]).
Then each input shape the code gives, with the channels and two or more spatial sides, is rotated
from (C, ...) to (..., C), and the answer says so.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

from ...resources import load_toml
from .notation import CodeLayer, CodeReading


@lru_cache(maxsize=1)
def _signals() -> re.Pattern:
    return re.compile("|".join(f"(?:{p})" for p in load_toml("tables.toml")["layout"]["channels_first"]), re.I)


def _rotated(shape):
    if isinstance(shape, tuple) and len(shape) >= 3 and all(isinstance(s, int) or s is None for s in shape):
        return shape[1:] + shape[:1]
    return shape


def channels_last(code: CodeReading, question: str) -> tuple[CodeReading, str | None]:
    """The code reading with Keras input shapes rotated channels last when the question says they
    are channels first; the note for the answer (None when nothing was rotated)."""
    if "keras" not in code.frameworks or "pytorch" in code.frameworks or not _signals().search(question):
        return code, None
    if not (code.input_shape and len(code.input_shape) >= 3) and not any(
            c.input_shape and len(c.input_shape) >= 3 for c in code.layers):
        return code, None
    before = code.input_shape or next(c.input_shape for c in code.layers if c.input_shape)
    code.input_shape = _rotated(code.input_shape)
    code.layers = [replace(c, input_shape=_rotated(c.input_shape)) for c in code.layers]
    after = _rotated(before)
    return code, (f"the input {before} is channels first (as the question says), so Keras reads it as "
                  f"{after} with {before[0]} channel{'' if before[0] == 1 else 's'}")


@lru_cache(maxsize=1)
def _tensor_rules() -> dict:
    return load_toml("tables.toml")["layout"]


def data_input(shape: tuple, layout: str, first: CodeLayer | None) -> tuple[tuple, str | None]:
    """One sample of a data tensor the code feeds to the network, channels last (the core's
    layout), and the note saying how its axes were read (None when only the batch axis went).

    The batch axis is the first (``tf.random.uniform((5, 7, 8))``: 5 samples of (7, 8)), except
    for a PyTorch recurrent layer without ``batch_first=True``, which reads (T, N, F). A PyTorch
    tensor with no more axes than one sample has is unbatched. PyTorch convolutions, pooling and
    batch norm read the channels right after the batch (N, C, H, W)."""
    rules = _tensor_rules()
    kind = first.spec.kind if first is not None else None
    rank = sample_rank(kind)
    torch = layout == "channels_first"
    if torch and kind in rules["torch_time_major"] and len(shape) == 3:
        if first.batch_first:
            return shape[1:], None
        return (shape[0], shape[2]), (f"the tensor {shape} is (time steps, batch, features), as PyTorch's "
                                      f"{kind} reads it without batch_first=True: {shape[0]} time steps of "
                                      f"{shape[2]} features")
    batched = len(shape) >= 2 and not (torch and rank is not None and len(shape) <= rank)
    sample = shape[1:] if batched else shape
    if torch and kind in rules["torch_channels_first"] and len(sample) >= 2:
        turned = sample[1:] + sample[:1]
        return turned, (f"the tensor {shape} is PyTorch's (batch, channels, ...) layout: one sample is "
                        f"{turned} read channels last, with {sample[0]} channel{'' if sample[0] == 1 else 's'}")
    return sample, None


def sample_rank(kind: str | None) -> int | None:
    """The number of axes one sample has for a layer of this kind, where the kind fixes it
    (a 2-D convolution or pooling: 3, (H, W, C)); None for kinds that take any rank."""
    return _tensor_rules()["sample_rank"].get(kind)


def torch_channels_first() -> frozenset[str]:
    """The layer kinds PyTorch feeds (N, C, ...) tensors, channels right after the batch."""
    return frozenset(_tensor_rules()["torch_channels_first"])
