"""Access to the data files in ``grammars/`` (shipped in the wheel as ``nlqa.grammars``)."""

from __future__ import annotations

import json
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Any, Iterator

from .errors import GrammarError


def grammar_text(name: str) -> str:
    """The text of one grammar file, e.g. ``grammar_text("numbers.toml")``."""
    return resources.files("nlqa.grammars").joinpath(name).read_text(encoding="utf-8")


@lru_cache(maxsize=None)
def load_toml(name: str) -> dict[str, Any]:
    try:
        return tomllib.loads(grammar_text(name))
    except tomllib.TOMLDecodeError as exc:
        raise GrammarError(name, 0, str(exc)) from None


def iter_jsonl(name: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """Yield ``(line_number, entry)`` for each non-blank, non-comment line of a JSONL grammar."""
    for lineno, line in enumerate(grammar_text(name).splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#") or line.startswith("//"):
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as exc:
            raise GrammarError(name, lineno, f"invalid JSON: {exc.msg}") from None
        if not isinstance(entry, dict):
            raise GrammarError(name, lineno, "each line must be a JSON object")
        yield lineno, entry
