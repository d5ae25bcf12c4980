"""A follow-up's answer in a few lines (``nlqa chat``): what changed since the previous answer and
the new total. ``/full`` or 'explain' shows the whole derivation instead.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import CHECKS_TITLE, view_of

if TYPE_CHECKING:
    from ..answer import Answer

HINT = "(/full or 'explain' shows the whole derivation)"


def _row_text(row: tuple[str, ...]) -> str:
    return f"{row[1]} {row[5]}"


def _changed_rows(new: tuple, old: tuple) -> list[str]:
    """'layer 1: SimpleRNN (6) 60 → LSTM (6) 240' for each listed layer that differs; when layers
    were added or removed, every layer of the new network."""
    if len(new) != len(old):
        return [f"layer {row[0]}: {_row_text(row)}" for row in new]
    return [f"layer {a[0]}: {_row_text(b)} → {_row_text(a)}" for a, b in zip(new, old)
            if (a[1], a[5], a[6]) != (b[1], b[5], b[6])]


def _summary_steps(steps: tuple[str, ...]) -> list[str]:
    """The derivation's closing lines (the total, a per-quantity sum), not the per-layer ones."""
    return [s for s in steps if not s.startswith((" ", "Layer ", "Implied layer"))]


def brief_lines(answer: Answer, previous: Answer | None) -> list[str]:
    """The follow-up answer as a few plain lines; a full answer's sections when it is not answered."""
    view = view_of(answer)
    before = view_of(previous) if previous is not None and previous.status == "answered" else None
    changed = _changed_rows(view.layers, before.layers) if before is not None else []
    closing = _summary_steps(view.steps)
    if (before is not None and closing and previous.quantity == answer.quantity
            and isinstance(previous.value, int) and previous.value != answer.value):
        closing[0] += f" (was {previous.value:,})"
    lines = []
    if changed or closing:
        lines += ["Changed", *(f"  {c}" for c in changed), *(f"  {s}" for s in closing)]
    lines.append(f"Answer: {view.answer}")
    if view.checks:
        lines += [CHECKS_TITLE, *(f"  - {c}" for c in view.checks)]
    new = [a for a in view.assumptions if before is None or a not in before.assumptions]
    if new:
        lines += ["New assumptions", *(f"  - {a}" for a in new)]
    lines.append(HINT)
    return lines
