"""``nlqa eval FILE.jsonl``: answer a corpus as a user would ask it and score it against ``expect``.

Scoring (docs/corpus.md): *correct* when an answered value equals the gold value, or when a question
whose gold status is needs_clarification/unsupported gets that same status; *wrong* when nlqa answers
with another value, or answers a question it should not; *declined* otherwise (including
needs_clarification where unsupported was expected and the reverse). A wrong answer is worse than a
declined one. The line's own ``framework`` is not passed in: the question has to say it.
"""

from __future__ import annotations

import argparse
from contextlib import ExitStack
from dataclasses import dataclass

from typing import TYPE_CHECKING

from .batch import open_streams
from .env import Env
from .status import ExitStatus

if TYPE_CHECKING:
    from ..batchio import Item

NAME = "eval"
HELP = "score nlqa on a corpus file: accuracy per category, then the wrong and declined questions"
CORRECT, WRONG, DECLINED = "correct", "wrong", "declined"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.jsonl", help="corpus lines with id, question, category and expect")


def score(expect: dict, status: str, value) -> str:
    """correct, wrong or declined for an answer with ``status`` and ``value``."""
    wanted = expect.get("status", "answered")
    if status == "answered":
        return CORRECT if wanted == "answered" and value == expect.get("value") else WRONG
    if status == wanted:
        return CORRECT
    return DECLINED


@dataclass
class Outcome:
    id: object
    category: str
    verdict: str
    expected: str
    got: str


def outcome_text(status: str, value) -> str:
    from ..render.common import value_text
    return f"{value_text(value)} (answered)" if status == "answered" else status


def evaluate_item(item: Item, framework: str | None, env: Env) -> Outcome | None:
    from ..batchrun import answer_item
    expect = (item.data or {}).get("expect")
    if item.question is None or not isinstance(expect, dict):
        env.error(f"skipped line {item.number}: {item.problem or 'it has no expect object'}")
        return None
    result = answer_item(item, framework)
    return Outcome(item.id, str(item.data.get("category") or "uncategorized"),
                   score(expect, result.status, result.value),
                   outcome_text(expect.get("status", "answered"), expect.get("value")),
                   outcome_text(result.status, result.value))


def report(outcomes: list[Outcome], source: str) -> list[str]:
    from ..render.common import clean, format_table
    groups: dict[str, list[Outcome]] = {}
    for o in outcomes:
        groups.setdefault(o.category, []).append(o)
    groups["overall"] = outcomes
    rows = []
    for category, items in groups.items():
        counts = {v: sum(o.verdict == v for o in items) for v in (CORRECT, WRONG, DECLINED)}
        rows.append((clean(category), f"{counts[CORRECT]}/{len(items)}",
                     f"{100 * counts[CORRECT] / len(items):.1f}%" if items else "—",
                     str(counts[WRONG]), str(counts[DECLINED])))
    lines = [f"nlqa eval {clean(source)}: {len(outcomes)} questions", ""]
    lines += format_table(("category", "correct", "accuracy", "wrong", "declined"), rows, "lrrrr")
    for verdict, title in ((WRONG, "Wrong"), (DECLINED, "Declined")):
        listed = [o for o in outcomes if o.verdict == verdict]
        if listed:
            lines += ["", f"{title} ({len(listed)}):"]
            lines += [f"  {clean(o.id)}  expected {clean(o.expected)}, got {clean(o.got)}" for o in listed]
    return lines


def run(args: argparse.Namespace, env: Env) -> int:
    from ..batchio import read_item
    outcomes = []
    with ExitStack() as stack:
        streams = open_streams(stack, env, args.file)
        if streams is None:
            return ExitStatus.USAGE
        lines, _ = streams
        for number, text in lines:
            outcome = evaluate_item(read_item(number, text), args.framework, env)
            if outcome is not None:
                outcomes.append(outcome)
    env.stdout.write("\n".join(report(outcomes, args.file)) + "\n")
    env.stdout.flush()
    return ExitStatus.OK
