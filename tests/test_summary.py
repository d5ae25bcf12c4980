"""Pasted framework output read as a network: real Keras 3, torchinfo and torchsummary tables and
PyTorch ``print(model)`` reprs (written by tests/data/tables/generate.py), and questions about them
(tests/data/summary_cases.jsonl, tests/data/summary_declined.jsonl)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from nlqa.answer import answer
from nlqa.core.count import count_network
from nlqa.reader.code.summary import read_tables, without_tables
from nlqa.reader.code.tablespec import read_table

DATA = Path(__file__).parent / "data"
TABLES = DATA / "tables"
PRINTED = sorted(p for p in TABLES.glob("*.txt") if not p.name.endswith(".repr.txt"))
REPRS = sorted(TABLES.glob("*.repr.txt"))


def _counts(path: Path) -> dict:
    return json.loads((TABLES / (path.name.split(".")[0] + ".counts.json")).read_text())


def _filled(text: str) -> str:
    return re.sub(r"\{(\w+\.\w+)\}", lambda m: (TABLES / f"{m.group(1)}.txt").read_text(), text)


def _cases(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


@pytest.mark.parametrize("path", PRINTED, ids=[p.name for p in PRINTED])
def test_summary_table_rows_are_the_frameworks_counts(path):
    tables = [t for t in read_tables(path.read_text()) if t.rows]
    assert len(tables) == 1
    reading = read_table(tables[0])
    assert reading is not None, f"{path.name}: no configuration reproduces every row"
    counted = count_network(reading.spec)
    want = _counts(path)
    assert [layer.params for layer in counted.layers] == want["layers"]
    assert sum(layer.params for layer in counted.layers) == want["total"] == tables[0].totals["total_parameters"]


@pytest.mark.parametrize("path", PRINTED, ids=[p.name for p in PRINTED])
def test_summary_table_lines_are_blanked_for_the_prose_reader(path):
    text = path.read_text()
    tables = read_tables(text)
    left = without_tables(text, tables)
    assert len(left.split("\n")) == len(text.split("\n"))
    assert not re.search(r"\d", left), left


@pytest.mark.parametrize("path", REPRS, ids=[p.name for p in REPRS])
def test_summary_printed_module_is_counted_from_its_constructors(path):
    got = answer(path.read_text() + "\nHow many parameters does this model have?")
    assert (got.status, got.value) == ("answered", _counts(path)["total"]), got.message


def test_summary_rules_have_three_phrasings_each():
    rules: dict[str, int] = {}
    for case in _cases("summary_cases.jsonl"):
        rules[case["rule"]] = rules.get(case["rule"], 0) + 1
    assert rules and min(rules.values()) >= 3, rules


@pytest.mark.parametrize("case", _cases("summary_cases.jsonl"), ids=lambda c: c["rule"][:40])
def test_summary_question_is_answered(case):
    got = answer(_filled(case["question"]))
    assert (got.status, got.quantity, got.value) == ("answered", case["quantity"], case["value"]), got.message
    assert (got.extraction or {}).get("layer") == case["layer"]
    assert all(n["role"] != "unused" or not n["text"][:1].isdigit() or n["text"] in case["question"]
               for n in got.numbers)


@pytest.mark.parametrize("case", _cases("summary_declined.jsonl"), ids=lambda c: c["rule"][:40])
def test_summary_question_is_not_answered_with_a_number(case):
    got = answer(_filled(case["question"]))
    assert got.status == case["status"], (got.status, got.value, got.message)


def test_summary_old_gru_row_is_named_in_the_assumptions():
    case = next(c for c in _cases("summary_cases.jsonl") if c.get("source") == "rq-gh-003")
    got = answer(case["question"])
    assert any("reset_after=False" in a and "gru_1" in a for a in got.assumptions), got.assumptions
