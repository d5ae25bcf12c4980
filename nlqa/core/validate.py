"""One validator for every value a layer holds: what each field may be is data
(``grammars/fields.toml``); :func:`problem` says what was expected when a value does not fit.

The code reader checks each argument of a framework call with it (the message names the argument
and the call), and :func:`check_layer` checks every layer before it is counted, whatever read it
(prose or code), so an odd value (0, -1, 1.5, "a", (1, 2), None, 10**400) never reaches a formula.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ..errors import GrammarError, SpecError
from ..resources import load_toml
from .spec import LayerSpec

CHECKS = {
    "size": lambda v, limit: _whole(v, 1, limit),
    "count": lambda v, limit: _whole(v, 0, limit),
    "sides": lambda v, limit: _whole(v, 1, limit) or _sides(v, 1, limit),
    "sides0": lambda v, limit: _whole(v, 0, limit) or _sides(v, 0, limit),
    "padding": lambda v, limit: v in ("valid", "same") or _whole(v, 0, limit) or _sides(v, 0, limit),
    "flag": lambda v, limit: v is True or v is False,
    "maybe_flag": lambda v, limit: v is None or v is True or v is False,
    "text": lambda v, limit: isinstance(v, str),
}


def _whole(value: Any, least: int, limit: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and least <= value < limit


def _sides(value: Any, least: int, limit: int) -> bool:
    return isinstance(value, tuple) and 1 <= len(value) <= 3 and all(_whole(v, least, limit) for v in value)


@lru_cache(maxsize=None)
def table() -> tuple[dict[str, str], dict[str, dict], int]:
    """(field → type, type → entry, the largest size + 1), checked on load."""
    data = load_toml("fields.toml")
    types, fields = data.get("types", {}), data.get("fields", {})
    known = set(LayerSpec.__dataclass_fields__)
    for name, kind in fields.items():
        if name not in known:
            raise GrammarError("fields.toml", 0, f"[fields] {name}: not a field of a layer")
        if kind not in types or (kind not in CHECKS and "words" not in types[kind]):
            raise GrammarError("fields.toml", 0, f"[fields] {name} = {kind!r}: no such type")
    return fields, types, 10 ** int(data["limits"]["max_digits"])


def shown(value: Any) -> str:
    """A value as the message quotes it; a huge number by its digit count."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**15:
        return f"a {len(str(abs(value))) if abs(value) < 10**4000 else 'more than 4,000'}-digit number"
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def shape_literal(shape) -> str:
    """A shape as Python writes it, for a message: (784,), (None, 28, 28, 1)."""
    return "(" + ", ".join("None" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"


def expected(field: str) -> str | None:
    """What ``field`` may hold, in words; ``None`` when it is not checked."""
    fields, types, _ = table()
    kind = fields.get(field)
    return types[kind]["expects"] if kind else None


def problem(field: str, value: Any) -> str | None:
    """``None`` when ``value`` fits ``field``; else what was expected ('a positive whole number, not
    'a''), with a hint for a number written with thousands commas (VOCAB = 1,000,000)."""
    fields, types, limit = table()
    kind = fields.get(field)
    if kind is None:
        return None
    entry = types[kind]
    ok = value in entry["words"] if "words" in entry else CHECKS[kind](value, limit)
    if ok:
        return None
    text = f"{entry['expects']}, not {shown(value)}"
    if isinstance(value, int) and not isinstance(value, bool) and value >= limit:
        text += f" (nlqa reads sizes of up to {len(str(limit)) - 1} digits)"
    if isinstance(value, tuple) and len(value) > 1 and all(isinstance(v, int) for v in value) \
            and all(v == 0 or 100 <= v < 1000 for v in value[1:]) and kind in ("size", "count"):
        text += f" (1,000,000 in Python is a tuple; write {''.join(f'{v:03d}' if i else str(v) for i, v in enumerate(value))})"
    return text


def check_layer(spec: LayerSpec) -> None:
    """Raise :class:`SpecError` naming the first field of ``spec`` whose value does not fit."""
    fields, _, _ = table()
    for field in fields:
        value = getattr(spec, field)
        if value is None and (LayerSpec.__dataclass_fields__[field].default is None or field == "padding"):
            continue                  # not given: the formula says what it needs
        why = problem(field, value)
        if why is not None:
            word = load_toml("fields.toml").get("words", {}).get(field, field.replace("_", " "))
            raise SpecError(f"the {word} of the {spec.kind} layer must be {why}.")


def check_input(shape) -> None:
    """Raise :class:`SpecError` when a side of the input shape is not a positive whole number (or
    None, an unknown number of time steps)."""
    _, types, limit = table()
    for side in shape:
        if side is not None and not _whole(side, 1, limit):
            raise SpecError(f"the input shape {shown(tuple(shape))} has a side that is not a positive whole "
                            f"number ({shown(side)}).")
