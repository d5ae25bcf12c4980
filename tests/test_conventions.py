"""Each convention of docs/conventions.md, as PyTorch and Keras themselves count it.

The values in tests/data/conventions_checked.jsonl were made by building each layer in torch 2.13 /
Keras 3 (``docs/check_conventions.py``, run in an oracle venv); nlqa never imports either.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlqa.answer import answer

DOCS = Path(__file__).parent.parent / "docs"
CHECKS = [json.loads(line) for line in
          (Path(__file__).parent / "data" / "conventions_checked.jsonl").read_text().splitlines() if line]


@pytest.mark.parametrize("check", CHECKS, ids=[f"{c['convention']}-{c['framework']}" for c in CHECKS])
def test_conventions_match_the_frameworks(check):
    got = answer(check["question"], framework=check["framework"])
    assert (got.status, got.quantity, got.value) == ("answered", check["quantity"], check["value"]), \
        f"{check['convention']}: {check['oracle']} gives {check['value']}; nlqa: {got.status} {got.value}"


def test_conventions_doc_names_every_checked_convention():
    text = (DOCS / "conventions.md").read_text(encoding="utf-8")
    absent = sorted({c["convention"] for c in CHECKS if f"`{c['convention']}`" not in text})
    assert absent == []
