"""General reading rules, each proved on several phrasings (tests/data/reader_rules.jsonl)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlqa.answer import answer

CASES = [json.loads(line) for line in (Path(__file__).parent / "data" / "reader_rules.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()]


def test_reader_rules_have_three_phrasings_each():
    rules: dict[str, int] = {}
    for case in CASES:
        rules[case["rule"]] = rules.get(case["rule"], 0) + 1
    assert min(n for rule, n in rules.items() if not rule.startswith("a story")) >= 3


@pytest.mark.parametrize("case", CASES, ids=[f"{c['rule'][:30]}-{i}" for i, c in enumerate(CASES)])
def test_reader_rule_reads_the_question(case):
    got = answer(case["question"])
    if case.get("status", "answered") != "answered":   # a reading that must ask back, saying what it needs
        assert got.status == case["status"], got.value
        assert case["missing"] in " ".join(got.missing), got.missing
        return
    assert (got.status, got.quantity, got.value) == ("answered", case["quantity"], case["value"]), got.message
    if "layer" in case:
        assert got.layer == case["layer"]
