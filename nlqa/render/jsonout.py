"""JSON: the answer contract of docs/json.md, one object on one line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import json
import math
import re

if TYPE_CHECKING:
    from ..answer import Answer


# json.dumps escapes C0 controls itself; with ensure_ascii=False it leaves DEL and the C1 controls
# (0x9b is a one-byte CSI on some terminals) raw, so those are written as \\u escapes too.
# The bidirectional controls (U+202E ...) are escaped too: a terminal showing the line would reorder it.
RAW_CONTROL = re.compile(r"[\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
NON_FINITE = {"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}


def strict(value):
    """``value`` with every float that JSON cannot hold (NaN, ±Infinity) as a string: output is
    strict JSON (RFC 8259), which ``json.dumps`` writes only with ``allow_nan=False``."""
    if isinstance(value, float) and not math.isfinite(value):
        return NON_FINITE[repr(value)]
    if isinstance(value, dict):
        return {k: strict(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [strict(v) for v in value]
    return value


def render_json(answer: Answer, extraction: bool = False, extra: dict | None = None) -> str:
    """``json.dumps(answer.to_dict(), ensure_ascii=False)``; ``extraction=True`` adds the reader's view,
    ``extra`` more fields (``code`` of ``--code``, ``verify`` of ``--verify``)."""
    data = {**answer.to_dict(), **(extra or {})}
    if extraction:
        data["extraction"] = answer.extraction
    text = json.dumps(strict(data), ensure_ascii=False, allow_nan=False)
    return RAW_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
