"""Labelled items of a question: "a) ... b) ...", "(i) ... (ii) ...", "1. ... 2. ...".

A question may list several separate layers or networks and ask about each ("Calculate the output
dimensions for each of the following convolutional layers applied to an input of shape (1, 3, 64,
64): a) nn.Conv2d(3, 32, 5) b) nn.Conv2d(3, 32, 3) ..."). This stage finds the list and gives each
item's question: the question with every other item blanked out (offsets kept, so the numbers of
the text before and after the list, the input and the question asked, are the same in each).
Whether the items are read apart is :mod:`nlqa.items`'s decision. Vocabulary: grammars/items.toml.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ...resources import load_toml

_BLANK_LINE = re.compile(r"\n[ \t]*\n")


@dataclass(frozen=True)
class Item:
    label: str
    start: int      # where its label starts
    end: int        # where its text ends


@dataclass(frozen=True)
class ItemList:
    question: str
    items: tuple[Item, ...]

    @property
    def stem(self) -> str:
        """The text before the first item (the input and the question asked, usually)."""
        return self.question[:self.items[0].start]

    def text(self, n: int) -> str:
        item = self.items[n]
        return self.question[item.start:item.end]

    def alone(self, n: int | None) -> str:
        """The question with every item but item ``n`` blanked (every item when ``n`` is None)."""
        chars = list(self.question)
        for k, item in enumerate(self.items):
            if k != n:
                for i in range(item.start, item.end):
                    if chars[i] != "\n":
                        chars[i] = " "
        return "".join(chars)


@lru_cache(maxsize=None)
def grammar() -> dict[str, Any]:
    table = load_toml("items.toml")
    for key in ("schemes", "brackets", "separate"):
        if not isinstance(table.get(key), list) or not table[key]:
            raise ValueError(f"grammars/items.toml: '{key}' must be a non-empty list")
    return {"schemes": tuple(tuple(s) for s in table["schemes"]), "brackets": tuple(table["brackets"]),
            "separate": tuple(tuple(p.split()) for p in table["separate"]),
            "one_network": tuple(tuple(p.split()) for p in table.get("one_network", ())), "max": int(table["max_items"])}


@lru_cache(maxsize=None)
def _label_at(label: str, bracket: str) -> re.Pattern:
    return re.compile(r"(?:(?<=\s)|^)" + re.escape(bracket.format(label)) + r"(?=\s)", re.MULTILINE)


def item_list(question: str) -> ItemList | None:
    """The labelled item list of ``question``: the scheme and bracket style whose first label comes
    first in the text and that lists at least two items in order; None when there is none."""
    g = grammar()
    best: list[tuple[str, int]] | None = None
    for scheme in g["schemes"]:
        for bracket in g["brackets"]:
            if bracket.format(scheme[0]) not in question or bracket.format(scheme[1]) not in question:
                continue   # a list needs its first two labels: most questions have neither
            found: list[tuple[str, int]] = []
            at = 0
            for label in scheme[:g["max"]]:
                m = _label_at(label, bracket).search(question, at)
                if m is None:
                    break
                found.append((label, m.start()))
                at = m.end()
            if len(found) >= 2 and (best is None or found[0][1] < best[0][1]):
                best = found
    if best is None:
        return None
    items = []
    for n, (label, start) in enumerate(best):
        end = best[n + 1][1] if n + 1 < len(best) else len(question)
        if n + 1 == len(best):       # the last item ends at a blank line: what follows is about them all
            gap = _BLANK_LINE.search(question, start)
            end = gap.start() if gap else end
        items.append(Item(label, start, end))
    return ItemList(question, tuple(items))


def _says(stem: str, phrases: tuple[tuple[str, ...], ...]) -> bool:
    words = tuple(re.findall(r"[a-z]+", stem.lower()))
    return any(words[i:i + len(p)] == p for p in phrases for i in range(len(words)))


def says_separate(stem: str) -> bool:
    """Whether the text before the items calls them separate cases ("for each of the following")."""
    return _says(stem, grammar()["separate"])


def says_one_network(stem: str) -> bool:
    """Whether the text around the items makes them one network's layers ("... layers of a CNN")."""
    return _says(stem, grammar()["one_network"])


def asks_each(stem: str) -> bool:
    """Whether the text before the items asks about each of them: a separate-cases phrase or an
    "each layer" phrase of grammars/parts.toml ("the parameters for each layer")."""
    from ..question.parts import grammar as parts_grammar
    each = tuple(tuple(w for w in p if w.isalpha()) for p in parts_grammar()["each_layer"])
    return says_separate(stem) or _says(stem, each)
