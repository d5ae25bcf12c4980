"""JSON: the answer contract of docs/json.md, one object on one line."""

from __future__ import annotations

from typing import TYPE_CHECKING

import json
import re

if TYPE_CHECKING:
    from ..answer import Answer


# json.dumps escapes C0 controls itself; with ensure_ascii=False it leaves DEL and the C1 controls
# (0x9b is a one-byte CSI on some terminals) raw, so those are written as \\u escapes too.
RAW_CONTROL = re.compile(r"[\x7f-\x9f]")


def render_json(answer: Answer, extraction: bool = False) -> str:
    """``json.dumps(answer.to_dict(), ensure_ascii=False)``; ``extraction=True`` adds the reader's view."""
    data = answer.to_dict()
    if extraction:
        data["extraction"] = answer.extraction
    text = json.dumps(data, ensure_ascii=False)
    return RAW_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
