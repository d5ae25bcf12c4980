"""A Doc's token strings, built once per Doc.

Iterating a spaCy ``Doc`` makes a new ``Token`` object for every token, and ``doc.text`` joins
them all again: the reader's stages ask for the same words many times per question. These lists
are built on first use and kept in ``doc.user_data`` (nlqa never changes a Doc once it is made).
They are tuples: a caller cannot change what the next one reads.
"""

from __future__ import annotations

from typing import Any

_KEY = "nlqa.words"


def _words(doc: Any) -> tuple[tuple[str, ...], tuple[str, ...]]:
    got = doc.user_data.get(_KEY)
    if got is None:
        lower, texts = [], []
        for token in doc:
            lower.append(token.lower_)
            texts.append(token.text)
        got = doc.user_data[_KEY] = (tuple(lower), tuple(texts))
    return got


def lower(doc: Any) -> tuple[str, ...]:
    """``token.lower_`` of each token of ``doc``."""
    return _words(doc)[0]


def texts(doc: Any) -> tuple[str, ...]:
    """``token.text`` of each token of ``doc``."""
    return _words(doc)[1]


def text(doc: Any) -> str:
    """``doc.text``."""
    got = doc.user_data.get("nlqa.text")
    if got is None:
        got = doc.user_data["nlqa.text"] = doc.text
    return got
