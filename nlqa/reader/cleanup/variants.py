"""Sentences that ask about a variant of the network ("Also, what if I use padding of 1?").

A question often goes on to ask what changes under another setting. That sentence's numbers and
settings belong to the variant, not to the network first described, so the clean-up stage blanks it
(keeping every offset) before the network is read, and the ledger gives its numbers the role
``variant``. The words that open such a sentence are data (grammars/vocab.toml ``variant_openers``).
"""

from __future__ import annotations

import re
from functools import lru_cache

from ..prose.mentions import vocab


@lru_cache(maxsize=1)
def _opener() -> re.Pattern:
    words = sorted(vocab()["variant_openers"], key=len, reverse=True)
    return re.compile(r"(?:^|(?<=[.?!\n])|(?<=[.?!]\s))\s*(?:(?:also|and|now|then|but)\s*,?\s*)?(?:"
                      + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in words) + r")\b[^.?!\n]*[.?!]?",
                      re.IGNORECASE)


def variant_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) offsets of each sentence that asks about a variant, after the first question."""
    if "if" not in text.lower() and "instead" not in text.lower():
        return []
    first = re.search(r"[?]", text)
    if first is None:
        return []
    return [(m.start(), m.end()) for m in _opener().finditer(text) if m.start() > first.start()]


def without_variants(text: str) -> str:
    """``text`` with the variant sentences blanked (same length, so every offset still holds)."""
    for start, end in variant_spans(text):
        text = text[:start] + re.sub(r"[^\n]", " ", text[start:end]) + text[end:]
    return text
