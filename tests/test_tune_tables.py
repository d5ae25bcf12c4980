"""Every tune-half real question that pastes a summary table and is answered gives the table's
per-layer counts (issue 10); the exceptions, with why, are tests/data/table_gaps.txt."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlqa.answer import answer
from nlqa.reader.code.summary import read_tables

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = [json.loads(line) for line in (ROOT / "corpus" / "real" / "tune.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()]
PASTED = [q for q in QUESTIONS if read_tables(q["question"])]
GAPS = dict(line.split("\t", 1) for line in (ROOT / "tests" / "data" / "table_gaps.txt").read_text(
    encoding="utf-8").splitlines() if line.strip() and not line.startswith("#"))


def _counts(question: dict) -> tuple[list[int], list[int] | None]:
    table = read_tables(question["question"])[0]
    printed = [row.params for row in table.rows if row.params]
    got = answer(question["question"])
    counted = [row["params"] for row in (got.network or {}).get("layers", []) if row["params"]] \
        if got.status == "answered" else None
    return printed, counted


def test_tune_tables_are_found():
    assert len(PASTED) >= 15
    assert set(GAPS) <= {q["id"] for q in PASTED}


@pytest.mark.parametrize("question", [q for q in PASTED if q["id"] not in GAPS], ids=lambda q: q["id"])
def test_tune_table_counts_are_the_answers(question):
    printed, counted = _counts(question)
    if question["expect"].get("status", "answered") != "answered":
        assert counted is None   # a question nobody can answer is declined, table or not
    else:
        assert counted == printed


@pytest.mark.parametrize("question", [q for q in PASTED if q["id"] in GAPS], ids=lambda q: q["id"])
def test_tune_table_gaps_are_still_gaps(question):
    printed, counted = _counts(question)
    assert counted != printed, f"{question['id']} now matches its table: remove it from table_gaps.txt"
