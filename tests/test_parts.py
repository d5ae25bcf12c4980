"""Several questions at once: each part answered, in the order asked (tests/data/parts.jsonl).

Every part's gold was rebuilt in PyTorch 2.13 / Keras 3 (``parts[].verify``, run by
tests/data/verify_cases.py in the oracle venv).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlqa.answer import answer
from nlqa.render import render_json
from nlqa.render.common import part_phrase

from renderings import every_rendering

CASES = [json.loads(line) for line in (Path(__file__).parent / "data" / "parts.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()]


def test_parts_rules_have_two_rephrasings_each():
    rules: dict[str, list[str]] = {}
    for case in CASES:
        rules.setdefault(case["rule"], []).append(case["source"])
    for rule, sources in rules.items():
        assert sum(s == "rephrasing" for s in sources) >= 2 or any(s.startswith("corpus/") for s in sources), rule
    assert any(s.startswith("corpus/real/") for sources in rules.values() for s in sources)


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_parts_answer_each_part(case):
    got = answer(case["question"])
    assert got.status == "answered", got.message
    assert [(p["quantity"], p["layer"], p["value"]) for p in got.parts] == [
        (p["quantity"], p["layer"], p["value"]) for p in case["parts"]]
    first = case["parts"][0]
    assert (got.quantity, got.value, got.layer) == (first["quantity"], first["value"], first["layer"])
    assert got.value == case["expect"]["value"]


def _phrases(case) -> list[str]:
    return [part_phrase(p["quantity"], p["value"], None, p["layer"]) for p in case["parts"]]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_parts_every_renderer_shows_every_part(case):
    got = answer(case["question"])
    phrases = _phrases(case)
    for name, text in every_rendering(got).items():
        for phrase in phrases:
            assert phrase in text, (name, phrase)
    data = json.loads(render_json(got))
    assert [(p["quantity"], p["value"], p["layer"]) for p in data["parts"]] == [
        (p["quantity"], p["value"], p["layer"]) for p in case["parts"]]
    assert data["value"] == data["parts"][0]["value"]


@pytest.mark.parametrize("question, quantity, value", [
    ("Trainable plus non-trainable, how many parameters does a batch normalization layer over 80 channels have?",
     "total_parameters", 320),
    ("A network has 16 units per layer, three hidden layers, on 8 inputs and 1 output. How many parameters?",
     "total_parameters", 705),
])
def test_parts_a_single_question_stays_one_part(question, quantity, value):
    got = answer(question)
    assert [(p["quantity"], p["value"]) for p in got.parts] == [(quantity, value)]
