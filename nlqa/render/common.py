"""What every renderer shows, computed once from an Answer: cleaned text, formatted numbers, rows.

Renderers (plain, Markdown, terminal) only lay out a :class:`View`; none of them reads the Answer's
fields directly, so the wording and the control-character cleaning live in one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..answer import Answer

# C0 controls except tab and newline, DEL, and the C1 controls (0x80-0x9f, e.g. CSI 0x9b):
# anything a terminal could read as the start of an escape sequence.
# Also the bidirectional controls (U+202E RIGHT-TO-LEFT OVERRIDE and its kin), which reorder what
# a terminal shows ("Trojan source").
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
STATUS_TITLES = {"needs_clarification": "Needs clarification", "unsupported": "Not supported",
                 "error": "Error"}
LAYER_HEADERS = ("#", "Kind", "Output shape", "Weights", "Biases", "Params", "Trainable")
LAYER_ALIGN = "llrrrrr"                      # l = left, r = right, one letter per column
CHECKS_TITLE = "Your numbers"             # the section that explains the numbers the asker quotes
LAYER_WORDS = {"total_parameters": "parameters", "layer_parameters": "parameters",
               "trainable_parameters": "trainable parameters"}


def clean(text: Any) -> str:
    """``text`` as a string safe to print: terminal control characters and bidirectional controls
    removed, tab and newline kept. Every path that prints user text goes through it."""
    return CONTROL.sub("", str(text))


BINARY = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffd]")
ECHO_CHARS = 80                 # of binary input, the question line shows at most this much


def looks_binary(text: str) -> bool:
    """Bytes rather than words: a NUL, or at least 1 character in 10 a control or U+FFFD."""
    return "\x00" in text or len(BINARY.findall(text)) * 10 >= max(len(text), 1)


def question_echo(question: Any) -> str:
    """The question as echoed back: cleaned; binary input only as the start of its first line."""
    text = str(question)
    if not looks_binary(text):
        return clean(text)
    first = " ".join(clean(text).splitlines()[:1] or [""])
    first = first[:ECHO_CHARS].rstrip()
    return f"{first} … ({len(text):,} characters of binary input; not shown)"


def value_text(value: Any) -> str:
    """An answer value as people write it: 8,874 · (20, 64) · — when there is none."""
    if isinstance(value, bool) or value is None:
        return "—"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, (list, tuple)):            # a shape: no separators, so (1024, 768) has 2 sides
        return "(" + ", ".join("?" if v is None else str(v) for v in value) + ")"
    return clean(value)


def shape_text(shape: Any) -> str:
    """A shape without the batch dimension, Python style and without thousands separators (so
    (1024, 50257) cannot be read as four sides): (6,) · (20, 64); T for the unknown steps of a
    (steps, features) sequence, ? for any other unknown side."""
    if not isinstance(shape, (list, tuple)):
        return "—"
    parts = ["T" if s is None and len(shape) == 2 and at == 0 else "?" if s is None else str(s)
             for at, s in enumerate(shape)]
    return "(" + ", ".join(parts) + (",)" if len(parts) == 1 else ")")


def answer_phrase(answer: Answer) -> str:
    """'145 trainable parameters', 'output shape (20, 64)', '78 parameters in layer 2'; a question
    that asks several things gets every part, in the order asked:
    '448 parameters; output shape (30, 30, 16)'."""
    parts = [p for p in getattr(answer, "parts", ()) or () if isinstance(p, dict)]
    if len(parts) > 1:
        return "; ".join((f"({p['label']}) " if p.get("label") else "")
                         + part_phrase(p.get("quantity"), p.get("value"), None, p.get("layer")) for p in parts)
    return part_phrase(answer.quantity, answer.value, answer.unit, answer.layer)


def part_phrase(quantity: Any, value: Any, unit: Any, layer: Any) -> str:
    """One quantity's value in words: '448 parameters', 'output shape (30, 30, 16) of layer 1'."""
    from ..answer import QUANTITY_WORDS  # here, so importing nlqa.render does not load the reader

    quantity = quantity or "value"
    words = clean(QUANTITY_WORDS.get(quantity, str(quantity).replace("_", " ")))
    shown = value_text(value)
    if quantity == "output_shape":
        text = f"{words} {shown}"
    elif layer is not None:
        text = f"{shown} {LAYER_WORDS.get(quantity, words)}"
    elif unit:
        text = f"{shown} {clean(unit)} ({words})"
    else:
        text = f"{shown} {words}"
    if layer is not None:
        text += f" in layer {clean(layer)}"
    return text


def layer_kind(row: dict) -> str:
    kind = clean(row.get("kind", "?"))
    if row.get("bidirectional"):
        kind = f"bidirectional {kind}"
    if row.get("units") is not None:
        kind += f" ({value_text(row['units'])})"
    counts = [row.get(k) or 0 for k in ("params", "weights", "biases")]
    extra = counts[0] - counts[1] - counts[2] if all(type(c) is int for c in counts) else 0
    if extra > 0:                    # BatchNorm's moving mean and variance: neither weights nor biases
        kind += f" + {extra:,} moving mean/variance" if "BatchNorm" in kind else f" + {extra:,} other"
    if row.get("implicit"):
        kind += ", implied"
    return kind


def layer_rows(network: dict | None) -> tuple[tuple[str, ...], ...]:
    """One row of cells per layer; implied layers (not in the question) are numbered '–'."""
    rows, listed = [], 0
    for row in (network or {}).get("layers", []):
        if not row.get("implicit"):
            listed += 1
        rows.append(("–" if row.get("implicit") else str(listed), layer_kind(row),
                     shape_text(row.get("output_shape")), value_text(row.get("weights")),
                     value_text(row.get("biases")), value_text(row.get("params")),
                     value_text(row.get("trainable"))))
    return tuple(rows)


def totals_row(totals: dict | None) -> tuple[str, ...] | None:
    if not totals:
        return None
    return ("", "Total", "", value_text(totals.get("weights")), value_text(totals.get("biases")),
            value_text(totals.get("total_parameters")), value_text(totals.get("trainable_parameters")))


@dataclass(frozen=True)
class View:
    """An Answer laid out for people; every string here is already cleaned."""

    status: str
    title: str                                   # "" when answered, else "Needs clarification", ...
    question: str
    answer: str                                  # "145 trainable parameters"
    message: str
    missing: tuple[str, ...]
    layers: tuple[tuple[str, ...], ...]
    totals: tuple[str, ...] | None
    steps: tuple[str, ...]
    assumptions: tuple[str, ...]
    alternatives: tuple[tuple[str, str], ...]    # (reading, value)
    related: tuple[str, ...]
    tip: str
    checks: tuple[str, ...] = ()                 # the asker's own numbers, each explained

    @property
    def answered(self) -> bool:
        return self.status == "answered"


def view_of(answer: Answer) -> View:
    answered = answer.status == "answered"
    return View(
        status=answer.status,
        title="" if answered else STATUS_TITLES.get(answer.status, clean(answer.status)),
        question=question_echo(answer.question) or "(empty)",
        answer=answer_phrase(answer) if answered else "",
        message=clean(answer.message),
        missing=tuple(clean(m) for m in answer.missing),
        layers=layer_rows(answer.network),
        totals=totals_row(answer.totals),
        steps=tuple(clean(s) for s in answer.steps),
        assumptions=tuple(clean(a) for a in answer.assumptions),
        alternatives=tuple((clean(a.get("reading", "")), value_text(a.get("value")))
                           for a in answer.alternatives),
        related=tuple(clean(q) for q in answer.related_questions[:5]),
        tip=clean(answer.tip),
        checks=tuple(clean(c.get("explanation", "")) for c in getattr(answer, "checks", ()) or ()
                     if isinstance(c, dict)),
    )


def format_table(headers: tuple[str, ...], rows: list[tuple[str, ...]], align: str, indent: str = "  ") -> list[str]:
    """A fixed-width text table: columns padded to their widest cell, 'r' columns right-aligned."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]
    lines = []
    for row in [headers, *rows]:
        cells = [c.rjust(w) if a == "r" else c.ljust(w) for c, w, a in zip(row, widths, align)]
        lines.append((indent + "  ".join(cells)).rstrip())
    return lines


def explain_lines(extraction: dict | None) -> list[tuple[str, str]]:
    """What the reader understood, as (label, text) pairs: mentions, spec, quantity, assumptions."""
    if not extraction:
        return [("Reader", "no extraction recorded for this question")]
    x = extraction
    out = [("Mentions", ", ".join(f"{clean(m.get('label'))}={clean(m.get('id'))} '{clean(m.get('text'))}'"
                                  for m in x.get("mentions", [])) or "none")]
    spec = x.get("spec")
    if spec:
        out.append(("Input", shape_text(spec.get("input"))))
        for i, layer in enumerate(spec.get("layers", []), 1):
            out.append((f"Layer {i}", ", ".join(f"{k}={clean(v)}" for k, v in layer.items())))
        out.append(("Framework", f"{clean(spec.get('framework'))} (from {clean(x.get('framework_source'))})"))
    else:
        out.append(("Spec", "none (no complete network was read)"))
    out.append(("Quantity", clean(x.get("quantity") or "none")))
    if len(x.get("parts") or []) > 1:
        out.append(("Parts", "; ".join(clean(p.get("quantity")) + (f" (layer {clean(p['layer'])})" if p.get("layer")
                                                                    is not None else "") for p in x["parts"])))
    if x.get("layer") is not None:
        out.append(("Layer asked", clean(x["layer"])))
    for key, label in (("understood", "Understood"), ("assumptions", "Assumption"), ("missing", "Missing")):
        out.extend((label, clean(item)) for item in x.get(key, []))
    out.extend(("Other reading", clean(a.get("reading"))) for a in x.get("alternatives", []))
    if x.get("numbers"):
        out.append(("Numbers", "; ".join(
            f"{clean(n['text'])} → {clean(n['role']).replace('_', ' ')}"
            + (f" (layer {n['layer']})" if n.get("layer") is not None else "") for n in x["numbers"])))
    out.append(("Status", clean(x.get("status"))))
    return out
