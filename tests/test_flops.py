"""MACs and FLOPs of a forward pass (nlqa.core.flops, nlqa.flops), from data files.

tests/data/flops_layers.jsonl: network specs with their per-layer MACs; flops_cases.jsonl: questions
with their MACs and FLOPs. Every gold of both files is torch.utils.flop_counter's count
(tests/test_flops_torch.py, run where torch is installed). flops_asks.jsonl: questions that must be
asked back (a sequence length, a layer kind without a formula) or that are about another count.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlqa.answer import answer
from nlqa.core import NetworkSpec, count_network
from nlqa.core.flops import count_macs
from nlqa.flops import convention_text
from nlqa.resources import load_toml

DATA = Path(__file__).parent / "data"


def _load(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


LAYERS, CASES, ASKS = _load("flops_layers.jsonl"), _load("flops_cases.jsonl"), _load("flops_asks.jsonl")


@pytest.mark.parametrize("case", LAYERS, ids=[c["id"] for c in LAYERS])
def test_flops_core_counts_each_layer(case):
    ops = count_macs(count_network(NetworkSpec.from_dict(case["spec"])))
    assert [row.ops.macs for row in ops.layers] == case["layer_macs"]
    assert ops.macs == case["macs"] == sum(case["layer_macs"])
    for row in ops.layers:   # each term is the product of its factors
        for t in row.ops.terms:
            product = 1
            for f in t.factors:
                product *= f
            assert product == t.value, t.label


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_flops_answer_matches_the_case(case):
    got = answer(case["question"])
    assert (got.status, got.quantity, got.value) == ("answered", case["quantity"], case["value"]), got.message
    assert (got.totals["macs"], got.totals["flops"]) == (case["macs"], case["flops"])
    assert sum(row["macs"] for row in got.network["layers"]) == case["macs"]
    assert sum(row["flops"] for row in got.network["layers"]) == case["flops"]
    assert "convention: " + convention_text() in got.assumptions
    assert f"FLOPs: 2 × {case['macs']:,} = {case['flops']:,} (1 MAC = 2 FLOPs)" in got.steps
    asked = case.get("parts", [case["quantity"]])   # both asked: one part each, the first is the value
    assert [(p["quantity"], p["value"]) for p in got.parts] == [(q, case[q]) for q in asked]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_flops_answer_lists_the_other_readings(case):
    got = answer(case["question"])
    readings = {a["reading"]: a["value"] for a in got.alternatives}
    table = load_toml("flops.toml")["alternatives"]
    bias = got.totals["bias_adds"]
    if case["quantity"] == "flops":
        assert readings[table["flops_as_macs"]] == case["macs"]
        assert readings.get(table["flops_with_bias"], case["flops"]) == case["flops"] + bias
    else:
        assert readings[table["macs_as_flops"]] == case["flops"]
        assert readings.get(table["macs_with_bias"], case["macs"]) == case["macs"] + bias


def test_flops_rules_have_three_phrasings_each():
    rules: dict[str, int] = {}
    for case in CASES + ASKS:
        if case.get("rule"):
            rules[case["rule"]] = rules.get(case["rule"], 0) + 1
    assert rules and min(rules.values()) >= 3, rules


@pytest.mark.parametrize("case", ASKS, ids=[f"{c['rule'][:30]}-{i}" for i, c in enumerate(ASKS)])
def test_flops_questions_asked_back_or_about_another_count(case):
    got = answer(case["question"])
    assert got.status == case["status"], got.message
    if case["status"] == "answered":
        assert (got.quantity, got.value) == (case["quantity"], case["value"])
    else:
        assert got.value is None
        assert any(case["missing"] in m for m in got.missing), got.missing
        assert case["missing"] in got.message


def test_flops_convention_is_stated_from_the_grammar():
    table = load_toml("flops.toml")
    assert table["flops_per_mac"] == 2 and table["bias_adds"] is False and table["activations"] is False
    assert "1 MAC = 2 FLOPs" in convention_text()


@pytest.mark.parametrize("first, follow_up, changed", [
    ("How many FLOPs does an LSTM layer with 64 units need over sequences of 20 time steps with 10 features each?",
     "what if it were a GRU?", "  FLOPs: 2 × 284,160 = 568,320 (1 MAC = 2 FLOPs) (was 757,760)"),
    ("How many MACs does an LSTM layer with 64 units need over sequences of 20 time steps with 10 features each?",
     "what if it were a GRU?", "  Total MACs: 284,160 (was 378,880)"),
])
def test_flops_chat_follow_up_says_the_previous_value_beside_its_own_line(cli, first, follow_up, changed):
    out = cli("chat", "--plain", stdin=f"{first}\n{follow_up}\n").stdout
    assert changed in out.split(f"> {follow_up}")[1].splitlines()
