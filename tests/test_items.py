"""Separate layers or networks listed as items and asked about each (tests/data/items.jsonl).

Each item is read as its own network and is one ``parts`` entry with its label; ``value`` is the
first item's. Labelled items that chain stay one network; an item that cannot be read is named.
Every part's gold was rebuilt in PyTorch 2.13 (``parts[].verify``, run by
tests/data/verify_cases.py in the oracle venv).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlqa.answer import answer
from nlqa.reader.cleanup.items import item_list
from nlqa.render import render_json
from nlqa.render.common import part_phrase

from renderings import every_rendering

CASES = [json.loads(line) for line in (Path(__file__).parent / "data" / "items.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()]
ANSWERED = [c for c in CASES if c["expect"]["status"] == "answered"]
ASKED_BACK = [c for c in CASES if c["expect"]["status"] != "answered"]


def test_items_rules_have_a_real_question_and_three_rephrasings():
    rules: dict[str, list[str]] = {}
    for case in CASES:
        rules.setdefault(case["rule"], []).append(case["source"])
    for rule, sources in rules.items():
        assert len(sources) >= 3, rule
    separate = rules["separate items asked about each: each item its own network, the first item's value"]
    assert sum(s.startswith("corpus/real/tune.jsonl") for s in separate) >= 3
    assert sum(s.startswith("rephrasing") for s in separate) >= 3


@pytest.mark.parametrize("case", ANSWERED, ids=[c["id"] for c in ANSWERED])
def test_items_answer_each_item(case):
    got = answer(case["question"])
    assert got.status == "answered", got.message
    assert (got.quantity, got.value) == (case["expect"]["quantity"], case["expect"]["value"])
    want = [(p.get("label"), p["quantity"], p.get("layer"), p["value"]) for p in case["parts"]]
    assert [(p.get("label"), p["quantity"], p["layer"], p["value"]) for p in got.parts] == want
    assert got.value == got.parts[0]["value"]


@pytest.mark.parametrize("case", [c for c in ANSWERED if any("label" in p for p in c["parts"])],
                         ids=lambda c: c["id"])
def test_items_every_renderer_shows_every_item(case):
    got = answer(case["question"])
    phrases = [f"({p['label']}) " + part_phrase(p["quantity"], p["value"], None, None) for p in case["parts"]]
    for name, text in every_rendering(got).items():
        for phrase in phrases:
            assert phrase in text, (name, phrase)
    data = json.loads(render_json(got))
    assert [p["label"] for p in data["parts"]] == [p["label"] for p in case["parts"]]


@pytest.mark.parametrize("case", [c for c in ANSWERED if any("label" in p for p in c["parts"])],
                         ids=lambda c: c["id"])
def test_items_ledger_gives_each_item_its_numbers(case):
    got = answer(case["question"])
    labels = [p["label"] for p in case["parts"]]
    assert {n.get("item") for n in got.numbers if "item" in n} == set(labels)
    assert not [n for n in got.numbers if n["role"] == "unused" and "item" in n]


@pytest.mark.parametrize("case", ASKED_BACK, ids=[c["id"] for c in ASKED_BACK])
def test_items_an_item_not_read_is_named(case):
    got = answer(case["question"])
    assert got.status == case["expect"]["status"] and got.value is None
    for name in case["expect"]["missing_names"]:
        assert name in " ".join(got.missing) and name in got.message


@pytest.mark.parametrize("text, labels", [
    ("a) 4 x 4\nb) 3 x 3\nc) 2 x 2", ["a", "b", "c"]),
    ("(i) one (ii) two", ["i", "ii"]),
    ("Section 14.2. 1. first\n2. second", ["1", "2"]),
    ("Only a) here.", None),
    ("b) first a) second", None),
])
def test_item_list_finds_labels_in_order(text, labels):
    found = item_list(text)
    assert (None if found is None else [i.label for i in found.items]) == labels


@pytest.mark.parametrize("case", [c for c in ANSWERED if any("label" in p for p in c["parts"])
                                  and "\n" not in c["question"].strip()], ids=lambda c: c["id"])
def test_items_chat_answers_each_item_as_ask_does(case):
    from nlqa.chat.session import Session
    reply = Session().handle(case["question"])
    assert [(p.get("label"), p["value"]) for p in reply.answer.parts] == \
        [(p.get("label"), p["value"]) for p in case["parts"]]
