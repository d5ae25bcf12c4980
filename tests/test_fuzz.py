"""Issue 14 acceptance: a bounded hypothesis fuzz (the fixed-seed "ci" profile of conftest.py) of
the reader with mutated corpus questions, and of every renderer with arbitrary Answers.

- A corpus question mutated (a span replaced by an odd number, an escape sequence, a bracket or
  a code fragment; words dropped or repeated) is answered without raising, with a known status.
- Whatever an Answer holds (control characters, bidi controls, markup, odd values and ids, NaN),
  every renderer (plain, Markdown, JSON, the terminal view, the batch CSV and Markdown rows)
  writes it without raising: no escape or bidi control of its text reaches the output, the JSON is
  strict and one line, a CSV row is one record and no cell starts a formula.
"""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

from hypothesis import given, strategies as st

from nlqa.answer import Answer, answer
from nlqa.batchout import output_format
from nlqa.render import AnswerView, make_console, render_json, render_markdown, render_plain

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = [json.loads(line)["question"] for line in (ROOT / "corpus" / "dense_rnn.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()][:60]
STATUSES = {"answered", "needs_clarification", "unsupported"}
ODD = ["0", "-1", "1.5", "10**400", "9999^99", "10²", "1,000,000", "1e400", "NaN", "7" * 120, "(1, 2)", "None",
       "'a'", "\x1b[2J", "\x1b]52;c;eA==\x07", "\x9b31m", "\u202e", "\r", "\b", "(", ")", "[", "```", ":(",
       "nn.Linear(", "groups=0", "Dense(", "*[nn.Linear(4, 4) for _ in range(10**6)]", "\n", "\n\n"]
# what no user text may bring to a terminal (the renderers may add none of their own with no colour)
PLAIN_NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?")   # a spreadsheet reads it as a number
FORBIDDEN = ("\x1b", "\x9b", "\x07", "\r", "\x08", "\u202e", "\u2066", "\u200f", "\x00")


@st.composite
def mutated(draw) -> str:
    words = draw(st.sampled_from(QUESTIONS)).split(" ")
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(words) - 1))
        action = draw(st.sampled_from(["replace", "insert", "drop", "repeat"]))
        if action == "replace":
            words[i] = draw(st.sampled_from(ODD))
        elif action == "insert":
            words.insert(i, draw(st.sampled_from(ODD)))
        elif action == "drop" and len(words) > 1:
            words.pop(i)
        else:
            words.insert(i, words[i])
    return " ".join(words)


@given(mutated())
def test_fuzz_mutated_questions_never_raise(question):
    result = answer(question)
    assert result.status in STATUSES
    assert result.status == "answered" or result.message


TEXT = st.text(st.characters(codec="utf-8"), max_size=40) | st.sampled_from(ODD)
VALUES = st.one_of(st.none(), st.integers(-10**400, 10**400), st.floats(), TEXT,
                   st.lists(st.integers(0, 10**6) | st.none(), max_size=4))
ANSWERS = st.builds(
    Answer, question=TEXT, status=st.sampled_from(["answered", "needs_clarification", "unsupported", "error"]),
    quantity=st.none() | st.sampled_from(["total_parameters", "output_shape", "memory_bytes"]) | TEXT,
    value=VALUES, unit=st.none() | TEXT, layer=st.none() | st.integers(-3, 10**30),
    framework=st.sampled_from(["textbook", "keras", "pytorch"]) | TEXT,
    steps=st.lists(TEXT, max_size=3).map(tuple), assumptions=st.lists(TEXT, max_size=3).map(tuple),
    alternatives=st.lists(st.fixed_dictionaries({"reading": TEXT, "value": VALUES}), max_size=2).map(tuple),
    missing=st.lists(TEXT, max_size=2).map(tuple), related_questions=st.lists(TEXT, max_size=2).map(tuple),
    tip=TEXT, message=TEXT, id=st.none() | st.integers() | st.floats() | TEXT,
    network=st.none() | st.fixed_dictionaries({"layers": st.lists(st.fixed_dictionaries(
        {"kind": TEXT, "units": VALUES, "params": VALUES, "output_shape": VALUES}), max_size=2)}))


def _safe(text: str) -> None:
    assert [c for c in FORBIDDEN if c in text] == []


@given(ANSWERS)
def test_fuzz_every_renderer_writes_any_answer(result):
    _safe(render_plain(result))
    _safe(render_markdown(result))
    line = render_json(result)
    assert "\n" not in line
    json.loads(line, parse_constant=lambda c: (_ for _ in ()).throw(AssertionError(f"bare {c}")))
    _safe(line)
    out = io.StringIO()
    make_console(out, terminal=True, no_color=True, width=100).print(AnswerView(result))
    terminal = out.getvalue()
    assert "\x1b]" not in terminal and "\x9b" not in terminal and "\u202e" not in terminal
    row = output_format("csv").record(result)
    cells = next(csv.reader([row]))
    assert "\n" not in row and len(cells) == len(output_format("csv").COLUMNS)
    assert [c for c in cells if c.startswith(("=", "+", "-", "@")) and not PLAIN_NUMBER.fullmatch(c)] == []
    markdown_row = output_format("markdown").record(result)
    assert "\n" not in markdown_row and markdown_row.startswith("| ")
    _safe(row + markdown_row)
