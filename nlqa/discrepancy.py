"""Why is it N? The numbers the asker quotes, checked against the derivation.

A count the asker quotes (``quoted_count`` in the ledger: "keras says 50", "the summary shows
2600") or works out (``asker_arithmetic``: "4*10 = 40", "150 = 3 * [5*(5+4)+5]") is a hint and a
check. Each such number N is compared with

1. the derivation: a layer's count or the network's total (N is explained: which layer, which
   formula, which convention);
2. the other readings of the question (``alternatives``);
3. the derivation with terms left out or added, one layer or every layer at once: the biases, the
   input channels of a convolution, BatchNorm's moving statistics, the bidirectional doubling, a
   whole layer, and the layer counted under another framework's convention (PyTorch's second
   recurrent bias vector, Keras GRU ``reset_after``, BatchNorm's buffers). The catalogue of those
   terms and their words is data: ``grammars/discrepancies.toml``.

The first reading that gives N names the term the asker missed or added; when none does and the
number is the asker's own ("I calculated 150"), the check says so plainly. Pure: it reads the
count and the ledger, never changes the answer's value.
"""

from __future__ import annotations

import ast
import operator
import re
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import Any, Callable

from .core import LayerCount, NetworkCount, count_network
from .core.spec import FRAMEWORKS
from .errors import SpecError
from .resources import load_toml

MAX_CHECKS = 4
MAX_PAIRED = 40          # a scope with more shifts than this (a deep network) is tried one term at a time
ROLES = ("asker_arithmetic", "quoted_count")


@dataclass(frozen=True)
class Shift:
    """One way a count can differ from nlqa's: ``delta`` added to a layer's count (negative: the
    number leaves something out), or the count halved (one direction of a bidirectional layer)."""

    id: str
    layer: int
    delta: int
    phrase: str
    halve: bool = False
    convention: bool = False
    again: str = ""          # the phrase once its layer has been named ("layer 1" for the full label)


@lru_cache(maxsize=None)
def catalogue() -> dict[str, Any]:
    table = load_toml("discrepancies.toml")
    for n, entry in enumerate(table.get("term", []), 1):
        if not {"id", "missed"} <= set(entry):
            raise ValueError(f"grammars/discrepancies.toml: [[term]] {n} needs 'id' and 'missed'")
    for n, entry in enumerate(table.get("convention", []), 1):
        if not {"id", "with", "without", "missed", "added"} <= set(entry):
            raise ValueError(f"grammars/discrepancies.toml: [[convention]] {n} needs id, with, without, missed, added")
    return table


# -- the asker's numbers ----------------------------------------------------------------------

_OPS = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Pow: operator.pow}
_WORD = re.compile(r"[A-Za-z_']+")


def _evaluate(expression: str) -> int | None:
    """The value of the asker's arithmetic ('3 * [5*(5+4)+5]', '32 X (3 X 3)'), integers only."""
    text = expression.replace("[", "(").replace("]", ")").replace("×", "*").replace("^", "**").replace(",", "")
    text = re.sub(r"(?<=[\d)\s])[xX](?=[\s\d(])", "*", text)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except (SyntaxError, ValueError):
        return None

    def walk(node):
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and type(node.value) is int:
            return node.value
        if isinstance(node, ast.BinOp) and type(node.op) in _OPS:
            left, right = walk(node.left), walk(node.right)
            if isinstance(node.op, ast.Pow) and right > 64:
                raise ValueError("too large")
            return _OPS[type(node.op)](left, right)
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            left, right = walk(node.left), walk(node.right)
            if right == 0 or left % right:
                raise ValueError("not an integer")
            return left // right
        raise ValueError("not arithmetic")
    try:
        return walk(tree)
    except (ValueError, TypeError, RecursionError):
        return None


def _number(text: str) -> int | None:
    digits = text.strip().rstrip(",.;:").replace(",", "").replace(" ", "")
    scale = {"k": 1_000, "K": 1_000, "M": 1_000_000, "B": 1_000_000_000}.get(digits[-1:], 1)
    digits = digits[:-1] if scale != 1 else digits
    try:
        value = float(digits) * scale if "." in digits else int(digits) * scale
    except ValueError:
        return None
    return int(value) if float(value).is_integer() else None


def arithmetic(text: str) -> tuple[int | None, int | None]:
    """'4*10 = 40' → (40, 40); '150 = 3 * [5*(5+4)+5]' → (150, 150): the stated result and the
    value of the expression (None where either cannot be read)."""
    sides = [s.strip() for s in text.split("=") if s.strip()]
    if len(sides) < 2:
        return _number(text), None
    stated = _number(sides[-1])
    if stated is not None:
        return stated, _evaluate(sides[0])
    return _number(sides[0]), _evaluate(sides[-1])


def _expression(text: str) -> str:
    """The expression side of the asker's arithmetic ('4*10' of '4*10 = 40')."""
    sides = [s.strip() for s in text.split("=") if s.strip()]
    return sides[0] if len(sides) < 2 or _number(sides[-1]) is not None else sides[-1]


def _own(question: str, start: int, cues: frozenset[str], window: int) -> bool:
    words = [w.lower() for w in _WORD.findall(question[max(0, start - 80):start])][-window:]
    return any(w in cues for w in words)


def asker_numbers(question: str, ledger) -> list[dict[str, Any]]:
    """The numbers the asker quotes or works out, once each: text, value, the value of their own
    arithmetic (``computed``) and whether the number is theirs (``own``)."""
    table = catalogue()
    cues, window = frozenset(table["cues"]), int(table["cue_window"])
    out: list[dict[str, Any]] = []
    for e in ledger:
        if e.role not in ROLES:
            continue
        if e.role == "asker_arithmetic":
            value, computed = arithmetic(e.text)
            own = True
        else:
            value, computed, own = _number(e.text), None, _own(question, e.start, cues, window)
        if value is None or value < 2 or any(n["value"] == value for n in out):
            continue
        out.append({"text": e.text, "value": value, "computed": computed, "own": own})
    return out


# -- the ways a count can differ --------------------------------------------------------------

def _label_kinds(entry: dict, kind: str) -> bool:
    return not entry.get("kinds") or kind in entry["kinds"]


def term_shifts(c: LayerCount, label: str) -> list[Shift]:
    """The terms of ``grammars/discrepancies.toml`` [[term]] that layer ``c`` can lose."""
    out = []
    for entry in catalogue().get("term", []):
        if not _label_kinds(entry, c.spec.kind):
            continue
        fields = {"layer": label, "channels": ""}
        if "drop" in entry:
            n = sum(t.value for t in c.terms if t.kind == entry["drop"])
        elif entry.get("factor") == "input_channels":
            channels = c.input_shape[-1] if c.input_shape else None
            weights = sum(t.value for t in c.terms if t.label == "weights")
            if not channels or channels < 2 or c.spec.groups != 1 or not weights:
                continue
            n, fields["channels"] = weights - weights // channels, str(channels)
        elif entry.get("halve"):
            if not c.spec.bidirectional:
                continue
            n = c.params - c.params // 2
            out.append(Shift(entry["id"], c.index, -n, entry["missed"].format(n=n, **fields), halve=True,
                             again=entry["missed"].format(n=n, **{**fields, "layer": f"layer {c.index}"})))
            continue
        elif entry.get("whole_layer"):
            n = c.params
        else:
            continue
        if n > 0:
            out.append(Shift(entry["id"], c.index, -n, entry["missed"].format(n=n, **fields),
                             again=entry["missed"].format(n=n, **{**fields, "layer": f"layer {c.index}"})))
    return out


def convention_counts(count: NetworkCount) -> dict[str, NetworkCount]:
    """The network counted under each other framework's convention (those that can count it)."""
    out = {}
    for fw in FRAMEWORKS:
        if fw == count.spec.framework:
            continue
        try:
            other = count_network(count.spec.with_(framework=fw))
        except SpecError:
            continue
        if len(other.layers) == len(count.layers):
            out[fw] = other
    return out


def convention_shift(c: LayerCount, other: LayerCount, counted: str, fw: str, label: str) -> Shift | None:
    """Layer ``c`` counted with ``fw``'s convention instead of ``counted``'s, named by the catalogue."""
    delta = other.params - c.params
    if delta == 0:
        return None
    for entry in catalogue().get("convention", []):
        if not _label_kinds(entry, c.spec.kind):
            continue
        if delta < 0 and counted in entry["with"] and fw in entry["without"]:
            words = entry["missed"]
        elif delta > 0 and counted in entry["without"] and fw in entry["with"]:
            words = entry["added"]
        else:
            continue
        return Shift(entry["id"], c.index, delta, words.format(n=abs(delta), layer=label, framework=counted),
                     again=words.format(n=abs(delta), layer=f"layer {c.index}", framework=counted),
                     convention=True)
    return None


# -- the check -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Scope:
    """What a number is compared with: one layer's count or the network's total."""

    layer: int | None
    base: int
    words: str
    shifts: tuple[Shift, ...]
    combined: bool = False    # the network: a term id may stand for that term in every layer
    split: tuple[tuple[str, int], ...] = ()   # ("trainable", n), ("non-trainable", n) when some are not trainable


def _value_after(base: int, shifts: tuple[Shift, ...]) -> int | None:
    value = base + sum(s.delta for s in shifts if not s.halve)
    if any(s.halve for s in shifts):
        return value // 2 if value % 2 == 0 else None
    return value


def _combos(scope: Scope, size: int):
    """The shift combinations of a scope with ``size`` shifts: no term twice, at most one convention,
    all leaving something out or all adding (a mixed difference explains nothing), a halving only
    with shifts of its own layer."""
    if size > 1 and len(scope.shifts) > MAX_PAIRED:
        return
    for combo in combinations(scope.shifts, size):
        if len({s.id for s in combo}) < size or sum(s.convention for s in combo) > 1:
            continue
        if len({s.delta < 0 for s in combo}) > 1:
            continue
        if any(s.halve for s in combo) and len({s.layer for s in combo}) > 1:
            continue
        yield combo


def _network_shifts(count: NetworkCount, per_layer: dict[int, list[Shift]],
                    conventions: dict[str, list[Shift]]) -> list[Shift]:
    """Shifts of the whole network: a term left out of every layer that has it ("the biases"),
    a whole layer left out, and the network counted with another framework's convention."""
    out: list[Shift] = []
    ids: dict[str, list[Shift]] = {}
    for shifts in per_layer.values():
        for s in shifts:
            if not s.halve and s.id != "layer":
                ids.setdefault(s.id, []).append(s)
    every = {e["id"]: e.get("every") for e in catalogue().get("term", [])}
    for term_id, shifts in ids.items():
        if len(shifts) > 1:
            n = -sum(s.delta for s in shifts)
            words = every.get(term_id)
            phrase = (words.format(n=n, parts=" + ".join(f"{-s.delta:,}" for s in shifts)) if words
                      else " and ".join(s.phrase for s in shifts))
            out.append(Shift(term_id, 0, -n, phrase))
        else:
            out.append(shifts[0])
    for shifts in per_layer.values():
        out += [s for s in shifts if s.id == "layer"]
    for fw, shifts in conventions.items():
        if shifts:
            out.append(Shift(shifts[0].id if len(shifts) == 1 else "convention", 0, sum(s.delta for s in shifts),
                             " and ".join(s.phrase for s in shifts), convention=True))
    return out


def _scopes(count: NetworkCount, layer: int | None, label: Callable[[LayerCount], str]) -> list[Scope]:
    listed = [c for c in count.layers if c.index and c.params]
    others = convention_counts(count)
    per_layer: dict[int, list[Shift]] = {}
    conventions: dict[str, list[Shift]] = {fw: [] for fw in others}
    for c in listed:
        words = f"layer {c.index} ({label(c)})"
        shifts = [s for s in term_shifts(c, words) if s.id != "layer"]
        for fw, other in others.items():
            o = next(x for x in other.layers if x.index == c.index and x.spec.kind == c.spec.kind)
            s = convention_shift(c, o, count.spec.framework, fw, words)
            if s is not None:
                shifts.append(s)
                conventions[fw].append(s)
        per_layer[c.index] = shifts + [s for s in term_shifts(c, words) if s.id == "layer"]
    scopes = []
    for c in listed:
        scopes.append(Scope(c.index, c.params, f"layer {c.index} ({label(c)})",
                            tuple(s for s in per_layer[c.index] if s.id != "layer"),
                            split=_split(c.trainable, c.non_trainable)))
    totals = count.totals
    network = Scope(None, totals["total_parameters"], "the network",
                    tuple(_network_shifts(count, per_layer, conventions)), combined=True,
                    split=_split(totals["trainable_parameters"], totals["non_trainable_parameters"]))
    focus = [s for s in scopes if s.layer == layer]
    rest = [s for s in scopes if s.layer != layer]
    if len(listed) > 1:
        return focus + [network] + rest
    return focus + rest


def _split(trainable: int, non_trainable: int) -> tuple[tuple[str, int], ...]:
    return (("trainable", trainable), ("non-trainable", non_trainable)) if non_trainable else ()


def _short(scope: Scope) -> str:
    return "the network's total" if scope.layer is None else f"the count of layer {scope.layer}"


def _derivation_words(scope: Scope, count: NetworkCount) -> str:
    if scope.layer is None:
        rows = [c for c in count.layers if c.params]
        return " + ".join(f"{c.params:,}" for c in rows) + f" = {scope.base:,}"
    c = next(c for c in count.layers if c.index == scope.layer)
    terms = " + ".join(f"{t.value:,}" for t in c.terms)
    return f"{c.formula} = {terms}" + (f" = {c.params:,}" if len(c.terms) > 1 else "")


def explain(n: int, scopes: list[Scope], count: NetworkCount, alternatives, framework: str,
            own: bool = False) -> dict[str, Any] | None:
    """The first reading that gives ``n``: a verdict, the layer, the terms and one sentence."""
    for scope in scopes:
        if n == scope.base:
            return {"verdict": "matches", "layer": scope.layer, "terms": [],
                    "explanation": f"{n:,} is the count of {scope.words}: {_derivation_words(scope, count)} "
                                   f"({framework} conventions)."}
    split = _split_match(n, scopes, framework)
    if split is not None and not own:          # "Trainable params: 2,098,688" quoted from a summary
        return split
    reading = next((alt.get("reading") for alt in alternatives if alt.get("value") == n), None)
    found = _shifted(n, scopes)
    if found is not None and reading:
        found["explanation"] += f" It is the count if {reading}."
    if found is None:
        found = split                          # the asker's own figure: a term left out explains it first
    if found is None and reading:
        found = {"verdict": "other_reading", "layer": None, "terms": [],
                 "explanation": f"{n:,} is the count if {reading}."}
    return found


def _split_match(n: int, scopes: list[Scope], framework: str) -> dict[str, Any] | None:
    """``n`` as the trainable or non-trainable part of a layer's count or of the total."""
    for scope in scopes:
        for which, value in scope.split:
            if n == value:
                return {"verdict": "matches", "layer": scope.layer, "terms": [],
                        "explanation": f"{n:,} is the {which} part of the count of {scope.words} "
                                       f"({scope.base:,} in all, {framework} conventions)."}
    return None


def _shifted(n: int, scopes: list[Scope]) -> dict[str, Any] | None:
    """The fewest terms that, left out of (or added to) one scope, give ``n``: every scope is tried
    with one term before any with two."""
    most = int(catalogue()["most_terms"])
    for size in range(1, most + 1):
        for scope in scopes:
            for combo in _combos(scope, size):
                if _value_after(scope.base, combo) == n:
                    return _described(n, scope, combo)
    return None


def _described(n: int, scope: Scope, combo: tuple[Shift, ...]) -> dict[str, Any]:
    diff = scope.base - n
    named: set[int] = set()
    said = []
    for s in combo:         # a layer's full label once, then "layer k"
        said.append(s.again if s.layer in named and s.again else s.phrase)
        named.add(s.layer)
    phrases = "; and ".join(said)
    if diff > 0:
        verdict, words = "missed", f"{n:,} leaves out {phrases}. {n:,} + {diff:,} = {scope.base:,}, {_short(scope)}."
    else:
        verdict, words = "added", f"{n:,} counts {phrases}. {n:,} − {-diff:,} = {scope.base:,}, {_short(scope)}."
    layers = {s.layer for s in combo}
    where = scope.layer if scope.layer is not None else (layers.pop() or None) if len(layers) == 1 else None
    return {"verdict": verdict, "layer": where, "terms": [s.id for s in combo], "explanation": words}


def checks(question: str, ledger, count: NetworkCount | None, answer_value: Any, alternatives,
           layer: int | None, label: Callable[[LayerCount], str]) -> tuple[dict[str, Any], ...]:
    """One check per number the asker quotes or works out (at most four), in text order."""
    if count is None or not isinstance(answer_value, (int, list)):
        return ()
    numbers = asker_numbers(question, ledger)
    if not numbers:
        return ()
    scopes = _scopes(count, layer, label)
    framework = count.spec.framework
    out = []
    for number in numbers[:MAX_CHECKS]:
        n, computed = number["value"], number["computed"]
        found = explain(n, scopes, count, alternatives, framework, number["own"])
        slip = computed is not None and computed != n
        if found is None and slip:
            found = explain(computed, scopes, count, alternatives, framework, number["own"])
        if found is None and not number["own"]:
            continue
        if found is None:
            shown = answer_value if isinstance(answer_value, int) else None
            found = {"verdict": "unexplained", "layer": None, "terms": [],
                     "explanation": f"No reading of the question gives {n:,}"
                                    + (f" (nlqa counts {shown:,})" if shown is not None else "")
                                    + ": no layer's count or total, no other reading, and no term left out or "
                                      "added (biases, input channels, moving statistics, a bidirectional copy, "
                                      "a whole layer, another framework's convention) makes it."}
        if slip:
            found["computed"] = computed
            found["explanation"] = (f"Your arithmetic {_expression(number['text'])} gives {computed:,}, not {n:,}. "
                                    + found["explanation"])
        out.append({"text": number["text"], "value": n, **found})
    return tuple(out)
