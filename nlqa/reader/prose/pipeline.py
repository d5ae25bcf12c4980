"""The spaCy pipeline: ``spacy.blank("en")`` with shape-aware tokenizer rules and the Matcher
patterns of ``grammars/patterns.jsonl``. Built once per process, on first use."""

from __future__ import annotations

import gc
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ...errors import GrammarError
from ...resources import iter_jsonl, load_toml
from . import docwords

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
        if value is not None and value < 0 and any(
                isinstance(t, dict) and str(t.get("OP", "")) not in ("", "+", "!") for t in tokens[len(tokens) + value + 1:]):
            raise GrammarError("patterns.jsonl", lineno, f"value index {value} counts from the end across an "
                               "optional token: give the number's index from the start instead")
        span = tuple(entry["span"]) if "span" in entry else None
        loaded.append((Pattern(entry["label"], str(entry.get("id", entry["label"])), value, lineno, span), tokens))
    return tuple(loaded) + _class_names(lineno + 1)


PROSE_SILENT_KINDS = {"Activation", "Dropout", "Flatten"}  # "with ReLU activation" adds no layer


def _class_names(first_line: int) -> tuple[tuple[Pattern, list[dict[str, Any]]], ...]:
    """A framework class written in prose ("a SeparableConv2D layer with 16 filters") names its kind:
    one KIND pattern per call of ``signatures.toml`` that counts parameters or shapes, after every
    pattern of patterns.jsonl (which win a tie)."""
    out, seen = [], set()
    for namespace, calls in load_toml("signatures.toml").items():
        for name, entry in calls.items():
            kind = entry.get("kind")
            if name.startswith("_") or not kind or kind in PROSE_SILENT_KINDS or name.lower() in seen:
                continue
            seen.add(name.lower())
            out.append((Pattern("KIND", kind, None, first_line + len(out)), [{"LOWER": name.lower()}]))
    return tuple(out)


def anchor_words(tokens: list[dict[str, Any]]) -> tuple[frozenset[tuple[str, str]], ...]:
    """For each required word token of the pattern ``tokens``, the words (``("LOWER", w)`` or
    ``("ORTH", w)``) it accepts: a text can match the pattern only if it holds one word of each.
    Empty if every required token is open (a number, any word)."""
    needed = set()
    for spec in tokens:
        if spec.get("OP", "1") not in ("1", "+"):
            continue
        for key, value in spec.items():
            attr = {"LOWER": "LOWER", "ORTH": "ORTH", "TEXT": "ORTH"}.get(key.upper())
            if isinstance(value, str) and attr:
                needed.add(frozenset({(attr, value)}))
            elif attr and isinstance(value, dict) and set(value) == {"IN"} and value["IN"]:
                needed.add(frozenset((attr, str(w)) for w in value["IN"]))
    return tuple(sorted(needed, key=lambda words: (len(words), sorted(words))))


def regex_anchor(tokens: list[dict[str, Any]]) -> tuple[str, Any] | None:
    """For a pattern that needs no word: a required token matched by a regular expression on its
    text or lower case (``{"TEXT": {"REGEX": "^\\d+%$"}}``) and what every match of it holds
    (``nlqa.reader.cleanup.needs``): a text without that can hold no match. None when there is none."""
    from ..cleanup.needs import needs
    best = None
    for spec in tokens:
        if spec.get("OP", "1") not in ("1", "+"):
            continue
        for key, value in spec.items():
            attr = {"LOWER": "LOWER", "ORTH": "ORTH", "TEXT": "ORTH"}.get(key.upper())
            if attr and isinstance(value, dict) and set(value) == {"REGEX"}:
                needed = needs(re.compile(value["REGEX"]))
                if needed.sets and (best is None or len(needed.sets) > len(best[1].sets)):
                    best = (attr, needed)
    return best


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
        # spaCy's Matcher tries every pattern at every token, so its time grows with the number of
        # patterns. Most patterns need certain words: patterns that need the same words share one
        # Matcher, and a text runs only the Matchers whose words it holds. A Matcher is built the
        # first time a text needs it (start-up builds only the patterns that need no word).
        self._matcher_class = Matcher
        self.entries: list[Pattern] = []
        self.groups: dict[tuple, list[tuple[int, list[dict[str, Any]]]]] = {}
        for index, (entry, tokens) in enumerate(patterns()):
            self.groups.setdefault(anchor_words(tokens), []).append((index, tokens))
            self.entries.append(entry)
        self.keys = {self.nlp.vocab.strings[f"p{i}"]: i for i in range(len(self.entries))}
        # The patterns that need no word run on every text, token by token: those with a regular
        # expression whose literal text a question lacks are set apart, run only where it is there.
        self.by_regex: dict[tuple, tuple[str, Any]] = {}
        for index, tokens in self.groups.pop((), []):
            anchor = regex_anchor(tokens)
            key = ("REGEX", anchor[0], anchor[1]) if anchor is not None else ()
            self.groups.setdefault(key, []).append((index, tokens))
            if anchor is not None:
                self.by_regex[key] = anchor
        self.built: dict[tuple, Any] = {}
        self.always = self.matcher(()) if () in self.groups else None
        self.by_word: dict[tuple[str, str], list[tuple[tuple, tuple]]] = {}
        for anchor in self.groups:
            for word in anchor[0] if anchor and anchor not in self.by_regex else ():
                self.by_word.setdefault(word, []).append((anchor[1:], anchor))

    def matcher(self, anchor: tuple):
        """The Matcher of the patterns that need the words ``anchor`` (built on first use)."""
        built = self.built.get(anchor)
        if built is None:
            built = self._matcher_class(self.nlp.vocab)
            for index, tokens in self.groups[anchor]:
                try:
                    built.add(f"p{index}", [tokens])
                except Exception as exc:  # spaCy raises several types for malformed patterns
                    raise GrammarError("patterns.jsonl", self.entries[index].line,
                                       f"spaCy rejects the pattern: {exc}") from None
            self.built[anchor] = built
        return built

    def __call__(self, text: str):
        doc = self.nlp(text)
        return doc, self.matches(doc)

    def matches(self, doc) -> list[tuple[Pattern, int, int, int | None]]:
        """``(pattern, start, end, value_at)`` for each match, ordered by start, end and pattern line;
        ``value_at`` is the index in ``doc`` of the token the pattern's ``value`` names: a pattern
        token where ``value`` >= 0 (None when that optional token is absent), a token counted from
        the match's end where it is negative."""
        words = {("LOWER", w) for w in docwords.lower(doc)} | {("ORTH", w) for w in docwords.texts(doc)}
        by_word, run = self.by_word, {}
        for word in words:
            for rest, anchor in by_word.get(word, ()):
                if anchor not in run and all(not needed.isdisjoint(words) for needed in rest):
                    run[anchor] = self.matcher(anchor)
        if self.by_regex:
            held = {"LOWER": "\n".join(docwords.lower(doc)), "ORTH": "\n".join(docwords.texts(doc))}
            for key, (attr, needed) in self.by_regex.items():
                if needed.could_match(held[attr]):
                    run[key] = self.matcher(key)
        if self.always is not None:
            run[()] = self.always
        entries, keys, found = self.entries, self.keys, []
        for matcher in run.values():
            for key, start, end, aligned in matcher(doc, with_alignments=True):
                entry = entries[keys[key]]
                value_at = None
                if entry.value is not None and entry.value >= 0:  # a pattern token: where it matched
                    value_at = next((start + i for i, a in enumerate(aligned) if a == entry.value), None)
                elif entry.value is not None:  # counted from the end of the match
                    value_at = end + entry.value if end + entry.value >= start else None
                found.append((entry, start, end, value_at))
        found.sort(key=lambda f: (f[1], f[2], f[0].line))
        return found

    def pipe(self, texts, batch_size: int = 256):
        for doc in self.nlp.pipe(texts, batch_size=batch_size):
            yield doc, self.matches(doc)


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
