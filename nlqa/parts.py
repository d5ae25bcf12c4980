"""The parts of a question that asks several things: each part's value from one count.

The reader finds the parts (:mod:`nlqa.reader.question.parts`, as (quantity, layer) pairs in the order
asked); here each gets its value from the same NetworkCount, and the closing lines of its
derivation. The Answer's ``value`` is the first part's (docs/json.md).
"""

from __future__ import annotations

from typing import Any, Callable

from .core import NetworkCount

Part = dict[str, Any]   # {"quantity": str, "value": int | list[int], "layer": int | None}


def part_values(asked: list[tuple[str, int | None]], count: NetworkCount,
                value_of: Callable[[str, NetworkCount, int | None], Any]) -> tuple[Part, ...]:
    """One entry per part asked whose value the count gives. A later part without one (an output
    shape over an unknown number of time steps) is left out; the first part is kept, so a question
    whose first part cannot be answered is asked back rather than answered with another part."""
    out = []
    for quantity, layer in asked:
        try:
            value = value_of(quantity, count, layer)
        except StopIteration:      # a layer the count does not hold
            continue
        if value is not None or not out:
            out.append({"quantity": quantity, "value": value, "layer": layer})
    return tuple(out)


def part_steps(parts: tuple[Part, ...], count: NetworkCount,
               derivation: Callable[[NetworkCount, str, int | None], list[str]]) -> list[str]:
    """The closing lines of the derivation of every part after the first (the per-layer lines are
    the first part's already)."""
    lines: list[str] = []
    for part in parts[1:]:
        for line in derivation(count, part["quantity"], part["layer"]):
            if not line.startswith((" ", "Layer ", "Implied layer")) or line.startswith(
                    f"Layer {part['layer']} has"):
                if line not in lines:
                    lines.append(line)
    return lines


def single_part(quantity: str | None, value: Any, layer: int | None) -> tuple[Part, ...]:
    return ({"quantity": quantity, "value": value, "layer": layer},) if quantity is not None else ()
