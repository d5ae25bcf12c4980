"""Issue 14, item 4: every call of ``grammars/signatures.toml`` with odd arguments is answered or
refused with a message, never a crash.

Each argument of each signature (positional and keyword) is given, in turn, each of the odd values
that crashed nlqa before (0, a negative, a float, a string, a tuple, None, 10**400, a thousands
number written the Python way) while the others hold a plain 4 (and 10**99, a size that is valid but beyond the float range); the first positional argument is
also given through a variable of a script (``X = 1,000,000``). ``answer`` must return an Answer
whose status is answered, needs_clarification or unsupported with a message, never raise or give
an ``error``. The whole sweep is data-driven from the signature table, so a new signature is swept
as soon as it is added.
"""

from __future__ import annotations

import pytest

from nlqa.answer import answer
from nlqa.core.validate import problem
from nlqa.reader.code.notation import signatures

ODD = ("0", "-1", "1.5", "'a'", "(1, 2)", "None", "10**400", "10**99", "1,000,000", "True")
FILLER = "4"


def _shape(name: str) -> str:
    if "3D" in name or "3d" in name:
        return "(8, 8, 8, 4)"
    if "2D" in name or "2d" in name:
        return "(8, 8, 4)"
    return "(8, 4)"


def _calls() -> list:
    out = []
    for namespace, calls in signatures().items():
        for name, entry in calls.items():
            if name != "_common":
                out.append(pytest.param(namespace, name, entry, id=f"{namespace}.{name}"))
    return out


def _call(namespace: str, name: str, positional: list[str], keywords: dict[str, str]) -> str:
    prefix = "nn." if namespace == "torch" else "layers."
    parts = positional + [f"{k}={v}" for k, v in keywords.items()]
    if namespace == "keras" and "input_shape" not in keywords:
        parts.append(f"input_shape={_shape(name)}")
    return f"{prefix}{name}({', '.join(parts)})"


def _questions(namespace: str, name: str, entry: dict) -> list[str]:
    params = [p for p in entry.get("positional", []) if not p.startswith("*")]
    keywords = [k for k in entry.get("keywords", {}) if k not in params]
    questions = []
    for value in ODD:
        for i in range(len(params)):
            call = _call(namespace, name, [FILLER] * i + [value], {})
            questions.append(f"How many parameters does {call} have?")
        for keyword in keywords:
            call = _call(namespace, name, [FILLER] * min(len(params), 2), {keyword: value})
            questions.append(f"How many parameters does {call} have?")
        if params:
            call = _call(namespace, name, ["X"] + [FILLER] * (len(params) > 1), {})
            questions.append(f"X = {value}\nmodel = {call}\nHow many parameters does model have?")
    return questions


@pytest.mark.parametrize("namespace, name, entry", _calls())
def test_signature_sweep_odd_arguments_never_crash(namespace, name, entry):
    failures = []
    for question in _questions(namespace, name, entry):
        try:
            result = answer(question)
        except Exception as exc:  # noqa: BLE001 - what the sweep looks for
            failures.append(f"{question!r}: {type(exc).__name__}: {exc}")
            continue
        if result.status not in ("answered", "needs_clarification", "unsupported"):
            failures.append(f"{question!r}: status {result.status}: {result.message}")
        elif result.status != "answered" and not result.message:
            failures.append(f"{question!r}: {result.status} without a message")
    assert failures == []


@pytest.mark.parametrize("field, value, words", [
    ("units", 0, "a positive whole number, not 0"),
    ("units", -1, "a positive whole number, not -1"),
    ("units", 1.5, "a positive whole number, not 1.5"),
    ("units", "a", "a positive whole number, not 'a'"),
    ("units", (1, 0, 0), "1,000,000 in Python is a tuple; write 1000000"),
    ("units", 10**400, "a 401-digit number (nlqa reads sizes of up to 100 digits)"),
    ("units", True, "not True"),
    ("kernel", (3, "a"), "a positive whole number or a tuple of them"),
    ("padding", "middle", "'valid', 'same', or a whole number"),
    ("groups", 0, "a positive whole number, not 0"),
    ("merge_mode", "max", "one of 'concat', 'sum', 'ave', 'mul'"),
    ("bias", "yes", "True or False, not 'yes'"),
])
def test_signature_sweep_validator_says_what_it_expected(field, value, words):
    assert words in problem(field, value)


@pytest.mark.parametrize("field, value", [("units", 4), ("kernel", 3), ("kernel", (3, 3)), ("padding", "same"),
                                          ("padding", (1, 0)), ("bias", False), ("return_sequences", None),
                                          ("units", 10**99), ("merge_mode", "sum")])
def test_signature_sweep_validator_accepts_good_values(field, value):
    assert problem(field, value) is None


@pytest.mark.parametrize("question, words", [
    ("How many parameters does nn.Embedding((1,2), 8) have?", "a valid num_embeddings in nn.Embedding((1, 2), 8)"),
    ("VOCAB = 1,000,000\nmodel = nn.Embedding(VOCAB, 8)\nHow many parameters?", "write 1000000"),
    ("How many parameters does nn.Conv2d(3, 16, 3, groups=0) have?", "a valid groups"),
    ("How many parameters does nn.MaxPool2d(1.5) have?", "a valid kernel_size in nn.MaxPool2d(1.5)"),
    ("How many parameters does nn.Conv2d(3, 16, \"a\") have?", "not 'a'"),
    ("How many parameters does nn.TransformerEncoderLayer(512, 8, \"a\") have?", "a valid dim_feedforward"),
    ("How many parameters does nn.Linear(1000000**60, 2) have?", "361-digit number"),
    ("How many parameters does nn.LSTM(10, 20, num_layers=0) have?", "a valid num_layers"),
    ("A dense layer of 10² units takes 3 inputs. Parameters?", "how many units the dense layer has"),
    ("A network takes 5 inputs and has 10^12 dense layers of 64 units each. Parameters?",
     "describes 1,000,000,000,000 dense layers"),
    ("A network takes 5 inputs and has 9999^99 dense layers of 64 units each. Parameters?", "396-digit number"),
    ("A network takes 5 inputs and has 999^33 dense layers of 64 units each. Parameters?",
     "describes a 99-digit number dense layers"),
    ("A network takes 5 inputs and has 100000 dense layers of 64 units each. Parameters?",
     "describes 100,000 dense layers"),
])
def test_signature_sweep_crash_classes_get_a_message(cli, question, words):
    result = cli("ask", "--plain", question)
    assert result.code == 3 and "internal error" not in result.stderr
    assert words in result.stdout


def test_signature_sweep_approx_beyond_the_float_range():
    from nlqa.answer import approx
    assert approx(10**400) == "1.000e+400"
    assert approx(123_456_789_012_345_678) == "1.235e+17"
    assert approx(109_482_240) == "109.5M"
