"""``nlqa batch FILE.jsonl``: one JSON answer per input line, in order, written as each is made.

Input lines are JSON objects with ``question`` (and ``id``; the 1-based line number when absent);
other fields are ignored, so a corpus file works as it is. Fully blank lines are skipped; every
other line gives exactly one output line, an ``"status": "error"`` one when it cannot be read.
"""

from __future__ import annotations

import argparse
import json
import os
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

from .env import Env, decode
from .status import ExitStatus

NAME = "batch"
HELP = "answer every question of a JSON Lines file, one JSON answer per line"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE.jsonl", help="questions, one JSON object a line; - reads stdin")
    parser.add_argument("-o", "--output", metavar="OUT.jsonl", help="write the answers here (default: stdout)")


@contextmanager
def input_lines(path: str, env: Env) -> Iterator[Iterator[tuple[int, str]]]:
    """``(line_number, text)`` for each non-blank line of ``path`` (``-``: stdin), read lazily."""
    def numbered(lines) -> Iterator[tuple[int, str]]:
        for number, line in enumerate(lines, 1):
            text = decode(line)
            if number == 1:
                text = text.lstrip("\ufeff")
            if text.strip():
                yield number, text
    if path == "-":
        yield numbered(env.stdin_lines())
    else:
        with open(path, "rb") as handle:
            yield numbered(handle)


@dataclass(frozen=True)
class Item:
    """One input line read: its id, the object, the question, or why it cannot be answered."""

    number: int
    id: Any
    data: dict | None = None
    question: str | None = None
    problem: str = ""


def read_item(number: int, text: str) -> Item:
    try:
        data = json.loads(text)
    except ValueError as exc:
        return Item(number, number, problem=f"line {number} is not valid JSON ({exc})")
    if not isinstance(data, dict):
        return Item(number, number, problem=f"line {number} is not a JSON object")
    id_ = number if data.get("id") is None else data["id"]
    question = data.get("question")
    if "question" not in data:
        return Item(number, id_, data, problem=f'line {number} has no "question"')
    if not isinstance(question, str):
        return Item(number, id_, data, problem=f'line {number}: "question" must be a string, '
                                                 f"not {type(question).__name__}")
    return Item(number, id_, data, question)


def answer_item(item: Item, framework: str | None):
    """The Answer for one input line; never raises (an unexpected error becomes an error Answer)."""
    from ..answer import Answer, answer
    if item.question is None:
        return Answer("", "error", id=item.id, message=item.problem)
    try:
        return answer(item.question, framework=framework, id=item.id)
    except Exception as exc:  # noqa: BLE001 - one bad line must not lose the others
        return Answer(item.question, "error", id=item.id, message=f"internal error: {type(exc).__name__}: {exc}")


@contextmanager
def output_stream(path: str | None, env: Env):
    if path is None or path == "-":
        yield env.stdout
    else:
        with open(path, "w", encoding="utf-8") as handle:
            yield handle


def open_streams(stack: ExitStack, env: Env, path: str, output: str | None = None):
    """Enter the input (and output) of a run; ``None`` after saying why one cannot be opened."""
    if output not in (None, "-") and path != "-" and os.path.exists(output) and os.path.exists(path) \
            and os.path.samefile(path, output):
        env.error(f"the output {output} is the input file; choose another -o")
        return None
    try:
        lines = stack.enter_context(input_lines(path, env))
        out = stack.enter_context(output_stream(output, env))
    except OSError as exc:
        env.error(f"cannot open {exc.filename or path}: {exc.strerror or exc}")
        return None
    return lines, out


def run(args: argparse.Namespace, env: Env) -> int:
    from ..render import render_json
    with ExitStack() as stack:
        streams = open_streams(stack, env, args.file, args.output)
        if streams is None:
            return ExitStatus.USAGE
        lines, out = streams
        for number, text in lines:
            out.write(render_json(answer_item(read_item(number, text), args.framework)) + "\n")
            out.flush()
    return ExitStatus.OK
