"""End-to-end answers for every question of the project's own corpora (corpus/*.jsonl).

A question whose gold status is answered must be answered with exactly the gold value; one that
cannot be answered uniquely must get the gold status (needs_clarification or unsupported) and no
value. Each gold alternative must be offered with its value when the answer lists alternatives.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlqa.answer import answer

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
CASES = [json.loads(line) for path in sorted(CORPUS.glob("*.jsonl"))
         for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
GAPS = dict(line.split("\t", 1) for line in
            (Path(__file__).parent / "data" / "known_gaps.txt").read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#"))


def _params(cases: list[dict], prefix: str = "") -> list:
    """Each case, marked as a strict expected failure when known_gaps.txt lists it (for this test:
    a bare id for the answer, ``alternatives:<id>`` for the alternative readings)."""
    return [pytest.param(c, id=c["id"], marks=pytest.mark.xfail(strict=True, reason=GAPS[prefix + c["id"]]))
            if prefix + c["id"] in GAPS else pytest.param(c, id=c["id"]) for c in cases]


def test_corpus_is_not_empty():
    assert len(CASES) >= 60


def test_corpus_known_gaps_name_real_questions():
    assert {gap.split(":")[-1] for gap in GAPS} <= {c["id"] for c in CASES}
    assert len(GAPS) <= len(CASES) // 10


@pytest.mark.parametrize("case", _params(CASES))
def test_corpus_answer_matches_gold(case):
    expect = case["expect"]
    got = answer(case["question"])
    assert got.status == expect["status"], got.message
    if expect["status"] == "answered":
        assert got.value == expect["value"]
        if expect.get("layer") is not None:
            assert got.layer == expect["layer"]
        if got.network:
            assert sum(layer["params"] for layer in got.network["layers"]) == got.totals["total_parameters"]
    else:
        assert got.value is None
        assert got.message


ALTERNATIVES = [c for c in CASES if c.get("alternatives") and c["expect"]["status"] == "answered"]


@pytest.mark.parametrize("case", _params(ALTERNATIVES, "alternatives:"))
def test_corpus_alternative_readings_are_offered(case):
    offered = {alt["value"] for alt in answer(case["question"]).alternatives}
    for alt in case["alternatives"]:
        assert alt["value"] in offered, alt["reading"]


RELATED_SEEDS = [c for c in CASES if c["expect"]["status"] == "answered" and c["id"] not in GAPS][::6]


@pytest.mark.parametrize("case", RELATED_SEEDS, ids=[c["id"] for c in RELATED_SEEDS])
def test_corpus_related_questions_are_answerable(case):
    for question in answer(case["question"]).related_questions:
        follow_up = answer(question)
        assert follow_up.status == "answered", question
        assert isinstance(follow_up.value, int) and follow_up.value > 0
