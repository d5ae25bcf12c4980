"""What a MACs/FLOPs question asks beside the network: which of the two first, the sequence length,
one time step or the whole sequence, the batch. The words are data (``grammars/flops.toml`` [reading])."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from ...resources import load_toml
from ..prose.mentions import Mention

OPERATIONS = ("macs", "flops")


@lru_cache(maxsize=None)
def words() -> dict[str, Any]:
    return load_toml("flops.toml")["reading"]


def in_code(doc, m: Mention) -> bool:
    """'flops, params = profile(model, ...)', 'flops = get_flops(model)', 'print(flops)': a FLOPs word that is
    a variable of pasted code, not the ask (but not the prose '... count (multiply-accumulates)')."""
    w = words()
    after = doc[m.end] if m.end < len(doc) else None
    before = doc[m.start - 1] if m.start else None
    if (after is not None and after.text in w["code_after"]) or (before is not None and before.text in w["code_before"]):
        return True
    if after is not None and after.text == "," and any(t.text == "=" for t in doc[m.end:m.end + 6]):
        return True  # a tuple assigned: "macs, params = ..."
    return (before is not None and before.text == "(" and m.start >= 2 and not doc[m.start - 2].whitespace_
            and doc[m.start - 2].is_alpha)  # an argument of a call: "print(flops)"


def _phrase_at(tokens: list[str], i: int, phrases: list[list[str]]) -> int:
    """The length of the longest phrase that starts at token i (0 if none)."""
    return max((len(p) for p in phrases if tokens[i:i + len(p)] == p), default=0)


def _ends_at(tokens: list[str], i: int, phrases: list[list[str]]) -> int:
    """The length of the longest phrase that ends just before token i (0 if none)."""
    return max((len(p) for p in phrases if i >= len(p) and tokens[i - len(p):i] == p), default=0)


def _number(text: str) -> int | None:
    text = text.replace(",", "")
    return int(text) if text.isdecimal() and int(text) > 0 else None


def _after_phrase(tokens: list[str], i: int, phrases: list[list[str]], fillers: list[str]) -> bool:
    """Whether token i (a number) follows one of ``phrases``, fillers allowed between."""
    j = i
    while j > 0 and tokens[j - 1] in fillers and i - j < 2:
        j -= 1
    return _ends_at(tokens, j, phrases) > 0 or _ends_at(tokens, i, phrases) > 0


def code_lengths(question: str) -> list[int]:
    """The values pasted code assigns to a sequence-length variable ("seq_length = 100"), in order."""
    import re
    names = "|".join(re.escape(n) for n in words()["sequence_variables"])
    return [int(m.group(1)) for m in re.finditer(rf"\b(?:{names})\s*=\s*(\d+)\b", question)]


def settings(doc, question: str = "") -> dict[str, Any]:
    """The sequence length, one time step and the batch a MACs/FLOPs question states; ``lengths`` lists
    the different sequence lengths pasted code assigns when it assigns more than one."""
    w = words()
    tokens = [t.lower_ for t in doc]
    lengths = list(dict.fromkeys(code_lengths(question)))
    out: dict[str, Any] = {"sequence": lengths[0] if len(lengths) == 1 else None, "per_step": False, "batch": None,
                           "lengths": lengths if len(lengths) > 1 else []}
    for i, tok in enumerate(tokens):
        if _phrase_at(tokens, i, w["per_step"]):
            out["per_step"] = True
        value = _number(tok)
        if value is None:
            continue
        before = set(tokens[max(i - 3, 0):i])
        if out["batch"] is None and _after_phrase(tokens, i, w["batch_before"], w["fillers"]):
            out["batch"] = value
            continue
        if out["sequence"] is not None or before & set(w["not_sequence"]):
            continue
        if _phrase_at(tokens, i + 1, w["sequence_after"]) or _after_phrase(tokens, i, w["sequence_before"],
                                                                           w["fillers"]):
            out["sequence"] = value
    return out


def request(doc, quantities: list[Mention], asked: int | None, sentence_of: list[int],
            question: str = "") -> dict[str, Any]:
    """The MACs/FLOPs asked, in order (the first is the answer's value), with the question's settings.
    A FLOPs word glossed by a MACs word in parentheses ("operation count (multiply-accumulates)")
    asks for the MACs."""
    ops = [m for m in quantities if m.id in OPERATIONS and not in_code(doc, m)]
    here = [m for m in ops if asked is None or sentence_of[m.start] == asked] or ops
    order: list[str] = []
    for k, m in enumerate(here):
        nxt = here[k + 1] if k + 1 < len(here) else None
        if (m.id == "flops" and nxt is not None and nxt.id == "macs"
                and all(t.text in words()["gloss"] for t in doc[m.end:nxt.start]) and nxt.start > m.end):
            continue  # the FLOPs are defined as the MACs that follow
        if m.id not in order:
            order.append(m.id)
    return dict(settings(doc, question), asked=order)
