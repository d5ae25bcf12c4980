"""Reading rules for transformer, attention and LLM questions, each proved on a real tune question and
three rephrasings (tests/data/transformer_rules.jsonl; golds built in torch / transformers).

Every answered gold is rebuilt in the oracle venv by tests/data/verify_cases.py.
A case gives its question, or ``tune``: the id of a question of corpus/real/tune.jsonl, read as written.
``roles`` maps numbers as written to the role the ledger must give them (every occurrence)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlqa.answer import answer

ROOT = Path(__file__).parent
TUNE = {d["id"]: d["question"] for d in map(json.loads, (ROOT.parent / "corpus" / "real" / "tune.jsonl").read_text(
    encoding="utf-8").splitlines()) if d}
CASES = [json.loads(line) for line in (ROOT / "data" / "transformer_rules.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()]


def _question(case) -> str:
    return TUNE[case["tune"]] if "tune" in case else case["question"]


def test_each_rule_has_a_real_question_and_three_rephrasings():
    rules: dict[str, list[int]] = {}
    for case in CASES:
        rules.setdefault(case["rule"], [0, 0])["tune" not in case] += 1
    assert rules and all(own >= 3 and (real >= 1 or rule.endswith("asked back")) for rule, (real, own) in
                         rules.items()), rules


def test_each_answered_case_has_an_oracle_build():
    """The gold is rebuilt by tests/data/verify_cases.py in the oracle venv."""
    answered = [c for c in CASES if c.get("status", "answered") == "answered"]
    assert answered and all(c.get("verify", "").split(":")[0] in ("torch", "keras") for c in answered)


@pytest.mark.parametrize("case", CASES, ids=[f"{c['rule'][:30]}-{i}" for i, c in enumerate(CASES)])
def test_transformer_rule_reads_the_question(case):
    got = answer(_question(case))
    if case.get("status", "answered") == "answered":
        assert (got.status, got.quantity, got.value) == ("answered", case["quantity"], case["value"]), got.message
    else:
        assert (got.status, got.value) == (case["status"], None), got.message
    roles = {}
    for entry in got.numbers:
        roles.setdefault(entry["text"], set()).add(entry["role"])
    for text, role in case.get("roles", {}).items():
        assert roles.get(text) == {role}, (text, roles.get(text))
