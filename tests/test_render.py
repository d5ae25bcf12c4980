"""Renderers: golden files per case and format, sums, escaping of user text, control characters."""

from __future__ import annotations

import io
import json

import pytest
from rich.console import Console

from conftest import CANONICAL
from nlqa.answer import Answer, answer
from nlqa.render import AnswerView, render_json, render_markdown, render_plain

CASES = {
    "canonical": CANONICAL,
    "lstm": "An LSTM layer with 10 units takes an input of 5 features. How many parameters?",
    "clarify": "A model has two LSTM layers with 32 units each. How many parameters?",
}
HOSTILE = "\x1b[31mred\x1b[0m \x9b2J [bold]x[/bold] [link=http://x]y[/link] \r\x07 how many parameters"


def rich_text(ans: Answer) -> str:
    """The terminal view on a fixed-width colourless console (like rich's own tests/render.py).

    Lines lose the trailing spaces rich pads them with, so an editor cannot break a golden file.
    """
    console = Console(file=io.StringIO(), width=100, color_system=None, record=False, legacy_windows=False)
    console.print(AnswerView(ans))
    return "\n".join(line.rstrip() for line in console.file.getvalue().split("\n"))


def pretty_json(ans: Answer) -> str:
    return json.dumps(json.loads(render_json(ans)), indent=2, ensure_ascii=False) + "\n"


RENDERERS = {"txt": render_plain, "rich.txt": rich_text, "md": render_markdown, "json": pretty_json}


@pytest.fixture(scope="module")
def answers() -> dict[str, Answer]:
    return {case: answer(question) for case, question in CASES.items()}


@pytest.mark.parametrize("ext", RENDERERS)
@pytest.mark.parametrize("case", CASES)
def test_render_matches_golden(answers, golden, case, ext):
    golden(f"{case}.{ext}", RENDERERS[ext](answers[case]))


@pytest.mark.parametrize("case", ["canonical", "lstm"])
def test_render_layer_counts_add_up_to_totals(answers, case):
    data = json.loads(render_json(answers[case]))
    layers, totals = data["network"]["layers"], data["totals"]
    assert sum(layer["params"] for layer in layers) == totals["total_parameters"]
    assert sum(layer["trainable"] for layer in layers) == totals["trainable_parameters"]
    assert sum(layer["weights"] for layer in layers) == totals["weights"]
    assert sum(layer["biases"] for layer in layers) == totals["biases"]
    assert all(layer["weights"] + layer["biases"] == layer["params"] for layer in layers)


def test_render_json_is_the_answer_dict(answers):
    ans = answers["canonical"]
    assert json.loads(render_json(ans)) == ans.to_dict()
    assert "\n" not in render_json(ans)


def test_render_canonical_plain_shows_steps_and_value(answers):
    text = render_plain(answers["canonical"])
    assert "18 + 36 + 6 = 60" in text
    assert "Total: 60 + 78 + 7 = 145" in text
    assert "Answer: 145 trainable parameters" in text
    assert "  - (3, 1) read as 3 time steps of 1 feature (Keras input_shape=(3, 1)): 133" in text


def test_render_rich_shows_table_value_and_numbered_related(answers):
    text = rich_text(answers["canonical"])
    assert "Answer: 145 trainable parameters" in text
    assert "\n2   SimpleRNN (6)           (6,)        72        6       78          78" in text
    assert "\n  5. " in text and "\n  6. " not in text


def test_render_leaves_answer_unchanged(answers):
    ans = answers["canonical"]
    before = ans.to_dict()
    for render in RENDERERS.values():
        render(ans)
    assert ans.to_dict() == before


@pytest.mark.parametrize("ext", ["txt", "rich.txt", "md"])
def test_render_strips_control_characters(ext):
    text = RENDERERS[ext](Answer(HOSTILE, "unsupported", message="cannot\x1b]0;title\x07 answer"))
    assert [c for c in text if ord(c) < 32 and c not in "\n\t" or 0x7f <= ord(c) <= 0x9f] == []
    assert "red" in text and "title answer" in text


def test_render_json_escapes_control_characters_and_keeps_them():
    text = render_json(Answer(HOSTILE, "unsupported"))
    assert "\x1b" not in text and "\x9b" not in text and "\\u001b" in text and "\\u009b" in text
    assert json.loads(text)["question"] == HOSTILE


def test_render_rich_prints_markup_literally():
    text = rich_text(Answer("[bold]x[/bold] [link=http://x]y[/link] :smile: parameters?", "unsupported",
                            message="[red]not[/red] a network"))
    assert "Question: [bold]x[/bold] [link=http://x]y[/link] :smile: parameters?" in text
    assert "[red]not[/red] a network" in text


def test_render_markdown_escapes_user_text():
    text = render_markdown(Answer("*x* _y_ [z](u) <b>", "unsupported", message="m"))
    assert r"**Question:** \*x\* \_y\_ \[z\](u) \<b\>" in text


@pytest.mark.parametrize("fields, line", [
    (dict(quantity="output_shape", value=[20, 64]), "Answer: output shape (20, 64)"),
    (dict(quantity="layer_parameters", value=78, layer=2), "Answer: 78 parameters in layer 2"),
    (dict(quantity="memory_bytes", value=1234, unit="B"), "Answer: 1,234 B (memory bytes)"),
    (dict(quantity="weights", value=8874), "Answer: 8,874 weights (biases not counted)"),
])
def test_render_answer_line_per_quantity(fields, line):
    ans = Answer("q", "answered", **fields)
    assert line in render_plain(ans)
    assert line in rich_text(ans)
    assert f"**{line}**" in render_markdown(ans)


def test_render_not_answered_block_lists_missing(answers):
    text = render_plain(answers["clarify"])
    assert "Needs clarification:" in text
    assert "    - the size of the input" in text
    assert "Answer:" not in text


WIDE_CASES = {
    "gpt2": "How many parameters does GPT-2 have?",
    "bert": "How many parameters does BERT-base have?",
    "canonical": CANONICAL,
    "cnn": ("A CNN takes 224x224x3 images: Conv2D with 64 filters of 3x3, padding same, MaxPooling 2x2, "
            "Conv2D with 128 filters of 3x3, padding same, then a dense layer of 4096 units and a softmax "
            "over 1000 classes. "
            "How many trainable parameters?"),
    "frozen": "A frozen Embedding(50000, 300) followed by an LSTM(256) and Dense(10). How many parameters?",
}
NUMBER_TOKEN = r"(?<!\d)(?<!\d[,.]){}(?!\d|[,.]\d)"     # a whole number: not part of a longer one


def table_numbers(ans: Answer) -> set[str]:
    """Every number of the layer table, as printed: counts, units, output-shape sides, totals."""
    data = ans.to_dict()
    cells = {f"{data['value']:,}"} if isinstance(data["value"], int) else set()
    for layer in data["network"]["layers"]:
        cells |= {f"{layer[k]:,}" for k in ("weights", "biases", "params", "trainable")}
        cells |= {str(s) for s in layer["output_shape"] if s is not None}     # shapes: no separators
        if layer.get("units") is not None:
            cells.add(f"{layer['units']:,}")
    cells |= {f"{data['totals'][k]:,}" for k in ("weights", "biases", "total_parameters", "trainable_parameters")}
    return cells


def rich_at(ans: Answer, width: int) -> str:
    console = Console(file=io.StringIO(), width=width, color_system=None, legacy_windows=False)
    console.print(AnswerView(ans))
    return console.file.getvalue()


@pytest.mark.parametrize("width", [60, 80, 120])
@pytest.mark.parametrize("case", WIDE_CASES)
def test_render_rich_never_cuts_a_number(case, width):
    import re
    ans = answer(WIDE_CASES[case])
    assert ans.status == "answered", ans.message
    text = rich_at(ans, width)
    table = text[text.index("Layers"):text.index("Derivation")]
    assert "…" not in text
    assert max(len(line.rstrip()) for line in text.splitlines()) <= width
    missing = [n for n in sorted(table_numbers(ans)) if not re.search(NUMBER_TOKEN.format(re.escape(n)), table)]
    assert missing == [], f"numbers cut or missing from the {width}-column table: {missing}"


@pytest.mark.parametrize("width, layout", [(120, "table"), (80, "table"), (60, "stacked")])
def test_render_rich_layout_per_width(width, layout):
    text = rich_at(answer(WIDE_CASES["gpt2"]), width)
    table = text[text.index("Layers"):text.index("Derivation")]
    assert ("Weights" in table.splitlines()[1]) == (layout == "table")
    assert ("Trainable 124,439,808" in table) == (layout == "stacked")


@pytest.mark.parametrize("fields, shown", [
    (dict(output_shape=[5408]), "(5408,)"),
    (dict(output_shape=[1024, 50257]), "(1024, 50257)"),
    (dict(output_shape=[None, None, 16]), "(?, ?, 16)"),
    (dict(output_shape=[None, 64]), "(T, 64)"),
])
def test_render_shape_has_no_thousands_separators(fields, shown):
    """'(1,024, 50,257)' reads as four sides; a shape is written as Python prints it."""
    from nlqa.render.common import shape_text
    assert shape_text(fields["output_shape"]) == shown
    ans = Answer("q", "answered", quantity="output_shape", value=[1024, 50257])
    assert "Answer: output shape (1024, 50257)" in render_plain(ans)
