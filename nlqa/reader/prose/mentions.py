"""Matcher results → typed mentions: overlaps resolved, numbers and shapes given values."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ...resources import load_toml
from . import docwords
from .pipeline import ARCH_RE, SHAPE_RE, Pattern, reader



@dataclass
class Mention:
    label: str
    id: str
    start: int          # token span in the doc
    end: int
    value: Any = None   # int, shape tuple or None
    text: str = ""


@lru_cache(maxsize=None)
def vocab() -> dict[str, Any]:
    table = load_toml("vocab.toml")
    return {key: (set(v) if isinstance(v, list) else v) for key, v in table.items()}


def number(text: str) -> int | float | None:
    """The value of a number token ("64", "0.001"); None for anything else."""
    text = text.replace(",", "")
    try:
        if text.isdecimal():
            return int(text)
        return float(text)
    except ValueError:
        return None


def shape(text: str) -> tuple | None:
    """A shape token's sides: "(3,1)" → (3, 1); "28x28x3" → (28, 28, 3); batch/None → None."""
    if not SHAPE_RE.match(text):
        return None
    parts = text.strip("()").split(",") if text.startswith("(") else text.split("x")
    if len(parts) > 1 and parts[0] in ("batch", "B", "N"):
        parts = parts[1:]  # an explicit batch dimension is not part of the shape
    sides = []
    for part in parts:
        if not part:
            continue
        sides.append(int(part) if part.isdecimal() else None)
    return tuple(sides)


def architecture(text: str) -> tuple[int, ...] | None:
    """"4-8-8-3" → (4, 8, 8, 3); a date ("2014-09-18", a log line's) is none."""
    if not ARCH_RE.match(text):
        return None
    sizes = tuple(int(p) for p in text.split("-"))
    if len(sizes) == 3 and 1900 <= sizes[0] <= 2099 and 1 <= sizes[1] <= 12 and 1 <= sizes[2] <= 31 \
            and len(text.split("-")[1]) == 2:
        return None
    return sizes


@dataclass
class Reading:
    """A tokenized question with its mentions (non-overlapping) and sentence boundaries."""

    doc: Any
    mentions: list[Mention]
    sentence_of: list[int]          # token index → sentence number
    covered: dict[int, Mention]     # token index → the mention covering it

    def tokens(self) -> list[str]:
        return [t.text for t in self.doc]


def _resolve(found: list[tuple[Pattern, int, int, int | None]], doc) -> list[Mention]:
    """Longest mention first; on a tie the match that read more context ("Filter Size 3x3" as a kernel
    over "Size 3x3" as an input), then the pattern listed first; no two mentions overlap."""
    trimmed = []
    for entry, start, end, value_at in found:
        cover = (start, end)
        if entry.span is not None:  # the match reads its context, the mention covers only a part
            a, b = entry.span  # non-negative: from the match's start; negative or 0 (b): from its end
            cover = (start + a if a >= 0 else end + a, start + b if b > 0 else end + b)
        trimmed.append((entry, value_at, cover, end - start))
    order = sorted(trimmed, key=lambda f: (-(f[2][1] - f[2][0]), -f[3], f[0].line, f[2][0]))
    taken: set[int] = set()
    chosen = []
    for entry, value_at, (start, end), _ in order:
        if any(i in taken for i in range(start, end)):
            continue
        taken.update(range(start, end))
        value = None
        if value_at is not None:
            token = doc[value_at]
            value = shape(token.text)
            if value is None:
                value = number(token.text)
        chosen.append(Mention(entry.label, entry.id, start, end, value, doc[start:end].text))
    chosen.sort(key=lambda m: m.start)
    return chosen


def read(text: str) -> Reading:
    doc, found = reader()(text)
    return reading_from(doc, found)


def reading_from(doc, found) -> Reading:
    nouns = vocab()["unit_nouns"] | {"neuron", "unit", "node"}
    found = [(e, s, t, v) for e, s, t, v in found  # "hidden layer 3 neurons": a size, not layer number 3
             if not (e.label == "LAYERNUM" and t < len(doc) and doc[t].lower_ in nouns)
             # "a 28x28x1 input has three conv layers": the shape before "input" is its size
             and not (e.label == "INPUT" and s > 0 and doc[s].lower_ in ("input", "inputs")
                      and SHAPE_RE.match(doc[s - 1].text))]
    mentions = _resolve(found, doc)
    sentence_of, sentence = [], 0
    for word in docwords.texts(doc):
        sentence_of.append(sentence)
        if word in (".", "?", "!") or "\n\n" in word:
            sentence += 1
    covered = {}
    for mention in mentions:
        for i in range(mention.start, mention.end):
            covered[i] = mention
    return Reading(doc, mentions, sentence_of, covered)
