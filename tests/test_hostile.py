"""Hostile input (issue 6, item 5): every case goes through the CLI, and never gets a traceback.

Each case is run in-process with ``main(argv, env)`` (the ``cli`` fixture), in plain and in
terminal (rich) output, and a few through a real ``python -m nlqa`` process. The assertions are on
the result: the exit code (0 with the exact answer, or 2/3 with a message that says what is wrong),
no traceback, no escape sequence of the user's text reaching the output, markup printed literally.
Times are measured with ``time.perf_counter`` and only reported (``-s`` prints them; they are also
recorded as test properties), never asserted: a timing assert is a flaky test.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from nlqa.cli.status import ExitStatus

ROOT = Path(__file__).resolve().parent.parent
ONE_MB = ("How many parameters does a dense layer with 10 inputs and 5 units have? " * 14_000).encode()
TEN_THOUSAND = 10_000


def _case(id, argv, stdin=b"", codes=(ExitStatus.NOT_ANSWERED,), words=(), value=None, marks=()):
    return pytest.param(list(argv), stdin, tuple(codes), tuple(words), value, id=id, marks=marks)


CASES = [
    # nothing to read
    _case("empty", ["ask", ""], words=["The question is empty"]),
    _case("whitespace", ["ask", " \t\n \r\n "], words=["The question is empty"]),
    _case("stdin-empty", ["ask", "-"], b"", words=["The question is empty"]),
    _case("stdin-whitespace", ["ask", "-"], b"\n\n   \t\n", words=["The question is empty"]),
    # bytes that are not text
    _case("binary-stdin", ["ask", "-"], bytes(range(256)) * 40, words=["does not look like a question"]),
    _case("nul-and-escapes-stdin", ["ask", "-"], b"\x00\x1b[2J\x1b]8;;http://x\x07\xff\xfe how many parameters?",
          words=["Missing"]),
    # size
    _case("1mb-stdin", ["ask", "-"], ONE_MB, words=["characters long", "Paste only the network"]),
    _case("1mb-one-token-stdin", ["ask", "-"], b"x" * 1_000_000, words=["characters long"]),
    # 10,000 layers, written four ways
    _case("10k-layers-sequential", ["ask", "model = nn.Sequential(" + "nn.Linear(10, 10), " * TEN_THOUSAND
                                    + ")\nHow many parameters?"], words=["1,000 layers"]),
    _case("10k-layers-inline-calls", ["ask", "A network with 5 inputs: " + "Dense(10), " * TEN_THOUSAND
                                      + "How many parameters?"], words=["1,000 layers"]),
    _case("10k-layers-loop", ["ask", "model = Sequential()\nfor i in range(10000):\n"
                              "    model.add(Dense(10, input_dim=10))\nHow many parameters?"],
          words=["10,000 iterations", "1,000 layers"]),
    _case("10k-layers-comprehension", ["ask", "model = nn.Sequential(*[nn.Linear(8, 8) for _ in range(10000)])\n"
                                       "How many parameters?"], words=["1,000 layers"]),
    _case("10k-layers-arrows", ["ask", "Input 5 -> " + "dense 10 -> " * TEN_THOUSAND + "dense 1. How many parameters?"],
          words=["1,000 layers"]),
    _case("10k-layers-prose", ["ask", "A network takes 5 inputs and has "
                               + "a dense layer of 10 units, " * TEN_THOUSAND + "How many parameters?"],
          words=["characters long"]),
    # huge, negative and zero sizes
    _case("size-10^30", ["ask", "--json", "A dense layer with 10^30 inputs and 5 units. How many parameters?"],
          codes=[ExitStatus.OK], value=5 * 10**30 + 5),
    _case("size-10**30-prose", ["ask", "--json", "A dense layer with 10**30 inputs and 5 units. How many parameters?"],
          codes=[ExitStatus.OK], value=5 * 10**30 + 5),
    _case("size-10**30-code", ["ask", "--json", "How many parameters does nn.Linear(10**30, 5) have?"],
          codes=[ExitStatus.OK], value=5 * 10**30 + 5),
    _case("size-30-digits", ["ask", "--json", "A dense layer with 1000000000000000000000000000000 inputs and 5 units. "
                             "How many parameters?"], codes=[ExitStatus.OK], value=5 * 10**30 + 5),
    _case("size-tower-of-powers", ["ask", "How many parameters does nn.Linear(10**10**10, 5) have?"],
          words=["the value of in_features"]),
    _case("negative-prose", ["ask", "A dense layer with -5 neurons and 3 inputs: parameters?"], words=["Missing"]),
    _case("negative-code", ["ask", "How many parameters does nn.Linear(-3, 5) have?"], words=["positive"]),
    _case("zero-prose", ["ask", "A dense layer with 0 neurons and 3 inputs: how many parameters?"],
          words=["positive"]),
    _case("zero-code", ["ask", "How many parameters does Dense(0, input_shape=(4,)) have?"], words=["positive"]),
    _case("zero-loop", ["ask", "model = nn.Sequential(*[nn.Linear(4, 4) for _ in range(0)])\nHow many parameters?"],
          words=["Missing"]),
    # deeply nested brackets
    _case("10k-open-parens", ["ask", "(" * TEN_THOUSAND + " how many parameters?"], words=["Missing"]),
    _case("mixed-brackets", ["ask", "[{(" * 3_000 + " how many parameters?"], words=["Missing"]),
    _case("nested-calls", ["ask", "Dense(" * 500 + "10" + ")" * 500 + " parameters?"], words=["Missing"]),
    _case("nested-script", ["ask", "x = " + "[" * 150 + "]" * 150 + "\nmodel = nn.Sequential(nn.Linear(4, 2))\n"
                            "How many parameters?"], codes=[ExitStatus.OK], words=["Answer: 10 parameters"]),
    # markup and terminal escapes in the question
    _case("rich-markup", ["ask", "[bold]A dense layer[/bold] with [link=http://evil]10 inputs[/link] and 5 units: "
                          "parameters?"], codes=[ExitStatus.OK], words=["55"]),
    _case("ansi-escapes", ["ask", "\x1b[31mA dense layer\x1b[0m with 10 inputs and 5 units\x1b]8;;http://x\x07"
                           "\x1b[2J: parameters?"], codes=[ExitStatus.OK], words=["55"]),
    _case("markup-in-code", ["ask", "model = nn.Sequential(nn.Linear(4, 2))  # [red]x[/red] [link=http://e]y[/link]\n"
                             "How many parameters?"], codes=[ExitStatus.OK], words=["10"]),
]
TIMES: dict[str, float] = {}


def _check(result, codes, words, value, tty: bool) -> None:
    text = result.stdout + result.stderr
    assert result.code in codes, text[-2000:]
    assert "Traceback" not in text
    if value is not None:
        data = json.loads(result.stdout)
        assert (data["status"], data["value"]) == ("answered", value)
    for word in words if not tty else ():    # rich output wraps the words inside a panel
        assert word in " ".join(text.split()), word
    if not tty:
        assert "\x1b" not in result.stdout        # nothing the terminal would interpret
    # the user's own escape sequences never reach the terminal, not even in rich output
    for sequence in ("\x1b[2J", "\x1b]8;;http", "\x1b[31mA dense"):
        assert sequence not in result.stdout


@pytest.mark.parametrize("argv, stdin, codes, words, value", CASES)
def test_hostile_input_plain(cli, argv, stdin, codes, words, value, request, record_property):
    start = time.perf_counter()
    result = cli(*argv, stdin=stdin)
    elapsed = time.perf_counter() - start
    TIMES[request.node.callspec.id] = elapsed
    record_property("seconds", round(elapsed, 3))
    print(f"\n{request.node.callspec.id}: {elapsed:.2f} s, exit {result.code}")
    _check(result, codes, words, value, tty=False)


TTY_CASES = [c for c in CASES if c.id in ("empty", "binary-stdin", "nul-and-escapes-stdin", "10k-open-parens",
                                          "rich-markup", "ansi-escapes", "markup-in-code", "1mb-stdin",
                                          "10k-layers-sequential", "zero-code")]


@pytest.mark.parametrize("argv, stdin, codes, words, value", TTY_CASES)
def test_hostile_input_terminal(cli, argv, stdin, codes, words, value):
    result = cli(*argv, stdin=stdin, tty=True)
    _check(result, codes, words, value, tty=True)


def test_hostile_markup_is_printed_literally(cli):
    question = "[bold]A dense layer[/bold] with [link=http://evil]10 inputs[/link] and 5 units: parameters?"
    for tty in (False, True):
        result = cli("ask", question, tty=tty)
        assert "[bold]A dense layer[/bold] with [link=http://evil]10 inputs[/link]" in result.stdout
        assert "\x1b]8;" not in result.stdout      # no hyperlink made from the user's text


def test_hostile_escapes_are_shown_not_interpreted(cli):
    result = cli("ask", "--plain", "\x1b[2J\x1b[31mA dense layer\x1b[0m with 10 inputs and 5 units: parameters?")
    question = next(line for line in result.stdout.splitlines() if line.startswith("Question:"))
    assert "[2J" in question and "[31mA dense layer" in question   # visible, harmless
    assert "\x1b" not in result.stdout


@pytest.mark.parametrize("form", ["--json", "--markdown"])
@pytest.mark.parametrize("question", ["", "(" * 2_000, "[bold]x[/bold] \x1b[2J parameters?",
                                      "model = nn.Sequential(" + "nn.Linear(4, 4), " * 1_500 + ")"],
                         ids=["empty", "parens", "markup", "1500-layers"])
def test_hostile_input_other_forms(cli, form, question):
    result = cli("ask", form, question)
    assert result.code == ExitStatus.NOT_ANSWERED
    assert "Traceback" not in result.stdout + result.stderr and "\x1b" not in result.stdout
    if form == "--json":
        data = json.loads(result.stdout)
        assert data["status"] in ("needs_clarification", "unsupported") and data["message"]


def test_hostile_batch_lines_never_stop_the_run(cli):
    lines = [json.dumps({"id": "parens", "question": "(" * 5_000 + " how many parameters?"}), "", "not json",
             json.dumps({"id": "big", "question": "x" * 300_000}),
             json.dumps({"id": "ok", "question": "A dense layer with 10 inputs and 5 units: parameters?"}),
             json.dumps({"id": "bytes", "question": "\x00\x1b[2J\ufffd"}),
             json.dumps({"id": "layers", "question": "nn.Sequential(" + "nn.ReLU(), " * 1_500 + ")"})]
    result = cli("batch", "-", stdin="\n".join(lines).encode() + b"\n\xff\xfe\n")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    status = {r["id"]: r["status"] for r in rows}
    assert result.code == ExitStatus.OK
    assert (status["parens"], status["ok"], status["bytes"], status["layers"]) == (
        "needs_clarification", "answered", "unsupported", "unsupported")
    assert all(r["status"] in ("answered", "needs_clarification", "unsupported", "error") for r in rows)
    assert "Traceback" not in result.stdout + result.stderr and "\x1b" not in result.stdout


# -- real processes ------------------------------------------------------------------------------

def _nlqa(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    env = {**os.environ, "NO_COLOR": "1", "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "nlqa", *args], input=stdin, capture_output=True,
                          timeout=120, env=env, cwd=ROOT)


@pytest.mark.parametrize("args, stdin, words", [
    (["ask", "-"], bytes(range(256)) * 40, b"does not look like a question"),
    (["ask", "-"], ONE_MB, b"characters long"),
    (["ask", "(" * TEN_THOUSAND], b"", b"cannot answer"),
    (["ask", "-"], ("model = nn.Sequential(" + "nn.Linear(10, 10), " * TEN_THOUSAND + ")").encode(), b"1,000 layers"),
    (["ask", "[bold]x[/bold] \x1b[2J\x1b]8;;http://x\x07 parameters?"], b"", b"[bold]x[/bold]"),
], ids=["binary", "1mb", "parens", "10k-layers", "markup-escapes"])
def test_hostile_input_subprocess(args, stdin, words):
    start = time.perf_counter()
    proc = _nlqa(*args, stdin=stdin)
    elapsed = time.perf_counter() - start
    print(f"\nsubprocess {args[-1][:20]!r}: {elapsed:.2f} s (including start-up)")
    assert proc.returncode == ExitStatus.NOT_ANSWERED
    assert b"Traceback" not in proc.stdout + proc.stderr
    assert b"\x1b" not in proc.stdout
    assert words in b" ".join(proc.stdout.split())
