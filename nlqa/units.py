"""Memory of the weights, with units handled by pint (``grammars/units.txt``).

The registry is built on first use only: a question about parameter counts never pays for it.
Byte counts are exact integers (``Fraction`` magnitudes); readable sizes are given in both decimal
(MB = 10⁶ B) and binary (MiB = 2²⁰ B) units, each labelled.
"""

from __future__ import annotations

import math
from fractions import Fraction
from functools import lru_cache

from .resources import grammar_text, load_toml


@lru_cache(maxsize=1)
def registry():
    import pint

    ureg = pint.UnitRegistry(non_int_type=Fraction)
    for line in grammar_text("units.txt").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            ureg.define(line.strip())
    return ureg


def dtype_bytes(dtype: str) -> Fraction:
    """Bytes one parameter takes in ``dtype`` ("float16", "bf16", "int4", ...)."""
    ureg = registry()
    per = (1 * ureg.parameter * ureg(dtype)).to("byte")
    return Fraction(per.magnitude)


def weights_bytes(params: int, dtype: str) -> int:
    """Bytes of ``params`` parameters stored as ``dtype`` (rounded up to whole bytes)."""
    return math.ceil(params * dtype_bytes(dtype))


def training_bytes(params: int, optimizer: str, precision: str) -> tuple[int, list[tuple[str, int]]]:
    """Weights + gradients + (fp32 master) + optimizer states, with each part's bytes per parameter."""
    table = load_toml("memory.toml")
    states = table["optimizers"][optimizer]["states"]
    state_bytes = table["optimizers"][optimizer].get("state_bytes", 4)
    p = table["precision"][precision]
    parts = [("weights", p["weights"]), ("gradients", p["gradients"])]
    if p["master"]:
        parts.append(("fp32 master weights", p["master"]))
    if states:
        kind = "fp32" if state_bytes == 4 else f"{state_bytes} B"
        parts.append((f"{optimizer} states ({states} × {kind})", state_bytes * states))
    return params * sum(b for _, b in parts), parts


UNIT_LEGEND = {"kB": "10³ B", "MB": "10⁶ B", "GB": "10⁹ B", "TB": "10¹² B",
               "KiB": "2¹⁰ B", "MiB": "2²⁰ B", "GiB": "2³⁰ B", "TiB": "2⁴⁰ B"}


def readable(nbytes: int, unit: str | None = None, legend: bool = False) -> str:
    """'437.9 MB = 417.6 MiB'; a requested unit ("GB", "MiB") comes first. ``legend`` adds what
    the units printed mean: '(MB = 10⁶ B, MiB = 2²⁰ B)' beside MB, '(GB = 10⁹ B, GiB = 2³⁰ B)' beside GB."""
    ureg = registry()
    amount = nbytes * ureg.byte
    decimal = ["kB", "MB", "GB", "TB"]
    binary = ["KiB", "MiB", "GiB", "TiB"]
    order = 0
    while order < 3 and nbytes >= 1000 ** (order + 2):
        order += 1
    pair = [decimal[order], binary[order]]
    if unit and unit in decimal + binary:
        pair = [unit] + [u for u in pair if u != unit]
    texts = []
    for u in pair:
        value = float(amount.to(u.replace("kB", "kilobyte").replace("KiB", "kibibyte")).magnitude)
        texts.append(f"{value:,.1f} {u}")
    text = " = ".join(texts)
    if legend:
        text += " (" + ", ".join(f"{u} = {UNIT_LEGEND[u]}" for u in pair) + ")"
    return text
