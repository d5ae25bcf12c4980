"""Follow-up phrasings (``grammars/followups.toml``): loaded, checked, and matched against messages.

A follow-up is a list of regular expressions with ``{slot}`` placeholders and the edit operations
they stand for. Slots that name things the reader already knows (layer kinds, frameworks,
quantities) are checked with the reader itself, so "long short-term memory", "GRUs" or "torch"
work in a follow-up exactly as in a question, with no second word list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from ..errors import GrammarError
from ..resources import grammar_text, load_toml

FILE = "followups.toml"
SLOT = re.compile(r"\{([a-z_]+?)(\d*)\}")
SLOT_TYPES = ("mention", "number", "ordinal")
DEFAULT_SLOT_REGEX = r"[a-z0-9][a-z0-9 .\-']*?"


@dataclass(frozen=True)
class Slot:
    name: str
    type: str
    regex: str
    labels: tuple[str, ...] = ()
    ignore: frozenset[str] = frozenset()
    extra: dict[str, int] = field(default_factory=dict)
    what: str = ""


@dataclass(frozen=True)
class FollowUp:
    id: str
    patterns: tuple[re.Pattern[str], ...]
    edits: tuple[dict[str, Any], ...]
    help: tuple[str, ...] = ()
    fill: str = ""


@dataclass(frozen=True)
class Match:
    """A message read as a follow-up: which one, and its slots' values (``{"kind": "LSTM"}``)."""

    followup: FollowUp
    values: dict[str, Any]
    message: str

    @property
    def edits(self) -> list[dict[str, Any]]:
        """The follow-up's edit operations with the slot values filled in as arguments."""
        out = []
        for edit in self.followup.edits:
            args = {k: v for k, v in edit.items() if k != "op"}
            for name, value in self.values.items():
                args.setdefault(name.rstrip("0123456789"), value)
            out.append({"op": edit["op"], **args})
        return out

    def fill(self) -> str:
        """The follow-up as a sentence the reader can add to a question, or ''."""
        if not self.followup.fill:
            return ""
        return self.followup.fill.format(**{k.rstrip("0123456789"): v for k, v in self.values.items()})


@dataclass(frozen=True)
class Grammar:
    table: dict[str, Any]
    slots: dict[str, Slot]
    followups: tuple[FollowUp, ...]
    strip: str
    lead: str
    tail: str

    def section(self, name: str) -> dict[str, Any]:
        return self.table.get(name, {})


def _line_of(text: str, needle: str) -> int:
    """The line of ``needle`` in the file (for error messages); 0 when it cannot be found."""
    for lineno, line in enumerate(text.splitlines(), 1):
        if needle and needle in line:
            return lineno
    return 0


def _compile_slots(table: dict[str, Any], text: str) -> dict[str, Slot]:
    slots = {}
    for name, entry in table.get("slots", {}).items():
        line = _line_of(text, f"[slots.{name}]")
        kind = entry.get("type")
        if kind not in SLOT_TYPES:
            raise GrammarError(FILE, line, f"slot {name!r}: type must be one of {', '.join(SLOT_TYPES)}")
        if kind == "mention" and not entry.get("labels"):
            raise GrammarError(FILE, line, f"slot {name!r}: a mention slot needs `labels`")
        regex = entry.get("regex", DEFAULT_SLOT_REGEX)
        try:
            re.compile(regex)
        except re.error as exc:
            raise GrammarError(FILE, line, f"slot {name!r}: bad regular expression: {exc}") from None
        slots[name] = Slot(name, kind, regex, tuple(entry.get("labels", ())),
                           frozenset(entry.get("ignore", ())), dict(entry.get("extra", {})),
                           entry.get("what", name))
    return slots


def _compile_pattern(pattern: str, slots: dict[str, Slot], lead: str, tail: str, where: str,
                     line: int) -> re.Pattern[str]:
    def group(m: re.Match[str]) -> str:
        name, digits = m.group(1), m.group(2)
        if name not in slots:
            raise GrammarError(FILE, line, f"{where}: unknown slot {{{name}}} in {pattern!r}")
        return f"(?P<{name}{digits}>{slots[name].regex})"
    try:
        return re.compile(lead + SLOT.sub(group, pattern) + tail)
    except re.error as exc:
        raise GrammarError(FILE, line, f"{where}: bad pattern {pattern!r}: {exc}") from None


@cache
def grammar() -> Grammar:
    """The follow-up grammar, checked: every pattern compiles, every slot and operation exists."""
    from .edits import OPERATIONS, parameters
    text = grammar_text(FILE)
    table = load_toml(FILE)
    message = table.get("message", {})
    lead, tail = message.get("lead", ""), message.get("tail", "")
    slots = _compile_slots(table, text)
    followups, seen = [], set()
    for number, entry in enumerate(table.get("followup", []), 1):
        ident = entry.get("id")
        where = f"follow-up {ident or number}"
        line = _line_of(text, f'id = "{ident}"') if ident else 0
        if not ident or ident in seen:
            raise GrammarError(FILE, line, f"{where}: each follow-up needs a unique `id`")
        seen.add(ident)
        patterns, edits = entry.get("patterns"), entry.get("edits")
        if not patterns or not edits:
            raise GrammarError(FILE, line, f"{where}: needs `patterns` and `edits`")
        for edit in edits:
            if edit.get("op") not in OPERATIONS:
                raise GrammarError(FILE, line, f"{where}: unknown edit operation {edit.get('op')!r} "
                                               f"(known: {', '.join(sorted(OPERATIONS))})")
            unknown = set(edit) - {"op"} - parameters(edit["op"])
            if unknown:
                raise GrammarError(FILE, line, f"{where}: {edit['op']} takes no argument "
                                               f"{', '.join(sorted(unknown))}")
        compiled = tuple(_compile_pattern(p, slots, lead, tail, where, _line_of(text, p) or line)
                         for p in patterns)
        followups.append(FollowUp(ident, compiled, tuple(edits), tuple(entry.get("help", ())),
                                  entry.get("fill", "")))
    return Grammar(table, slots, tuple(followups), message.get("strip", " "), lead, tail)


def prepare(message: str) -> str:
    """The message as patterns see it: number words in digits, lower case, single spaces."""
    from ..reader.cleanup.normalize import normalize
    g = grammar()
    text = " ".join(message.split()).strip(g.strip)
    text = " ".join(normalize(text).lower().split()).strip(g.strip)
    return text


def _ordinal(text: str, slot: Slot) -> int | None:
    from ..reader.prose.mentions import vocab
    if text.isdecimal():
        return int(text)
    if text in slot.extra:
        return int(slot.extra[text])
    value = vocab()["ordinals"].get(text)
    return int(value) if value is not None else None


def _mention_ids(text: str, slot: Slot) -> list[str] | None:
    """The ids of the reader's mentions in ``text`` when they cover all of it; else None."""
    from ..reader.prose.mentions import read
    from ..reader.cleanup.normalize import normalize
    reading = read(normalize(text))
    covered = set()
    ids = []
    for m in reading.mentions:
        if m.label in slot.labels:
            covered.update(range(m.start, m.end))
            ids.append((m.label, m.id))
    for i, token in enumerate(reading.doc):
        if i not in covered and token.lower_ not in slot.ignore and not token.is_space:
            return None
    return [f"{label}:{ident}" for label, ident in ids] or None


def slot_value(name: str, text: str) -> Any:
    """The value of slot ``name`` read from ``text``; None when the text is not such a thing."""
    slot = grammar().slots[name.rstrip("0123456789")]
    text = text.strip()
    if not text:
        return None
    if slot.type == "number":
        return int(text) if text.isdecimal() else None
    if slot.type == "ordinal":
        return _ordinal(text, slot)
    ids = _mention_ids(text, slot)
    if ids is None:
        return None
    if slot.name == "quantity":
        return quantity_of(ids)
    distinct = sorted({i.split(":", 1)[1] for i in ids})
    return distinct[0] if len(distinct) == 1 else None


def quantity_of(ids: list[str]) -> str | None:
    """QUANTITY/QMOD mention ids → one quantity ("trainable" + "parameters" → trainable_parameters)."""
    modifiers = grammar().section("quantity_modifiers")
    quantities = [i.split(":", 1)[1] for i in ids if i.startswith("QUANTITY:")]
    mods = [i.split(":", 1)[1] for i in ids if i.startswith("QMOD:")]
    for mod in mods:
        if mod in modifiers and (not quantities or quantities[0] in ("total_parameters", "weights")):
            return modifiers[mod]
    if len(set(quantities)) == 1:
        return quantities[0]
    return None


def match(message: str) -> Match | None:
    """The first follow-up that ``message`` is, with its slot values; None when it is none."""
    text = prepare(message)
    if not text:
        return None
    for followup in grammar().followups:
        for pattern in followup.patterns:
            m = pattern.fullmatch(text)
            if m is None:
                continue
            values = {}
            for name, raw in m.groupdict().items():
                if raw is None:
                    continue
                value = slot_value(name, raw)
                if value is None:
                    break
                values[name] = value
            else:
                return Match(followup, values, message)
    return None


@dataclass(frozen=True)
class NearMiss:
    """A message shaped like a follow-up whose slot did not read: "what if they were hopfields?"."""

    followup: FollowUp
    slot: Slot
    text: str


def near_miss(message: str) -> NearMiss | None:
    """The first follow-up pattern the message fits but for one slot's words (not the whole message)."""
    text = prepare(message)
    for followup in grammar().followups:
        for pattern in followup.patterns:
            m = pattern.fullmatch(text)
            if m is None:
                continue
            for name, raw in m.groupdict().items():
                if raw is not None and raw.strip() != text and slot_value(name, raw) is None:
                    return NearMiss(followup, grammar().slots[name.rstrip("0123456789")], raw.strip())
    return None


def examples() -> list[tuple[str, tuple[str, ...]]]:
    """(id, help examples) of every follow-up, for /help."""
    return [(f.id, f.help) for f in grammar().followups if f.help]
