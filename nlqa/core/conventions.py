"""Framework conventions as data: read from ``grammars/conventions.toml``."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from ..errors import GrammarError
from ..resources import load_toml


@dataclass(frozen=True)
class Convention:
    name: str
    description: str
    rnn_bias_sets: dict[str, int]
    batchnorm_statistics: str
    rnn_returns_sequences: bool
    weight_matrix: str = "out_in"


@lru_cache(maxsize=None)
def convention(name: str) -> Convention:
    """The convention called ``name`` (textbook, keras or pytorch)."""
    table = load_toml("conventions.toml")
    if name not in table:
        raise GrammarError("conventions.toml", 0, f"no convention named {name!r}")
    entry = table[name]
    try:
        return Convention(
            name=name,
            description=entry["description"],
            rnn_bias_sets=dict(entry["rnn_bias_sets"]),
            batchnorm_statistics=entry["batchnorm_statistics"],
            rnn_returns_sequences=bool(entry["rnn_returns_sequences"]),
            weight_matrix=entry.get("weight_matrix", "out_in"),
        )
    except KeyError as exc:
        raise GrammarError("conventions.toml", 0, f"[{name}] lacks {exc.args[0]}") from None
