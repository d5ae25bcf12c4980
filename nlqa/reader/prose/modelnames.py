"""Model names in a question ("ResNet 50", "llama-2-7b-hf", "Mixtral 8x7B") and what it changes.

Reads the raw question (not spaCy's tokens) word by word, with the rules of ``grammars/modelnames.toml``:
a name is its words joined without separators, looked up among the registry's names
(``grammars/models/*.toml``); a slightly misspelt name with the right digits is read as the known
one; a name that starts like a known family but is none of its models ("ResNet-51") is an unknown
variant, refused with the closest known names. Numbers inside a name are the name, not sizes.
"""

from __future__ import annotations

import difflib
from bisect import bisect_right
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from ...core.registry import ModelEntry, registry
from ...resources import load_toml

WORD = re.compile(r"[A-Za-z0-9]+(?:\.[0-9]+)*")
NUM = r"\d[\d,]*(?:\.\d+)?\s?[kKmM]?\b"
MAX_WORDS = 7


@dataclass(frozen=True)
class Named:
    id: str
    text: str          # as written
    start: int         # character offsets in the question
    end: int
    typo: bool = False


@dataclass(frozen=True)
class Unknown:
    text: str
    start: int
    end: int
    closest: tuple[str, ...]


@dataclass
class NameReading:
    named: list[Named] = field(default_factory=list)
    unknown: list[Unknown] = field(default_factory=list)
    overrides: dict[str, tuple[int, str, int, int]] = field(default_factory=dict)  # key: (value, text, start, end)
    quoted: list[tuple[int, str, int, int]] = field(default_factory=list)  # counts the asker quotes ("23.53M")
    families: list[Unknown] = field(default_factory=list)  # a family named without a model ("ResNet")

    @property
    def entry(self) -> ModelEntry | None:
        return registry()[self.named[0].id] if self.named else None


def key(text: str) -> str:
    """A name as nlqa looks it up: lower case, letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", text.lower())


@lru_cache(maxsize=1)
def _tables() -> dict[str, Any]:
    rules = load_toml("modelnames.toml")
    names: dict[str, str] = {}
    for entry in registry().values():
        for written in (entry.id, entry.name, *entry.names):
            names.setdefault(key(written), entry.id)
    firsts = set()  # the letters a name's first word starts with ("meta", "llama", "qwen"): where a name can start
    for entry in registry().values():
        for written in (entry.id, entry.name, *entry.names):
            lead = re.match(r"[a-z]+", WORD.search(written).group(0).lower())
            if lead:
                firsts.add(lead.group(0))
    stems = {re.match(r"[a-z]+", k).group(0) for k in names if re.match(r"[a-z]+", k)}
    stems = {s for s in stems if len(s) >= rules["min_stem"]} | set(rules["short_stems"])
    overrides = {name: (tuple(re.compile(p.replace("{NUM}", NUM), re.I) for p in spec["patterns"]), spec["thousand"])
                 for name, spec in rules["overrides"].items()}
    settings = {name: (tuple(spec["layouts"]), spec["word"]) for name, spec in rules["overrides"].items()}
    words = {name: tuple(re.compile(p, re.I) for p in patterns) for name, patterns in rules["words"].items()}
    by_digits: dict[str, list[str]] = {}
    for k in names:
        by_digits.setdefault("".join(re.findall(r"\d+", k)), []).append(k)
    return {"names": names, "stems": tuple(sorted(stems, key=len, reverse=True)), "suffixes": set(rules["suffixes"]),
            "variant": set(rules["variant_words"]), "ratio": rules["typo_ratio"], "overrides": overrides,
            "words": words, "by_digits": by_digits, "settings": settings, "firsts": frozenset(firsts),
            "stem_re": re.compile("|".join(sorted(stems, key=len, reverse=True))),
            "quoted": re.compile(rules["quoted"]), "scales": rules["scales"],
            "own_arithmetic": re.compile(rules["own_arithmetic"]),
            "generic_after": set(rules["generic_after"]), "generic_before": set(rules["generic_before"])}


def _lookup(words: list[str], t: dict[str, Any]) -> str | None:
    """The registry id the words name (exactly, or without trailing suffixes)."""
    names = t["names"]
    while words:
        k = key("".join(words))
        if k in names:
            return names[k]
        if words[-1].lower() not in t["suffixes"] or len(words) == 1:
            return None
        words = words[:-1]
    return None


def _near(words: list[str], t: dict[str, Any]) -> str | None:
    """A near miss ("Mistal 7B"): letters close to one known name with the same digits, the first word
    close to a family stem and the last word holding a digit."""
    if not any(c.isdigit() for c in words[-1]) or not _stemlike(words[0].lower()):
        return None
    k = key("".join(words))
    same_digits = t["by_digits"].get("".join(re.findall(r"\d+", k)), [])
    close = difflib.get_close_matches(k, same_digits, n=2, cutoff=t["ratio"])
    if close and len({t["names"][c] for c in close}) == 1 and len(k) >= 5:
        return t["names"][close[0]]
    return None


@lru_cache(maxsize=4096)
def _stemlike(word: str) -> bool:
    """Whether a word's letters are close to a family stem ("mistal" to "mistral"): same first letter,
    a length within 2, then difflib's ratio (the cheap tests first: most words are no name)."""
    first = re.match(r"[a-z]+", word)
    if not first or len(first.group(0)) < 4:
        return False
    letters = first.group(0)
    near = [s for s in _tables()["stems"] if s[0] == letters[0] and abs(len(s) - len(letters)) <= 2]
    return bool(near) and bool(difflib.get_close_matches(letters, near, n=1, cutoff=0.8))


def _stem(word: str, t: dict[str, Any]) -> str | None:
    m = t["stem_re"].match(word.lower())
    return m.group(0) if m else None


def _closest(k: str, stem: str, t: dict[str, Any], n: int = 3) -> tuple[str, ...]:
    """Known models of the same family, nearest first (by spelling, then by the size in the name)."""
    names = t["names"]
    family = sorted({names[n] for n in names if n.startswith(stem)})
    if not family:
        family = sorted(set(names.values()))
    digits = [int(d) for d in re.findall(r"\d+", k)]

    def distance(ident: str) -> tuple:
        other = [int(d) for d in re.findall(r"\d+", key(ident))]
        gap = sum(abs(a - b) for a, b in zip(digits, other)) + 1000 * abs(len(digits) - len(other))
        return (gap, -difflib.SequenceMatcher(None, k, key(ident)).ratio())

    return tuple(registry()[i].name for i in sorted(family, key=distance)[:n])


def read_names(question: str) -> NameReading:
    """Every registry model the question names, unknown variants of known families, and overrides."""
    t = _tables()
    reading = NameReading()
    tokens = list(WORD.finditer(question))
    i = 0
    while i < len(tokens):
        found = None
        word = tokens[i].group(0).lower()
        lead = re.match(r"[a-z]*", word).group(0)
        tries = ((False, _lookup),) if lead in t["firsts"] else ((True, _near),) if _stemlike(word) else ()
        for typo, look in tries:
            for n in range(min(MAX_WORDS, len(tokens) - i), 0, -1):
                group = tokens[i:i + n]
                if any(question[a.end():b.start()].strip(" -_/.:") for a, b in zip(group, group[1:])):
                    continue  # a name's words are separated by spaces, hyphens, underscores, slashes or dots only
                ident = look([m.group(0) for m in group], t)
                if ident:
                    found = Named(ident, question[group[0].start():group[-1].end()], group[0].start(),
                                  group[-1].end(), typo)
                    break
            if found:
                i += n
                break
        if found:
            if not _generic(question, found, t):
                reading.named.append(found)
            continue
        stem = _stem(tokens[i].group(0), t)
        if stem:
            j = i + 1
            while j < len(tokens) and j - i < MAX_WORDS and not question[tokens[j - 1].end():tokens[j].start()].strip(
                    " -_/.") and (any(c.isdigit() for c in tokens[j].group(0))
                                  or tokens[j].group(0).lower() in t["variant"]):
                j += 1
            text = question[tokens[i].start():tokens[j - 1].end()]
            k = key(text)
            if any(c.isdigit() for c in k[len(stem):]):  # "ResNet-51", "Llama 2": a size nlqa does not know
                reading.unknown.append(Unknown(text, tokens[i].start(), tokens[j - 1].end(), _closest(k, stem, t)))
            elif k != stem:  # "T5-XXL": a variant word nlqa does not know
                reading.unknown.append(Unknown(text, tokens[i].start(), tokens[j - 1].end(), _closest(k, stem, t)))
            else:  # "ResNet", "Llama": a family, no model
                reading.families.append(Unknown(text, tokens[i].start(), tokens[j - 1].end(), _closest(k, stem, t, 6)))
            i = j
            continue
        i += 1
    if reading.named:
        reading.overrides = _overrides(question, reading.named, t)
        spans = [(n.start, n.end) for n in reading.named]
        for m in t["quoted"].finditer(question):
            if not _inside(m.start(), spans):
                value = float(m.group("n").replace(",", "")) * t["scales"][m.group("s").lower()]
                reading.quoted.append((int(value), m.group(0), m.start(), m.end()))
    return reading


def _inside(offset: int, spans: list[tuple[int, int]]) -> bool:
    """Whether ``offset`` falls in one of ``spans`` (sorted, disjoint: the names in text order)."""
    i = bisect_right(spans, (offset, float("inf"))) - 1
    return i >= 0 and spans[i][0] <= offset < spans[i][1]


def _generic(question: str, found: Named, t: dict[str, Any]) -> bool:
    """'LeNet-5 style', 'a LeNet-like net', 'a modified VGG-16': a family the question describes itself."""
    after = re.match(r"[\s-]*([A-Za-z]+)", question[found.end:])
    before = re.search(r"([A-Za-z]+)[\s-]*$", question[max(0, found.start - 40):found.start])
    return bool(after and after.group(1).lower() in t["generic_after"]) or bool(
        before and before.group(1).lower() in t["generic_before"])


def _number(text: str, thousand: int) -> int | None:
    text = text.replace(",", "").strip()
    scale = {"k": thousand, "m": thousand * thousand}.get(text[-1:].lower(), 1)
    digits = text.rstrip("kKmM ").strip()
    try:
        value = float(digits) * scale
    except ValueError:
        return None
    return int(value) if value.is_integer() and value > 0 else None


def _overrides(question: str, named: list[Named], t: dict[str, Any]) -> dict[str, tuple[int, str, int, int]]:
    spans = [(n.start, n.end) for n in named]
    out: dict[str, tuple[int, str, int, int]] = {}
    for name, (patterns, thousand) in t["overrides"].items():
        for pattern in patterns:
            for m in pattern.finditer(question):
                a, b = m.span("n")
                if name in out or _inside(a, spans):
                    continue  # a number inside the model's name ("Llama-2-7B") is the name
                value = _number(m.group("n"), thousand)
                if value:
                    out[name] = (value, m.group("n").strip(), a, b)
    return out


def asks(question: str, what: str) -> bool:
    """Whether the question uses one of the [words] phrases of ``what`` (kv_cache, serving)."""
    return any(p.search(question) for p in _tables()["words"][what])


def setting(name: str) -> tuple[tuple[str, ...], str]:
    """(the layouts whose configuration ``name`` overrides, the word for it)."""
    return _tables()["settings"][name]


@lru_cache(maxsize=1)
def _lora_rules() -> dict[str, Any]:
    rules = load_toml("modelnames.toml")["lora"]
    words = {w: target for target, ws in rules["targets"].items() for w in ws}
    return {"rank": tuple(re.compile(p, re.I) for p in rules["rank"]), "words": words,
            "groups": rules["groups"], "default": tuple(rules["default"]), "order": tuple(rules["targets"])}


def read_lora(question: str) -> tuple[tuple[int, int, int] | None, tuple[str, ...], bool]:
    """((rank, start, end), adapted matrices, whether the question names them) of 'LoRA r=8 on q and v'."""
    rules = _lora_rules()
    rank = next(((int(m.group("n")), m.start("n"), m.end("n")) for p in rules["rank"] for m in [p.search(question)]
                 if m), None)
    low = question.lower()
    words = re.findall(r"[a-z_]+", low)
    named = {rules["words"][w] for w in words if w in rules["words"]}
    if not named:
        for group, targets in rules["groups"].items():
            if group in low:
                named = set(targets)
                break
    if not named:
        return rank, rules["default"], False
    return rank, tuple(t for t in rules["order"] if t in named), True


def own_arithmetic(question: str) -> bool:
    """Whether the question holds the asker's own arithmetic ("(5*5)*96*256 + 256 = 614656")."""
    return bool(_tables()["own_arithmetic"].search(question))
