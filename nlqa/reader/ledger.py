"""The number ledger: every number of a question as written, and what it became.

A number becomes a size of the network (the input, a layer's units, filters, kernel, stride, pool,
vocabulary, heads...), a count the asker quotes (a layer's or the network's parameters), a number
about something else (epochs, batch size, dataset size, accuracy, a rate, a version), an option of
a multiple-choice list, the asker's own arithmetic, or nothing: ``unused``.

The ledger is built from the question as written and from what was counted (the spec and its
counts), after the reading; it never changes the reading. An ``unused`` number in a clause about
layers (a sentence or code line with a layer word, ``grammars/ledger.toml`` [clause]) means the
reading may be incomplete: :func:`incomplete` returns those entries so the answer can say so.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from math import prod
from typing import Any

from ..core.spec import LayerSpec
from ..resources import load_toml
from .cleanup import markdown
from .cleanup.normalize import _number_tables, _words_to_numbers

_DEFAULTS = {f.name: f.default for f in fields(LayerSpec)}

# Numbers as people write them; the alternatives are tried left to right, so the longer forms first.
_NUMBER = r"\d{1,3}(?:,\d{3})+(?!\d)|\d+(?:\.\d+)?(?:[eE]-?\d+)?"
_SCAN_TEMPLATE = (
    # 4*2*(2+3+1) = 48 or 150 = 3 * [5*(5+4)+5]: the asker's arithmetic, bounded to one line of at most 80 characters
    r"(?P<arith>(?<![\w.])(?=[\d(][\d \t()×xX/^.-]{0,80}[*+×/^]|[\d(][\d \t()]{0,40}\d[ \t]+X[ \t]+[\d(])[\d(][\d \t()*+×xX/^.-]{1,80}?=[ \t]*\d[\d,]*"
    r"|(?<![\w.])\d[\d,]*[ \t]*=[ \t]*(?=[\d(\[][\d \t()\[\]×x/^.-]{0,80}[*+×/^])[\d(\[][\d \t()\[\]*+×x/^.-]{1,80}[\d)\]])"
    r"|(?P<tuple>(?<![\w])\(\s*(?:None|\d[\d,]*|\?|batch)?(?:\s*,\s*(?:None|\d[\d,]*|\?))+\s*,?\s*\)|\(\s*\d+\s*,\s*\))"
    r"|(?P<product>(?<![\w.])\d+(?:\s*(?:[xX×*^]|\*\*)\s*\d+)+(?!\w|\.\d))"             # 28x28x3, 32*8*8, 2^15
    r"|(?P<chain>(?<![\w.-])\d+(?:\s*(?:-|->|→|—)\s*\d+){2,}(?!\w|\.\d))"               # 4-8-8-3
    rf"|(?P<number>(?<![\w.])(?<![A-Za-z]-)(?:{_NUMBER})(?!\.\d+[^\W\d])\s?(?P<suffix>[kKMB](?![\w])|\s*-?\s*(?i:thousand|million|billion|trillion)\b)?%?(?![\w]))"
    r"|(?P<glued>(?<![\w.])(?<![A-Za-z]-)\d+(?:[.,]\d+)*(?=[^\W\d]))"   # 24G, 11GB, 1080ti, 12d²: a number glued to a word
    r"|(?P<word>(?<![\w-])(?i:{words})(?![\w]))"                      # two, sixty-four, eight thousand
)


@lru_cache(maxsize=None)
def _scanner() -> re.Pattern:
    run = _number_tables()[3].pattern  # the number-word runs nlqa.reader.cleanup.normalize reads
    return re.compile(_SCAN_TEMPLATE.replace("{words}", run.removeprefix(r"\b").removesuffix(r"\b")))


ESCAPES = re.compile(r"\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x9b[0-9;?]*[@-~]")
ENTITY = re.compile(r"&(?:#\d{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_WORD = re.compile(r"[A-Za-z_][\w'-]*|%|=")
_OPTION = re.compile(r"(?:^|[\s(\[])(?:\(?[A-Ea-e]\)|[A-Ea-e][.:]\s|\(?(?:iv|i{1,3}|v)\)|\d\))\s*$")
_ENUMERATOR = re.compile(r"\d{1,2}[.)](?=\s+[A-Za-z(])")
_CLAUSE_END = re.compile(r"[.?!;](?=\s)|\n")
SUFFIXES = {"k": 1_000, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000, "thousand": 1_000, "million": 1_000_000,
            "billion": 1_000_000_000, "trillion": 1_000_000_000_000}

@dataclass(frozen=True)
class Entry:
    text: str            # as written
    role: str
    layer: int | None = None
    start: int = 0       # character offset in the question
    in_layer_clause: bool = False
    in_code: bool = False   # on a line of pasted code (a fence, a call, an assignment, an import)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"text": self.text, "role": self.role}
        if self.layer is not None:
            out["layer"] = self.layer
        return out


def _word_pairs(section: dict[str, Any]) -> dict[str, tuple[tuple[str, ...], tuple[str, ...]]]:
    """Each role of a [roles]/[fallback] table as (words before, words after)."""
    return {name: (tuple(spec.get("before", ())), tuple(spec.get("after", ()))) for name, spec in section.items()}


@lru_cache(maxsize=None)
def _grammar() -> dict[str, Any]:
    table = load_toml("ledger.toml")
    roles = _word_pairs(table["roles"])
    any_role = tuple(tuple(sorted({w for pair in roles.values() for w in pair[side]})) for side in (0, 1))
    return {"roles": roles, "fallback": _word_pairs(table.get("fallback", {})), "any_role": any_role,
            "before": table["window_before"], "after": table["window_after"],
            "clause": tuple(table["clause"]["layer_words"]),
            "contrast": (frozenset(table["contrast"]["words"]), int(table["contrast"]["window"])),
            "tensor_batch": re.compile(r"\b(?:%s)\(\s*(?:(?:size|shape)\s*=\s*)?[(\[]?\s*$"
                                       % "|".join(map(re.escape, table["tensor"]["calls"])))}


def _matches(word: str, vocabulary: tuple[str, ...]) -> bool:
    exact, prefixes = _compiled(vocabulary)
    return word in exact or (bool(prefixes) and word.startswith(prefixes))


@lru_cache(maxsize=None)
def _compiled(vocabulary: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """A vocabulary as a set of words and a tuple of prefixes (the entries ending in "*")."""
    return (frozenset(w for w in vocabulary if not w.endswith("*")),
            tuple(w[:-1] for w in vocabulary if w.endswith("*")))


def _value(kind: str, text: str, suffix: str | None) -> Any:
    """The number an entry stands for: an int (or float), a tuple of sides, or None."""
    if kind in ("number",):
        digits = text.rstrip("%").strip()
        if suffix:
            digits = digits[:len(digits) - len(suffix.strip())].strip(" -")
            suffix = suffix.strip(" -")
            suffix = suffix if suffix in SUFFIXES else suffix.lower()
        digits = digits.replace(",", "")
        try:
            value = float(digits) if any(c in digits for c in ".eE") else int(digits)
        except ValueError:
            return None
        if suffix:
            value = value * SUFFIXES[suffix]
            value = int(value) if float(value).is_integer() else value
        return value
    if kind == "glued":
        try:
            return int(text.replace(",", "")) if text.replace(",", "").isdecimal() else float(text.replace(",", ""))
        except ValueError:
            return None
    if kind == "word":
        words, scales, _, _ = _number_tables()
        first = _words_to_numbers(text, words, scales).split()[0]
        return int(first) if first.isdecimal() else None
    if kind == "tuple":
        inner = text.strip("() ")
        parts = [p.strip() for p in (inner.split(", ") if ", " in inner else inner.split(","))]
        return tuple(int(p.replace(",", "")) if p.replace(",", "").isdecimal() else None for p in parts if p)
    if kind == "product":
        if "^" in text or "**" in text:
            pieces = re.split(r"\s*(?:\^|\*\*)\s*", text)[:2]
            if not all(p.isdecimal() for p in pieces):
                return None             # "8 * 2 ** 2": a mixed product, not read as one number
            base, power = (int(p) for p in pieces)
            return base ** power if power < 64 else None
        parts = [int(p) for p in re.split(r"\s*[xX×*]\s*", text)]
        return prod(parts) if "*" in text else tuple(parts)
    if kind == "chain":
        return tuple(int(p) for p in re.findall(r"\d+", text))
    return None


def _spec_values(count) -> list[tuple[Any, str, int | None]]:
    """Every size the counted network holds, as (value, role, layer index)."""
    if count is None:
        return []
    values: list[tuple[Any, str, int | None]] = []
    spec = count.spec
    for side in spec.input or ():
        values.append((side, "input", None))
    if spec.input:
        values.append((tuple(spec.input), "input", None))
    if spec.input and len(spec.input) >= 3:
        values.append((tuple(spec.input[:-1]), "input", None))  # "64x64 RGB images": the sides without channels
    kinds: dict[str, int] = {}
    for c in count.layers:
        s, i = c.spec, c.index or None
        if not s.implicit:
            kinds[s.kind] = kinds.get(s.kind, 0) + 1
        unit_role = "filters" if s.kernel is not None else "embedding_dim" if s.kind == "Embedding" else "units"
        for field, role in (("units", unit_role), ("vocab", "vocabulary"), ("heads", "heads"), ("key_dim", "key_dim"),
                            ("value_dim", "key_dim"), ("ff", "feed_forward"), ("positions", "positions"),
                            ("in_features", "input"), ("proj_size", "projection"), ("repeat", "layer_count"),
                            ("groups", "groups"), ("depth_multiplier", "groups"), ("patch", "patch"),
                            ("image", "image"), ("channels", "channels"), ("kdim", "key_dim"), ("vdim", "key_dim"),
                            ("segments", "vocabulary")):
            v = getattr(s, field)
            if isinstance(v, int) and not isinstance(v, bool) and v and v != _DEFAULTS[field]:
                values.append((v, role, i))
        for field, role in (("kernel", "kernel"), ("strides", "stride"), ("pool", "pool"), ("dilation", "dilation"),
                            ("padding", "padding"), ("output_padding", "padding"), ("tensor", "tensor")):
            v = getattr(s, field)
            sides = v if isinstance(v, tuple) else (v,) if isinstance(v, int) else ()
            for side in sides:
                if isinstance(side, int):
                    values.append((side, role, i))
            if sides:
                values.append((tuple(sides), role, i))
        if s.kind == "Embedding" and s.vocab and s.units:
            values.append(((s.vocab, s.units), "vocabulary", i))  # "an embedding of size 1000 x 50"
        if c.input_shape and c.index and c.input_shape[-1] is not None:
            values.append((c.input_shape[-1], "input", i))
        shape = tuple(c.output_shape)
        values.append((shape, "output_shape", i))
        for side in shape:
            if isinstance(side, int):
                values.append((side, "output_shape", i))
    listed = [c for c in count.layers if not c.spec.implicit]
    for n in set(kinds.values()) | {len(listed) + 1, len(listed), max(len(listed) - 1, 0)}:  # a "3-layer" MLP counts its input
        values.append((n, "layer_count", None))
    return values


def _count_values(count) -> list[tuple[int, int | None]]:
    if count is None:
        return []
    out = [(v, None) for v in count.totals.values()]
    for c in count.layers:
        for v in (c.params, c.trainable, c.non_trainable, c.weights, c.biases, *(t.value for t in c.terms)):
            out.append((v, c.index or None))
    return out


class _Index:
    """The counted network's sizes and counts, looked up by value (a ledger stays linear in the text)."""

    def __init__(self, count):
        self.by_value: dict[Any, list[tuple[str, int | None]]] = {}
        self.shapes: dict[tuple, tuple[str, int | None]] = {}
        self.windows: dict[int, tuple[str, int | None]] = {}   # a square kernel, pool or stride of this side
        self.known: set[int] = set()
        self.inputs: set[int] = set()
        self.widths: set[int] = set()
        for v, role, layer in _spec_values(count):
            if isinstance(v, tuple):
                self.shapes.setdefault(_canonical(v), (role, layer))
                if role in ("kernel", "pool", "stride") and len(set(v)) == 1 and v and isinstance(v[0], int):
                    self.windows.setdefault(v[0], (role, layer))
                continue
            self.by_value.setdefault(v, []).append((role, layer))
            self.known.add(v)
            if role == "input":
                self.inputs.add(v)
            if role in ("units", "input"):
                self.widths.add(v)
        # d / h of each attention of width d and h heads: a per-head size the formula accounts for
        self.head_dims: set[int] = {c.spec.units // c.spec.heads for c in (count.layers if count else ())
                                    if c.spec.heads and c.spec.units and not c.spec.key_dim
                                    and c.spec.units % c.spec.heads == 0}
        self.superseded: frozenset = frozenset()
        self.next: dict[Any, int] = {}
        self.counts: dict[int, int | None] = {}
        for v, layer in _count_values(count):
            self.counts.setdefault(v, layer)

    def shape(self, value: tuple) -> tuple[str, int | None] | None:
        batch = len(value) > 2 or (len(value) == 2 and value[0] != value[1])  # (8, 3, 224, 224): a batch first
        for key in (_canonical(value), _canonical(value[1:]) if batch else None):
            if key is not None and key in self.shapes:
                return self.shapes[key]
        if len(set(value)) == 1 and value[0] in self.windows:
            return self.windows[value[0]]
        return None

    def size(self, value: int, prefer_layer_count: bool) -> tuple[str, int | None] | None:
        """The next size of this value not yet given to a number (sizes are met in text order)."""
        found = self.by_value.get(value)
        if not found:
            return None
        if prefer_layer_count and any(r == "layer_count" for r, _ in found):
            return "layer_count", None
        sized = [(r, layer) for r, layer in found if r != "layer_count"]
        if not sized:
            return None
        at = self.next.get(value, 0)
        self.next[value] = at + 1
        return sized[min(at, len(sized) - 1)]

    def layer_count(self, value: int) -> bool:
        return any(r == "layer_count" for r, _ in self.by_value.get(value, ()))


def _canonical(shape: tuple) -> tuple:
    """(None, 400, 3) and (400, 3) alike; (3, 1) is (3,); channels-first and channels-last alike."""
    return tuple(sorted(x for x in shape if isinstance(x, int) and x != 1))


def account(question: str, count=None, extra: dict[str, Any] | None = None,
            table_lines: frozenset = frozenset(), superseded: tuple[int, ...] = ()) -> tuple[Entry, ...]:
    """The ledger of ``question``: one entry per number as written, in text order.

    ``count`` is the NetworkCount of what was read (None when nothing was counted); ``extra``
    maps other values the answer used to their role (a parameter count given in the question, a
    memory size); ``superseded`` the values of settings the question replaces later ("heads: 8", then
    "the number of heads is increased to 16"). A number on one of ``table_lines`` (a pasted summary table) is ``summary``: a
    layer's printed name, shape or count."""
    grammar = _grammar()
    # terminal escapes pasted with a question hold digits that are no numbers: blank them, keeping offsets
    question = ESCAPES.sub(lambda m: " " * len(m.group(0)), question)
    if "&" in question:   # so do HTML entities ("&#39;", "&#8594;"): the reader reads them unescaped
        question = ENTITY.sub(lambda m: " " * len(m.group(0)), question)
    word_matches = [(m.start(), m.group(0).lower()) for m in _WORD.finditer(question)]
    offsets = [s for s, _ in word_matches]
    words = [w for _, w in word_matches]
    clause_starts = [0] + [m.end() for m in _CLAUSE_END.finditer(question)]
    layer_clauses = _layer_clauses(clause_starts, word_matches, grammar["clause"])
    index = _Index(count)
    index.superseded = frozenset(superseded)
    line_starts, on_code = code_lines(question)
    extra = extra or {}
    entries = []
    found = list(_scanner().finditer(question))
    arithmetic: dict[int, bool] = {}   # line start -> whether the line holds the asker's worked arithmetic
    for n, m in enumerate(found):
        kind = next(k for k in ("arith", "tuple", "product", "chain", "number", "glued", "word") if m.group(k))
        text = m.group(kind).strip()
        start = m.start(kind)
        value = _value(kind, text, m.group("suffix") if kind == "number" else None)
        # context words belong to the nearest number: none are read across another number
        low = found[n - 1].end() if n else 0
        high = found[n + 1].start() if n + 1 < len(found) else len(question)
        before = words[max(bisect_left(offsets, low), bisect_left(offsets, start) - grammar["before"]):
                       bisect_left(offsets, start)]
        first_after = bisect_left(offsets, m.end())
        after = words[first_after:min(bisect_left(offsets, high), first_after + grammar["after"])]
        # "Dense(1)(lstm)": a word after a bracket is not the number's noun
        after_near = after if re.match(r"[\s-]", question[m.end():m.end() + 1]) else []
        clause = _clause_of(start, clause_starts)
        line = _line_of(start, line_starts)
        if line in table_lines:
            entries.append(Entry(text, "summary", None, start, False, True))
            continue
        bounds = (line_starts[line], line_starts[line + 1] - 1 if line + 1 < len(line_starts) else len(question))
        role, layer = _role(kind, text, value, _Context(before, after, after_near), question, start, index, extra,
                            grammar, _Line(question, *bounds, arithmetic))
        entries.append(Entry(text, role, layer, start, clause in layer_clauses, line in on_code))
    return tuple(_ratios(entries, question))


RATIO_JOIN = re.compile(r"\s*[/:]\s*|-")
RATIO_ROLES = ("split", "dataset_size")


def _ratios(entries: list[Entry], question: str) -> list[Entry]:
    """"an 80/20 train/test split", "70-30": the first number of a ratio takes the role its partner got
    from the words after the pair (context words are not read across a number)."""
    out = list(entries)
    for k in range(len(out) - 2, -1, -1):
        a, b = out[k], out[k + 1]
        if a.role == "unused" and b.role in RATIO_ROLES and RATIO_JOIN.fullmatch(question[a.start + len(a.text):b.start]):
            out[k] = replace(a, role=b.role)
    return out


def set_against(entries: tuple[Entry, ...], question: str, answered: Any) -> tuple[Entry, ...]:
    """An unused prose number set against the answer's count, quoted by the asker within one sentence
    ("should have been 110, but the output here is 220", "272, not 544") is the asker's other figure
    for that count: a quoted count, not a size the reading left out. Only against the count the answer
    gives (a figure set against another layer's count leaves the reading in doubt), and never a number
    followed by a layer word ("but the layer has 64 units")."""
    if not isinstance(answered, int):
        return entries
    quoted = [e for e in entries if e.role == "quoted_count" and not e.in_code
              and _value("number", e.text, None) == answered]
    if not quoted:
        return entries
    grammar = _grammar()
    (words, window), layer_words = grammar["contrast"], grammar["clause"]
    out = []
    for e in entries:
        noun = _WORD.match(question, e.start + len(e.text) + 1)
        if e.role == "unused" and not e.in_code and not (noun and _matches(noun.group(0).lower(), layer_words)) and any(
                _set_against(q, e, question, words, window) for q in quoted):
            e = replace(e, role="quoted_count")
        out.append(e)
    return tuple(out)


def _set_against(a: Entry, b: Entry, question: str, words: frozenset, window: int) -> bool:
    lo, hi = sorted((a, b), key=lambda e: e.start)
    between = question[lo.start + len(lo.text):hi.start]
    if len(between) > window or _CLAUSE_END.search(between):
        return False
    return any(w.lower() in words for w in _WORD.findall(between))


@dataclass(frozen=True)
class _Context:
    before: list[str]       # the words just before the number (none across another number)
    after: list[str]        # the words just after it
    after_near: list[str]   # the words after it when a space or hyphen follows it directly

    def has(self, words: tuple[tuple[str, ...], tuple[str, ...]], last_only: bool = False, side: str = "") -> bool:
        before_words, after_words = words
        before = [w for w in self.before if w not in FILLERS][-1:] if last_only else self.before
        return (side != "after" and any(_matches(w, before_words) for w in before)) or (side != "before" and any(
            _matches(w, after_words) for w in (self.after if last_only else self.after_near)))


WINDOW_WORDS = ("kernel*", "filter*", "window*", "size", "pool*", "receptive", "patch*")
FILLERS = {"=", "of", "is", "are", "a", "an", "the", "to", "with", "each", "per"}
LAYER_NOUNS = ("layer", "layers", "hidden", "lstm*", "gru*", "rnn*", "conv*", "dense", "recurrent", "stacked", "fully")


@dataclass(frozen=True)
class _Line:
    """The line a number stands on, and (cached per line) whether it holds arithmetic over named terms."""
    question: str
    start: int
    end: int
    cache: dict

    def worked_arithmetic(self) -> bool:
        if self.start not in self.cache:
            line = self.question[self.start:self.end]
            self.cache[self.start] = "=" in line and bool(_EXPRESSION.search(line)) and not CODE_LINE.search(line)
        return self.cache[self.start]


def _role(kind, text, value, context: _Context, question, start, index: _Index, extra, grammar, line: "_Line"):
    if kind == "arith":
        return "asker_arithmetic", None
    if kind == "number" and grammar["tensor_batch"].search(question, max(start - 40, 0), start):
        return "batch_size", None   # torch.randn(16, 3, 64, 64): the batch of a data tensor
    if kind == "chain":
        return ("architecture" if value and set(value) <= index.widths else "unused"), None
    if kind == "number" and _OPTION.search(question[max(0, start - 6):start]):
        return "option", None
    if kind == "number" and _ENUMERATOR.match(question, start) and not question[
            question.rfind("\n", 0, start) + 1:start].strip(" \t#*>-"):
        return "label", None        # "5) Suppose you have ...", "3. Compute ...": the numbering of a question or item
    if text.endswith("%"):
        return "accuracy", None
    # the noun right after a number is what it quantifies ("7 epochs on 300 samples"); then the words before it
    before_all, after_all = grammar["any_role"]
    signalled = any(_matches(w, before_all) for w in context.before) or any(
        _matches(w, after_all) for w in context.after_near)
    for side in ("after", "before") if signalled else ():  # most numbers have no such word near them
        for role, words in grammar["roles"].items():
            if role == "version" and "." not in text and not (context.before[-1:] and context.before[-1] in ("version", "v")):
                continue  # "keras 2.15", "version 3"; not "keras.Input((10,))"
            if role != "quoted_count" and context.has(words, side=side) and not (
                    role == "dataset_size" and isinstance(value, tuple)):
                return role, None
    if kind in ("number", "glued") and isinstance(value, (int, float)) and math.isfinite(value) and (
            int(value) not in index.known) and (
            value not in extra) and _asker_operand(line, start, start + len(text)):
        return "asker_arithmetic", None
    if isinstance(value, float) and not value.is_integer():
        return extra.get(value, "rate"), None
    if isinstance(value, float):
        value = int(value)
    if value in extra:
        return extra[value], None
    if isinstance(value, tuple):
        found = index.shape(value)
        if not found and kind == "tuple" and re.search(r",\d", text):
            # "(1, 3, 224,224)": a comma without a space may separate sides rather than thousands
            found = index.shape(tuple(int(p) for p in re.findall(r"\d+", text)))
        if found:
            return found
        ints = [x for x in value if isinstance(x, int)]
        window = len(ints) == 2 and any(_matches(w, WINDOW_WORDS) for w in context.before[-2:] + context.after_near[:1])
        # "filters of size 3x3", "a 3x3 kernel": a window or kernel the network does not hold is unused
        if ints and not window and all(x in index.known or x == 1 for x in ints):
            return ("input" if any(x in index.inputs for x in ints) else "output_shape"), None
        return "unused", None
    if value is None:
        return "unused", None
    found = index.size(value, bool(context.after_near) and _matches(context.after_near[0], LAYER_NOUNS))
    if found:
        return found
    if value in index.superseded:
        return "superseded", None   # a setting the question changes later: the count uses the new value
    if value > 1 and value in index.counts:
        return "quoted_count", index.counts[value]
    if context.has(grammar["roles"]["quoted_count"]):
        return "quoted_count", None
    fallback = grammar["fallback"]
    if index.head_dims and "head_dim" in fallback:
        # "Dimension of each head (Query, Key, Value): 64" beside 512 wide and 8 heads: d / h, consistent;
        # a per-head size that is not d / h is left unused (the reading would not account for it)
        if value in index.head_dims and context.has(fallback["head_dim"]):
            return "head_dim", None
        if context.has(fallback["head_dim"], last_only=True) and value not in index.known:
            return "unused", None
    for role, words in fallback.items():
        if role == "head_dim" and index.head_dims:
            continue
        if context.has(words, last_only=True):
            return role, None
    if index.layer_count(value):
        return "layer_count", None
    return "unused", None


# the asker's arithmetic over named terms: "(embedding_param + num_param) / 1e6 * 4 =437.4MB"
_OPERAND_BEFORE = re.compile(r"[\w)\]]\s*(?:[*/×]|\\times)\s*$")
_OPERAND_AFTER = re.compile(r"\s*(?:[*/×]|\\times)\s*[\w(]")
_RESULT_BEFORE = re.compile(r"[\w)\]]\s*(?:=\s*[~≈]?|[~≈])\s*$")
_EXPRESSION = re.compile(r"[A-Za-z_)\]]\s*[*/×+]\s*[\w(]|[\w)]\s*(?:[*/×]|\\times)\s*[A-Za-z_(]")


def _asker_operand(line: _Line, start: int, end: int) -> bool:
    """A number written as an operand of the asker's arithmetic over named terms, or as its result,
    on a prose line that holds such an expression and an "=" (a line of code is the code's own)."""
    question = line.question
    before, after = question[max(line.start, start - 80):start], question[end:min(end + 10, line.end)]
    if not (_OPERAND_BEFORE.search(before) or _OPERAND_AFTER.match(after) or _RESULT_BEFORE.search(before)):
        return False   # the cheap test first: most numbers stand beside no operator
    if not line.worked_arithmetic():
        return False
    # its result only when rounded or in a unit ("= 437.4MB", "≈ 12.7B"): a whole count after "=" is what
    # the asker claims the network has, left for the answer to check, never taken as arithmetic
    rounded = not question[start:end].replace(",", "").isdecimal() or bool(re.match(r"\s?[A-Za-z]", after))
    # an operand only of arithmetic that the asker works out to a written result ("... * 4 = 437.4MB"), not of
    # a size defined by a formula ("hidden = 2 * input_dim")
    worked = re.search(r"(?:=|≈|~)\s*\d", question[end:min(end + 200, line.end)]) is not None
    return bool((worked and (_OPERAND_BEFORE.search(before) or _OPERAND_AFTER.match(after)))
                or (rounded and _RESULT_BEFORE.search(before) and _EXPRESSION.search(before)))


def _clause_of(offset: int, starts: list[int]) -> int:
    lo, hi = 0, len(starts) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if starts[mid] <= offset:
            lo = mid
        else:
            hi = mid - 1
    return lo


def _layer_clauses(starts, words, vocabulary) -> set[int]:
    """The clauses that hold a layer word."""
    clauses = set()
    for offset, word in words:
        if _matches(word, vocabulary):
            clauses.add(_clause_of(offset, starts))
    return clauses


CODE_LINE = re.compile(r"^\s*(?:>>>|[\w.]+\(|\.\.\.|In \[\d*\]:|from\s+\w|import\s+\w|def\s|class\s|return\b|@\w|[\w.\[\]]+\s*[+\-*/]?=[^=]|"
                       r"[\w.]+\(.*\)\s*[,)\]]*\s*$)|[A-Za-z_]\w*(?:\.\w+)*\([^()]*\)\s*\(")


def code_lines(question: str) -> tuple[list[int], set[int]]:
    """The offsets where lines start, and the numbers of the lines that are code."""
    # fenced code blocks; an indented block of a scraped post is as often indented prose or pasted output,
    # so its lines count as code only when they look like code (CODE_LINE)
    starts, code = [0], {n for b in markdown.read(question).blocks if b.fence for n in range(b.start, b.end)}
    lines = question.split("\n")
    for n, line in enumerate(lines):
        if n:
            starts.append(starts[-1] + len(lines[n - 1]) + 1)
        if n not in code and CODE_LINE.search(line):
            code.add(n)
    return starts, code


def _line_of(offset: int, starts: list[int]) -> int:
    return bisect_right(starts, offset) - 1


def unread(entries: tuple[Entry, ...]) -> list[Entry]:
    """Numbers written in digits in a prose sentence about layers that the reading left unused: the
    reading is incomplete, so the answer asks back instead of stating a value."""
    return [e for e in incomplete(entries) if not e.in_code and any(c.isdigit() for c in e.text)]


def incomplete(entries: tuple[Entry, ...]) -> list[Entry]:
    """Integers in a clause about layers that nothing in the reading accounts for."""
    return [e for e in entries if e.role == "unused" and e.in_layer_clause and not e.text.startswith("0")]
