"""Markdown read with markdown-it-py (nlqa.reader.cleanup.markdown): the structure as data
(tests/data/markdown_structure.jsonl), questions written in markdown answered as written
(tests/data/markdown_questions.jsonl, golds rebuilt by tests/data/verify_cases.py), HTML entities
unescaped in clean-up and kept out of the number ledger."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from nlqa.answer import answer
from nlqa.reader.cleanup import markdown
from nlqa.reader.ledger import code_lines
from nlqa.reader.cleanup.normalize import normalize
from nlqa.reader.code.source import clean_lines

DATA = Path(__file__).parent / "data"


def _jsonl(name: str) -> list[dict]:
    return [json.loads(line) for line in (DATA / name).read_text(encoding="utf-8").splitlines() if line.strip()]


STRUCTURE = _jsonl("markdown_structure.jsonl")
QUESTIONS = _jsonl("markdown_questions.jsonl")


@pytest.mark.parametrize("case", STRUCTURE, ids=[c["case"][:40] for c in STRUCTURE])
def test_markdown_reads_the_structure(case):
    md = markdown.read(case["text"])
    assert md.prose == case["prose"]
    assert len(md.prose) == len(case["text"])          # every offset still points into the text
    assert [[b.start, b.end, b.fence, b.info, b.closed] for b in md.blocks] == case["blocks"]
    assert sorted(md.fence_lines) == case["fence_lines"]
    assert sorted(md.code_lines) == case["code_lines"]
    assert [[i.start, i.depth, i.marker, i.ordered] for i in md.items] == case["items"]
    assert [[r.line, list(r.cells), r.header] for r in md.rows] == case["rows"]
    assert sorted(md.delimiters) == case["delimiters"]
    assert [case["text"][a:b] for a, b in md.spans] == case["spans"]
    assert sorted(md.headings) == case["headings"]
    assert sorted(md.quotes) == case["quotes"]


def test_markdown_questions_have_three_phrasings_per_rule():
    rules: dict[str, int] = {}
    for case in QUESTIONS:
        if not case.get("gap"):
            rules[case["rule"]] = rules.get(case["rule"], 0) + 1
    assert len(rules) >= 9 and min(rules.values()) >= 3, rules


@pytest.mark.parametrize("case", QUESTIONS, ids=[f"{c['rule'][:30]}-{i}" for i, c in enumerate(QUESTIONS)])
def test_markdown_question_is_answered(case):
    if case.get("gap"):
        pytest.xfail(case["gap"])
    got = answer(case["question"])
    assert (got.status, got.quantity, got.value) == ("answered", case["quantity"], case["value"]), got.message


@pytest.mark.parametrize("written, cleaned", [
    ("a dense layer of 4 units &gt; 3", "a dense layer of 4 units > 3"),
    ("it&#39;s 10 units &amp; 2 layers", "it's 10 units & 2 layers"),
    ("input&nbsp;of 5 features", "input of 5 features"),
    ("8 inputs &rarr; 2 outputs", "8 inputs -> 2 outputs"),
])
def test_normalize_unescapes_html_entities(written, cleaned):
    assert normalize(written) == cleaned


@pytest.mark.parametrize("question, numbers", [
    ("What&#39;s the parameter count of a dense layer with 12 inputs and 3 outputs?",
     [("12", "input"), ("3", "units")]),
    ("A GRU with 8 units &#8212; input of 4 features. Parameters?", [("8", "units"), ("4", "input")]),
    ("Conv2D, 6 filters of 5&times;5 on a 28&times;28&times;1 input &#x2014; parameters?",
     [("6", "filters"), ("5", "kernel"), ("5", "kernel"), ("28", "input"), ("28", "input"), ("1", "input")]),
])
def test_ledger_holds_no_digits_of_html_entities(question, numbers):
    assert [(e["text"], e["role"]) for e in answer(question).numbers] == numbers


@pytest.mark.parametrize("text, code", [
    ("Model:\n~~~\nnet = nn.Linear(4, 2)\n~~~\nHow many parameters?", {1, 2, 3}),
    ("Model:\n```python\nnet = nn.Linear(4, 2)\n```\nHow many parameters?", {1, 2, 3}),
    ("Model:\n\n    net = nn.Linear(4, 2)\n\nHow many parameters?", {2}),
    # an indented block that does not look like code is prose (scraped posts indent prose and pasted output)
    ("Model:\n\n    a list of 4 and 2\n\nHow many parameters?", set()),
])
def test_ledger_code_lines_are_the_markdown_code_blocks(text, code):
    assert code_lines(text)[1] == code


@pytest.mark.parametrize("text, output", [
    ("x\n```python\nnet = nn.Linear(4, 2)\n```", {1, 3}),
    ("x\n~~~\nnet = nn.Linear(4, 2)\n~~~", {1, 3}),
    ("```{admonition} Exercise\n\nA net of 3 layers.", {0}),     # never closed: its last line is text
])
def test_source_blanks_the_fence_lines(text, output):
    source = clean_lines(text)
    assert source.output == output
    assert all(source.lines[n] == "" for n in output)


def test_markdown_is_imported_only_for_text_with_markup():
    script = ("import sys\nfrom nlqa.answer import answer\n"
              "a = answer('A neural network has two recurrent layers of 6 neurons each. If the input is of size (3,1) "
              "and the output is a scalar (dense layer), find the number of trainable parameters.')\n"
              "before = 'markdown_it' in sys.modules\n"
              "b = answer('An **LSTM** layer of 4 units reads 2 features. How many parameters?')\n"
              "print(a.value, before, b.value, 'markdown_it' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["145", "False", "112", "True"]
