"""Correcting misspelt key words ("paramters", "nuerons", "recurent") before matching.

The dictionary is every word the grammars use (patterns.jsonl, vocab.toml); a word of the text
one edit away from exactly one of them (insertion, deletion, transposition; substitution only in
longer words) is replaced by it. Words in ``vocab.toml``'s ``never_correct`` list are left alone.
"""

from __future__ import annotations

import re
from functools import lru_cache

from ...resources import iter_jsonl, load_toml

WORD = re.compile(r"(?<![\w])[A-Za-z]{4,}(?![\w])")  # whole words only: never inside n_embd


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    return []


@lru_cache(maxsize=1)
def dictionary() -> tuple[frozenset[str], dict[str, tuple[str, ...]], frozenset[str]]:
    words: set[str] = set()
    for _, entry in iter_jsonl("patterns.jsonl"):
        for spec in entry["pattern"]:
            if isinstance(spec, dict):
                for key in ("LOWER", "ORTH"):
                    words.update(w.lower() for w in _strings(spec.get(key)))
    vocab = load_toml("vocab.toml")
    for key, value in vocab.items():
        if key != "never_correct":
            words.update(w.lower() for w in _strings(value))
            if isinstance(value, dict):
                words.update(k.lower() for k in value)
    numbers = load_toml("numbers.toml")
    known = {w for table in ("words", "scales") for w in numbers[table]}
    never = frozenset(w.lower() for w in vocab.get("never_correct", [])) | known
    words = {w for w in words if w.isalpha() and len(w) >= 4} - never
    deletes: dict[str, list[str]] = {}
    for w in words:
        for i in range(len(w)):
            deletes.setdefault(w[:i] + w[i + 1:], []).append(w)
    return frozenset(words), {k: tuple(v) for k, v in deletes.items()}, never


def _one_edit(a: str, b: str) -> str | None:
    """The kind of single edit turning a into b, or None."""
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return "substitution"
        if len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]:
            return "transposition"
        return None
    if abs(len(a) - len(b)) != 1:
        return None
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    for i in range(len(long_)):
        if long_[:i] + long_[i + 1:] == short:
            return "insertion" if len(a) < len(b) else "deletion"
    return None


def correct_word(word: str) -> str:
    lower = word.lower()
    words, deletes, never = dictionary()
    if lower in words or lower in never:
        return word
    candidates = set(deletes.get(lower, ()))                       # a letter was left out
    for i in range(len(lower)):
        variant = lower[:i] + lower[i + 1:]
        if variant in words:
            candidates.add(variant)                                  # a letter too many
        candidates.update(deletes.get(variant, ()))                  # swapped or wrong letter
    good = []
    for c in candidates:
        edit = _one_edit(lower, c)
        if edit is None or (edit == "substitution" and len(lower) < 6):
            continue
        good.append(c)
    if len(good) != 1:
        return word
    return good[0]


@lru_cache(maxsize=1)
def _kind_words() -> dict[str, str]:
    """The one-word names of layer kinds in patterns.jsonl (KIND entries): word -> kind id."""
    out = {}
    for _, entry in iter_jsonl("patterns.jsonl"):
        if entry["label"] == "KIND" and len(entry["pattern"]) == 1 and not str(entry.get("id", "")).startswith("?"):
            spec = entry["pattern"][0]
            for w in _strings(spec.get("LOWER")):
                if len(w) >= 5 and w.isalpha():
                    out.setdefault(w, entry["id"])
    return out


KIND_SIMILARITY = 70   # rapidfuzz ratio (0-100) for a word standing where a layer kind belongs


def closest_kind(word: str) -> str | None:
    """The layer kind a misspelt kind word names ("conversional layer", "convolutinal"), when one
    kind word is clearly the closest (rapidfuzz ratio at least KIND_SIMILARITY); else None."""
    from rapidfuzz import fuzz, process
    words = _kind_words()
    found = process.extract(word.lower(), list(words), scorer=fuzz.ratio, limit=3, score_cutoff=KIND_SIMILARITY)
    kinds = {words[w] for w, score, _ in found if score >= found[0][1] - 5} if found else set()
    return kinds.pop() if len(kinds) == 1 else None


def correct(text: str) -> str:
    return WORD.sub(lambda m: correct_word(m.group(0)), text)
