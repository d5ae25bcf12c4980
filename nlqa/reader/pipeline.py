"""The spaCy pipeline: ``spacy.blank("en")`` with shape-aware tokenizer rules and the Matcher
patterns of ``grammars/patterns.jsonl``. Built once per process, on first use."""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..errors import GrammarError
from ..resources import iter_jsonl, load_toml

_RULES = load_toml("tokenizer.toml")
ELEMENT = _RULES["element"]
SHAPE_TOKEN = _RULES["shape"]
ARCH_TOKEN = _RULES["architecture"]
SHAPE_RE = re.compile(rf"^(?:{SHAPE_TOKEN})$")
ARCH_RE = re.compile(rf"^{ARCH_TOKEN}$")


@dataclass(frozen=True)
class Pattern:
    label: str
    id: str
    value: int | None
    line: int
    span: tuple[int, int] | None = None  # the part of the match the mention covers


def _macros() -> dict[str, Any]:
    vocab = load_toml("vocab.toml")
    return {
        "$NUM": {"TEXT": {"REGEX": r"^\d[\d,]*(?:\.\d+)?$"}},
        "$SHAPE": {"TEXT": {"REGEX": SHAPE_RE.pattern}},
        "$NUMSHAPE": {"TEXT": {"REGEX": rf"^(?:{SHAPE_TOKEN}|\d+(?:\.\d+)?)$"}},
        "$UNIT": {"LOWER": {"IN": vocab["unit_nouns"]}},
        "$LAYER": {"LOWER": {"IN": vocab["layer_words"]}},
        "$ANY": {},
        "$ANY?": {"OP": "?"},
        "$FILL": {"IS_ALPHA": True, "OP": "{0,3}"},
    }


@lru_cache(maxsize=None)
def patterns() -> tuple[tuple[Pattern, list[dict[str, Any]]], ...]:
    macros = _macros()
    loaded = []
    for lineno, entry in iter_jsonl("patterns.jsonl"):
        for key in ("label", "pattern"):
            if key not in entry:
                raise GrammarError("patterns.jsonl", lineno, f"entry lacks {key!r}: {entry}")
        tokens = []
        for spec in entry["pattern"]:
            if isinstance(spec, str):
                if spec not in macros:
                    raise GrammarError("patterns.jsonl", lineno, f"unknown macro {spec!r}")
                spec = macros[spec]
            tokens.append(spec)
        value = entry.get("value")
        if value is not None and not -len(tokens) <= value < len(tokens):
            raise GrammarError("patterns.jsonl", lineno, f"value index {value} outside the pattern")
        span = tuple(entry["span"]) if "span" in entry else None
        loaded.append((Pattern(entry["label"], str(entry.get("id", entry["label"])), value, lineno, span), tokens))
    return tuple(loaded)


class Reader:
    """The tokenizer and matcher; ``reader(text)`` gives a Doc and its matches."""

    def __init__(self) -> None:
        from spacy.lang.en import English
        from spacy.matcher import Matcher

        # The tokenizer is built once with nlqa's rules in its defaults: changing a finished
        # tokenizer's prefixes or token_match makes spaCy rebuild its special cases each time.
        prefixes = [p for p in English.Defaults.prefixes if p != "\\("]
        prefixes.append(rf"\((?!(?:{_RULES['tuple_rest']}))")
        exceptions = dict(English.Defaults.tokenizer_exceptions)
        exceptions.update({case: [{"ORTH": case}] for case in _RULES["special_cases"]})

        class Defaults(English.Defaults):
            pass

        Defaults.prefixes = prefixes
        Defaults.token_match = re.compile(rf"^(?:{SHAPE_TOKEN}|{ARCH_TOKEN}|LAYERREF\d+)$").match
        Defaults.tokenizer_exceptions = exceptions

        class NlqaEnglish(English):
            lang = "en"

        NlqaEnglish.Defaults = Defaults
        self.nlp = NlqaEnglish()
        self.matcher = Matcher(self.nlp.vocab)
        self.entries: list[Pattern] = []
        for index, (entry, tokens) in enumerate(patterns()):
            try:
                self.matcher.add(f"p{index}", [tokens])
            except Exception as exc:  # spaCy raises several types for malformed patterns
                raise GrammarError("patterns.jsonl", entry.line, f"spaCy rejects the pattern: {exc}") from None
            self.entries.append(entry)
        self.keys = {self.nlp.vocab.strings[f"p{i}"]: i for i in range(len(self.entries))}

    def __call__(self, text: str):
        doc = self.nlp(text)
        found = []
        for key, start, end in self.matcher(doc):
            found.append((self.entries[self.keys[key]], start, end))
        return doc, found

    def pipe(self, texts, batch_size: int = 256):
        for doc in self.nlp.pipe(texts, batch_size=batch_size):
            yield doc, [(self.entries[self.keys[k]], s, e) for k, s, e in self.matcher(doc)]


@lru_cache(maxsize=1)
def reader() -> Reader:
    """The process's one Reader. spaCy allocates ~90k long-lived objects while it loads: the
    garbage collector is paused meanwhile and those objects are frozen out of later scans."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        built = Reader()
    finally:
        gc.freeze()
        if enabled:
            gc.enable()
    return built
