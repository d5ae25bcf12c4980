"""Why is it N? Each number the asker quotes or works out is explained (tests/data/asker_numbers.jsonl).

Every rule has a real question of corpus/real/tune.jsonl where one shows it and rephrasings of our
own; each case's answer gold and (where a framework can build it) the asker's number itself were
rebuilt in PyTorch 2.13 / Keras 3 (``verify``: corpus/real/verify_golds.py; ``check.verify``:
tests/data/verify_cases.py; both run in the oracle venv).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlqa.answer import answer
from nlqa.discrepancy import arithmetic, catalogue

CASES = [json.loads(line) for line in (Path(__file__).parent / "data" / "asker_numbers.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()]


def test_discrepancy_rules_have_a_real_question_or_two_rephrasings_each():
    rules: dict[str, list[str]] = {}
    for case in CASES:
        rules.setdefault(case["rule"], []).append(case["source"])
    for rule, sources in rules.items():
        assert sum(s == "rephrasing" for s in sources) >= 2, rule
    assert sum(any(s.startswith("corpus/real/") for s in sources) for sources in rules.values()) >= 4


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_discrepancy_explains_the_askers_number(case):
    got = answer(case["question"])
    expect, want = case["expect"], case["check"]
    assert (got.status, got.value) == ("answered", expect["value"]), got.message
    check = next((c for c in got.checks if c["value"] == want["value"]), None)
    assert check is not None, [c["explanation"] for c in got.checks]
    assert (check["verdict"], sorted(check["terms"])) == (want["verdict"], sorted(want["terms"])), check["explanation"]
    if want.get("layer") is not None:
        assert check["layer"] == want["layer"], check["explanation"]
    assert check.get("computed") == want.get("computed"), check["explanation"]
    assert f"{want['value']:,}" in check["explanation"]
    if want["verdict"] == "unexplained":
        assert check["explanation"].startswith("No reading of the question gives")


def test_discrepancy_json_carries_the_checks():
    data = answer(CASES[0]["question"]).to_dict()
    assert [c["terms"] for c in data["checks"] if c["value"] == CASES[0]["check"]["value"]] == [["biases"]]


@pytest.mark.parametrize("text, stated, computed", [
    ("4*10 = 40", 40, 40), ("150 = 3 * [5*(5+4)+5]", 150, 150), ("32 X (3 X 3) = 288", 288, 288),
    ("10*3*224*224 = 1505280", 1505280, 1505280), ("4*3+3 + 3*2+2 = 21", 21, 23), ("(5*5 + 1)*64 = 1664,", 1664, 1664),
    ("2**1000 = 5", 5, None)])
def test_discrepancy_reads_the_askers_arithmetic(text, stated, computed):
    assert arithmetic(text) == (stated, computed)


def test_discrepancy_catalogue_names_every_term_it_uses():
    table = catalogue()
    ids = [e["id"] for e in table["term"]] + [e["id"] for e in table["convention"]]
    assert len(ids) == len(set(ids))
    used = {t for case in CASES for t in case["check"]["terms"]}
    assert used <= set(ids)
