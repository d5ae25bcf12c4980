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

from ..resources import load_toml
from .code import CodeReading


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
