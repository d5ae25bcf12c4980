"""Readings a newcomer tripped over, each rule on several phrasings: a constraint said after the
layer it constrains (tests/data/constraints_after.jsonl, with the phrasings that must change
nothing), and questions nlqa had everything for (tests/data/newcomer_readings.jsonl)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlqa.answer import answer

CASES = [json.loads(line) for name in ("constraints_after.jsonl", "newcomer_readings.jsonl")
         for line in (Path(__file__).parent / "data" / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def test_constraints_each_rule_has_three_phrasings():
    rules = [c["rule"] for c in CASES]
    assert min(rules.count(r) for r in set(rules)) >= 3


@pytest.mark.parametrize("case", CASES, ids=[f"{i}-{c['value']}" for i, c in enumerate(CASES)])
def test_constraints_said_after_apply_to_their_layer(case):
    got = answer(case["question"])
    assert (got.status, got.quantity, got.value) == ("answered", case["quantity"], case["value"]), got.message
