"""The literal text a regular expression needs: a cheap test that a text cannot match it.

normalize runs about a hundred rewrites over every question, and most of them find nothing: a
pattern that starts with ``\\b``, a look-behind or ``\\s*`` is tried at every position of the text,
while a substring test (``"->" in text``) runs at C speed. ``needs(pattern)`` reads the parsed
pattern and lists what every match holds:

- a run of literal characters outside any optional part ("nn.", "->");
- one of a set of characters (``[×✕✖⨯]``);
- one of the alternatives of a group (``(?:->|=>|→)``), each branch by its most telling literal.

``could_match(needed, text)`` is then False only when no match is possible, so skipping the
pattern there changes nothing. Parts the reader cannot vouch for (classes with ranges or
categories, negations, look-arounds, back references, optional parts, flags set inside the
pattern) add nothing to the list; a pattern with nothing left is always run.

Case: a case-insensitive pattern is tested against the lower-cased text, and only when text and
literals are ASCII (Python's ``re`` also folds some non-ASCII letters onto ASCII ones, "ſ" onto "s"
and "K" onto "k"); otherwise the pattern is run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

try:  # Python >= 3.11
    from re import _constants as _c, _parser as _p
except ImportError:  # pragma: no cover - Python 3.10
    import sre_constants as _c  # type: ignore[no-redef]
    import sre_parse as _p  # type: ignore[no-redef]

_MAX_RANGE = 64   # a class range of at most this many characters is listed character by character
_MAX_STRINGS = 16  # a need with more alternatives ("any letter") costs more to test than it saves


@dataclass(frozen=True)
class Needed:
    """What every match of a pattern holds: for each entry, at least one of its strings."""
    sets: tuple[tuple[str, ...], ...]
    folded: bool      # the strings are lower case and the text is lower-cased before the test

    def could_match(self, text: str, lowered: str | None = None) -> bool:
        """False only when ``text`` lacks one of the needed strings (no match is possible)."""
        if not self.sets:
            return True
        if self.folded:
            if not text.isascii():
                return True
            text = lowered if lowered is not None else text.lower()
        for strings in self.sets:
            if len(strings) == 1:
                if strings[0] not in text:
                    return False
            elif not any(s in text for s in strings):
                return False
        return True


class _Unknown(Exception):
    """A part of the pattern whose needs are not read: the pattern is always run."""


def _class_chars(items) -> frozenset[str] | None:
    chars: set[str] = set()
    for op, av in items:
        if op is _c.LITERAL:
            chars.add(chr(av))
        elif op is _c.RANGE and av[1] - av[0] < _MAX_RANGE:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        else:   # NEGATE, CATEGORY (\d, \s, \w), wide ranges: not a short list of characters
            return None
    return frozenset(chars) if chars else None


def _score(strings: frozenset[str]) -> tuple[int, int]:
    """How telling a set of alternatives is: longer shortest string, then fewer strings."""
    return (min(len(s) for s in strings), -len(strings))


def _sequence(items) -> list[frozenset[str]]:
    """The needs of a sequence of parsed items: each a set of strings, one of which every match holds."""
    needs: list[frozenset[str]] = []
    run = ""
    for op, av in items:
        if op is _c.LITERAL:
            run += chr(av)
            continue
        if run:
            needs.append(frozenset([run]))
            run = ""
        if op is _c.IN:
            chars = _class_chars(av)
            if chars:
                needs.append(chars)
        elif op is _c.SUBPATTERN:
            _group, add_flags, del_flags, sub = av
            if add_flags or del_flags:
                raise _Unknown
            needs.extend(_sequence(sub))
        elif op is _c.BRANCH:
            alternatives: set[str] = set()
            for branch in av[1]:
                found = _sequence(branch)
                if not found:
                    alternatives = set()
                    break
                alternatives |= max(found, key=_score)
            if alternatives:
                needs.append(frozenset(alternatives))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, getattr(_c, "POSSESSIVE_REPEAT", None)):
            low, _high, sub = av
            if low >= 1:
                needs.extend(_sequence(sub))
        elif op is getattr(_c, "ATOMIC_GROUP", None):
            needs.extend(_sequence(av))
        # AT (\b, ^, $), ASSERT / ASSERT_NOT (look-arounds), ANY, NOT_LITERAL, CATEGORY, GROUPREF,
        # GROUPREF_EXISTS: nothing needed that can be vouched for
    if run:
        needs.append(frozenset([run]))
    return needs


def needs(pattern: re.Pattern[str]) -> Needed:
    """What every match of ``pattern`` holds (nothing when that cannot be read)."""
    folded = bool(pattern.flags & re.IGNORECASE)
    try:
        found = _sequence(_p.parse(pattern.pattern, pattern.flags))
    except Exception:  # a part not read (_Unknown), or a parser of another Python version: always run
        return Needed((), folded)
    sets = []
    for strings in found:
        if len(strings) > _MAX_STRINGS:
            continue
        if folded:
            if not all(s.isascii() for s in strings):
                continue
            strings = frozenset(s.lower() for s in strings)
        if tuple(sorted(strings)) not in sets:
            sets.append(tuple(sorted(strings)))
    sets.sort(key=lambda s: _score(frozenset(s)), reverse=True)
    return Needed(tuple(sets), folded)


class Guarded:
    """A compiled pattern that skips, by its needs, the texts it cannot match (same results)."""

    __slots__ = ("pattern", "needed")

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        self.needed = needs(pattern)

    def sub(self, repl, text: str, count: int = 0) -> str:
        return self.pattern.sub(repl, text, count) if self.needed.could_match(text) else text

    def search(self, text: str, *bounds: int) -> re.Match[str] | None:
        return self.pattern.search(text, *bounds) if self.needed.could_match(text) else None

    def finditer(self, text: str, *bounds: int):
        return self.pattern.finditer(text, *bounds) if self.needed.could_match(text) else iter(())

    def findall(self, text: str, *bounds: int) -> list:
        return self.pattern.findall(text, *bounds) if self.needed.could_match(text) else []


def compile(pattern: str, flags: int = 0) -> Guarded:  # noqa: A001 - the name re uses
    """``re.compile(pattern, flags)`` that skips the texts lacking what every match needs."""
    return Guarded(re.compile(pattern, flags))
