"""The number ledger (nlqa.reader.ledger): every number of a question, and what it became."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nlqa.answer import answer
from nlqa.core import count_network
from nlqa.errors import SpecError
from nlqa.reader.extract import extract
from nlqa.reader.ledger import ENTITY, ESCAPES, account, incomplete

ROOT = Path(__file__).resolve().parent.parent
CORPORA = sorted((ROOT / "corpus").glob("*.jsonl")) + sorted((ROOT / "corpus" / "real").glob("*.jsonl"))
QUESTIONS = [json.loads(line)["question"] for path in CORPORA
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
CASES = [json.loads(line) for line in (ROOT / "tests" / "data" / "ledger_cases.jsonl").read_text(
    encoding="utf-8").splitlines() if line.strip()]
# a number as written: digits not glued to a name (Conv2D, fc1, dense_2, float32, GPT-2 are names)
DIGITS = re.compile(r"(?<![\w.])(?<![A-Za-z]-)\d+(?:[.,]\d+)*(?![^\W\d])")


def _ledger(question: str):
    x = extract(question)
    try:
        count = count_network(x.spec) if x.spec is not None and x.status == "answered" else None
    except SpecError:
        count = None
    return account(question, count, {x.param_count: "parameter_count"} if x.param_count else None)


def test_ledger_corpora_are_loaded():
    assert len(QUESTIONS) >= 1400


@pytest.mark.parametrize("index", range(0, len(QUESTIONS)), ids=lambda i: f"q{i}")
def test_ledger_accounts_for_every_number_of_every_corpus_question(index):
    question = QUESTIONS[index]
    entries = answer(question).numbers
    spans = [(e.start, e.start + len(e.text)) for e in _ledger(question)]
    assert len(entries) == len(spans)
    written = ESCAPES.sub(lambda m: " " * len(m.group(0)), question)  # a terminal escape's digits are no numbers
    written = ENTITY.sub(lambda m: " " * len(m.group(0)), written)    # nor are an HTML entity's ("&#8212;")
    missing = [m.group(0) for m in DIGITS.finditer(written)
               if not any(a <= m.start() < b for a, b in spans)]
    assert missing == []


@pytest.mark.parametrize("case", CASES, ids=[c["question"][:40] for c in CASES])
def test_ledger_gives_each_number_its_role(case):
    got = [(n["text"], n["role"]) for n in answer(case["question"]).numbers]
    assert got == [tuple(pair) for pair in case["roles"]]


def test_ledger_roles_name_the_layer_they_size():
    numbers = answer("A fully connected network has 4 inputs, hidden layers of 10 and 12 nodes, and 3 output "
                     "neurons. How many parameters does it have?").numbers
    assert [(n["text"], n["role"], n.get("layer")) for n in numbers] == [
        ("4", "input", None), ("10", "units", 1), ("12", "units", 2), ("3", "units", 3)]


@pytest.mark.parametrize("question", [
    "A dense layer with 10 inputs and 5 units and 7 frobnicators. How many parameters?",
    "A dense layer has 10 inputs and 5 units. The layer also holds 7 gating vectors. Parameters?",
    "A dense layer with 10 inputs, 5 units and 7 extra taps per unit: how many parameters?",
    # an indented block of a post is as often prose as code: its unused number still asks back
    "My network is as follows:\n\n    a dense layer with 10 inputs and 5 units and 7 frobnicators\n\nHow many parameters?",
    "Here is the setup.\n\n    Dense layer: 10 inputs, 5 units.\n    The layer also holds 7 gating vectors.\n\nParameters?",
    "Layout (indented as in my notes):\n\n        10 inputs into a dense layer of 5 units, 7 extra taps per unit\n\nHow many parameters?",
])
def test_ledger_unused_number_about_layers_asks_back(question):
    result = answer(question)
    left = incomplete(_ledger(question))
    assert [e.text for e in left] == ["7"]
    assert result.status == "needs_clarification" and result.value is None
    assert "what '7' stands for" in result.missing[0] and "the answer would be 55" in result.missing[0]


def test_ledger_unused_number_in_code_gives_a_caveat_only():
    result = answer("model = keras.Sequential([keras.Input((10,)), layers.Dense(5, kernel_initializer=init(7))])\n"
                    "How many parameters?")
    assert (result.status, result.value) == ("answered", 55)
    assert any("did not use '7'" in a for a in result.assumptions)


def test_ledger_numbers_about_training_give_no_caveat():
    result = answer("A dense layer with 10 inputs and 5 units is trained for 7 epochs on 300 samples. Parameters?")
    assert result.value == 55
    assert not any("did not use" in a for a in result.assumptions)
    assert {n["text"]: n["role"] for n in result.numbers} == {
        "10": "input", "5": "units", "7": "epochs", "300": "dataset_size"}


def test_ledger_is_shown_by_explain_and_json():
    result = answer("A GRU layer with 20 units takes 10-dimensional inputs. Parameters?")
    assert result.to_dict()["numbers"] == [{"text": "20", "role": "units", "layer": 1},
                                           {"text": "10", "role": "input"}]
    from nlqa.render import render_explain_plain
    assert "20 → units (layer 1); 10 → input" in render_explain_plain(result.extraction)
