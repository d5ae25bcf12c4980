"""What an answer says, beyond its value: wording a newcomer tripped over (issue 12).

Cases are data (tests/data/explanations.jsonl): a question, the lines its plain rendering must
contain and the texts it must not.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from nlqa.answer import answer
from nlqa.render import render_plain

CASES = [json.loads(line) for line in
         (Path(__file__).parent / "data" / "explanations.jsonl").read_text(encoding="utf-8").splitlines() if line]


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_explanations_say_what_they_should(case):
    got = answer(case["question"], framework=case.get("framework"))
    text = render_plain(got)
    assert got.status == case.get("status", "answered"), got.message
    assert [c for c in case["contains"] if c not in text] == []
    assert [a for a in case["absent"] if a in text] == []
