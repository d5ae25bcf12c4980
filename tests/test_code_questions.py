"""Code as it is pasted and the layer a question names (issue 10, items 4 and 5), from
tests/data/code_questions.jsonl: each rule has a real question of corpus/real/tune.jsonl where
one shows it (``tune``) and rephrasings of its own. Every gold count was rebuilt in PyTorch 2.13 /
Keras 3 by tests/data/verify_code_questions.py (the ``verify`` code of each case).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlqa.answer import answer

ROOT = Path(__file__).parent
CASES = [json.loads(line) for line in (ROOT / "data" / "code_questions.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()]
TUNE = {c["id"]: c for c in (json.loads(line) for line in (ROOT.parent / "corpus" / "real" / "tune.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip())}


def _question(case: dict) -> str:
    return TUNE[case["tune"]]["question"] if "tune" in case else case["question"]


def test_code_questions_every_rule_has_three_cases():
    rules: dict[str, int] = {}
    for case in CASES:
        rules[case["rule"]] = rules.get(case["rule"], 0) + 1
    assert rules and min(rules.values()) >= 3, rules


def test_code_questions_tune_cases_keep_the_corpus_gold():
    for case in (c for c in CASES if "tune" in c):
        gold = TUNE[case["tune"]]["expect"]
        assert (case["expect"]["status"], case["expect"].get("value")) == (gold["status"], gold.get("value")), case["tune"]


@pytest.mark.parametrize("case", CASES, ids=[f"{c['item']}-{c['rule'][:28]}-{i}" for i, c in enumerate(CASES)])
def test_code_question_is_answered_as_the_code_says(case):
    got = answer(_question(case))
    expect = case["expect"]
    assert got.status == expect["status"], (got.message, got.missing)
    if expect["status"] == "answered":
        assert got.value == expect["value"], got.steps
        assert got.layer == expect["layer"]
        if "tune" not in case:              # a real question is scored on its value, as nlqa eval does
            assert got.quantity == expect["quantity"]
    else:
        assert got.value is None
        assert any(case["missing"] in m for m in got.missing), got.missing
    if "assumption" in case:
        assert any(case["assumption"] in a for a in got.assumptions), got.assumptions
