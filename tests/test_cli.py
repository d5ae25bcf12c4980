"""The ``nlqa`` command: in-process ``main(argv, env)`` runs, plus a few real subprocesses."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from nlqa.cli.status import ExitStatus

NO_INPUT = "A model has two LSTM layers with 32 units each. How many parameters?"
LSTM = "An LSTM layer with 10 units takes an input of 5 features. How many parameters?"
FRANCE = "What is the capital of France?"
HOSTILE = [
    ("", ExitStatus.NOT_ANSWERED),
    ("   \n\t ", ExitStatus.NOT_ANSWERED),
    ("[bold]x[/bold] parameters?", ExitStatus.NOT_ANSWERED),
    ("\x1b[31mred\x1b[0m how many parameters", ExitStatus.NOT_ANSWERED),
    ("A dense layer with -5 neurons and 3 inputs: parameters?", ExitStatus.NOT_ANSWERED),
]


def subprocess_nlqa(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess:
    env = {"PATH": "/usr/bin:/bin", "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "nlqa.cli.main", *args], input=stdin, capture_output=True,
                          timeout=120, env=env)


# -- ask -----------------------------------------------------------------------------------------

def test_cli_ask_json_canonical(cli, canonical):
    result = cli("ask", "--json", canonical)
    data = json.loads(result.stdout)
    assert result.code == ExitStatus.OK
    assert (data["status"], data["value"], data["quantity"]) == ("answered", 145, "trainable_parameters")
    assert [layer["params"] for layer in data["network"]["layers"]] == [60, 78, 7]
    assert 133 in [alt["value"] for alt in data["alternatives"]]
    assert result.stderr == ""


def test_cli_ask_plain_when_not_a_terminal(cli, canonical):
    result = cli("ask", canonical)
    assert result.code == ExitStatus.OK
    assert "18 + 36 + 6 = 60" in result.stdout
    assert "Answer: 145 trainable parameters" in result.stdout
    assert "\x1b[" not in result.stdout


def test_cli_ask_rich_on_a_terminal(cli, canonical):
    result = cli("ask", canonical, tty=True)
    assert result.code == ExitStatus.OK
    assert "\x1b[" in result.stdout
    assert "╭" in result.stdout and "145 trainable parameters" in result.stdout


def test_cli_ask_no_color_terminal_gets_plain(cli, canonical):
    result = cli("ask", canonical, tty=True, no_color=True)
    assert "\x1b[" not in result.stdout
    assert "Answer: 145 trainable parameters" in result.stdout


def test_cli_ask_markdown(cli, canonical):
    result = cli("ask", "--markdown", canonical)
    assert result.code == ExitStatus.OK
    assert "**Answer: 145 trainable parameters**" in result.stdout
    assert "| 1 | SimpleRNN (6) | (6,) | 54 | 6 | 60 | 60 |" in result.stdout


def test_cli_ask_reads_stdin(cli, canonical):
    result = cli("ask", "--json", "-", stdin=canonical.encode() + b"\n")
    assert result.code == ExitStatus.OK
    assert json.loads(result.stdout)["value"] == 145


def test_cli_ask_framework_option(cli):
    result = cli("ask", "--json", "--framework", "pytorch", LSTM)
    assert json.loads(result.stdout)["value"] == 680


def test_cli_ask_needs_clarification_exits_3(cli):
    result = cli("ask", NO_INPUT)
    assert result.code == ExitStatus.NOT_ANSWERED == 3
    assert "Needs clarification" in result.stdout
    assert "the size of the input" in result.stdout


def test_cli_ask_unsupported_exits_3(cli):
    result = cli("ask", "--json", FRANCE)
    assert result.code == ExitStatus.NOT_ANSWERED
    assert json.loads(result.stdout)["status"] == "unsupported"


@pytest.mark.parametrize("question, code", HOSTILE, ids=["empty", "blank", "markup", "escape", "negative"])
@pytest.mark.parametrize("tty", [False, True], ids=["pipe", "tty"])
def test_cli_ask_hostile_input_never_crashes(cli, question, code, tty):
    result = cli("ask", question, tty=tty)
    assert result.code == code
    assert "Traceback" not in result.stdout + result.stderr
    assert "Question:" in result.stdout


def test_cli_ask_strips_escape_sequences_from_question(cli):
    result = cli("ask", "--plain", "\x1b[31mred\x1b[0m how many parameters")
    assert "Question: [31mred[0m how many parameters" in result.stdout
    assert "\x1b" not in result.stdout


def test_cli_ask_rich_prints_markup_literally(cli):
    result = cli("ask", "[bold]x[/bold] [link=http://x]y[/link] parameters?", tty=True)
    assert "[bold]x[/bold] [link=http://x]y[/link] parameters?" in result.stdout
    assert "\x1b]8;" not in result.stdout          # no hyperlink escape was made from the text


def test_cli_ask_binary_stdin(cli):
    result = cli("ask", "-", stdin=b"\xff\xfe\x00\x1b[2J\x80 how many parameters?")
    assert result.code == ExitStatus.NOT_ANSWERED
    assert "\ufffd" in result.stdout and "\x1b" not in result.stdout
    assert "Traceback" not in result.stderr


def test_cli_ask_explain_comes_first(cli, canonical):
    result = cli("ask", "--explain", canonical)
    reader, question = result.stdout.index("Reader\n"), result.stdout.index("Question:")
    assert reader < question
    assert "KIND=SimpleRNN" in result.stdout[:question]
    assert "Quantity" in result.stdout[:question] and "trainable_parameters" in result.stdout[:question]


def test_cli_ask_explain_json_adds_extraction(cli, canonical):
    data = json.loads(cli("ask", "--json", "--explain", canonical).stdout)
    assert data["value"] == 145
    assert data["extraction"]["spec"]["input"] == [3]


def test_cli_internal_error_is_one_line(cli, monkeypatch, canonical):
    def boom(*args, **kwargs):
        raise RuntimeError("boom")
    monkeypatch.setattr("nlqa.answer.answer", boom)
    result = cli("ask", canonical)
    assert result.code == ExitStatus.ERROR
    assert result.stderr == "nlqa: internal error: RuntimeError: boom; rerun with --traceback\n"
    traced = cli("ask", "--traceback", canonical)
    assert traced.code == ExitStatus.ERROR
    assert "Traceback" in traced.stderr and "RuntimeError: boom" in traced.stderr


@pytest.mark.parametrize("argv, words", [
    ([], "choose a command"),
    (["ask"], "the following arguments are required: QUESTION"),
    (["ask", "--framework", "caffe", "q"], "invalid choice: 'caffe'"),
    (["ask", "--json", "--plain", "q"], "not allowed with argument"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
])
def test_cli_usage_errors_exit_2(cli, argv, words):
    result = cli(*argv)
    assert result.code == ExitStatus.USAGE
    assert words in result.stderr
    assert result.stdout == ""


def test_cli_version_and_help(cli):
    assert cli("--version").stdout.startswith("nlqa ")
    helped = cli("ask", "--help")
    assert helped.code == ExitStatus.OK
    assert "--explain" in helped.stdout


# -- batch ---------------------------------------------------------------------------------------



@pytest.fixture
def batch_file(tmp_path, canonical):
    lines = [
        json.dumps({"id": "good-1", "question": canonical, "category": "rnn", "expect": {"value": 145}}),
        json.dumps({"id": "good-2", "question": LSTM}),
        "",
        "{not json",
        json.dumps({"id": "num", "question": 42}),
        json.dumps({"question": NO_INPUT}),
        "   ",
        json.dumps({"id": "noq", "text": "where is the question?"}),
        json.dumps({"id": "good-4", "question": FRANCE}),
    ]
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


EXPECTED_BATCH = [("good-1", "answered", 145), ("good-2", "answered", 640), (4, "error", None),
                  ("num", "error", None), (6, "needs_clarification", None), ("noq", "error", None),
                  ("good-4", "unsupported", None)]


def test_cli_batch_one_line_per_input_line(cli, batch_file):
    result = cli("batch", str(batch_file))
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.code == ExitStatus.OK
    assert [(r["id"], r["status"], r["value"]) for r in rows] == EXPECTED_BATCH
    assert "not valid JSON" in rows[2]["message"]
    assert '"question" must be a string, not int' in rows[3]["message"]
    assert 'has no "question"' in rows[5]["message"]


def test_cli_batch_stdin_to_output_file(cli, batch_file, tmp_path):
    out = tmp_path / "answers.jsonl"
    result = cli("batch", "-", "-o", str(out), stdin=batch_file.read_bytes())
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (result.code, result.stdout) == (ExitStatus.OK, "")
    assert [(r["id"], r["status"], r["value"]) for r in rows] == EXPECTED_BATCH


def test_cli_batch_survives_an_exploding_line(cli, batch_file, monkeypatch):
    import nlqa.answer
    real = nlqa.answer.answer

    def flaky(question, framework=None, id=None):
        if id == "good-2":
            raise ValueError("kaput")
        return real(question, framework=framework, id=id)
    monkeypatch.setattr("nlqa.answer.answer", flaky)
    rows = [json.loads(line) for line in cli("batch", str(batch_file)).stdout.splitlines()]
    assert len(rows) == len(EXPECTED_BATCH)
    assert (rows[1]["id"], rows[1]["status"], rows[1]["message"]) == (
        "good-2", "error", "internal error: ValueError: kaput")


def test_cli_batch_missing_file_exits_2(cli, tmp_path):
    result = cli("batch", str(tmp_path / "nope.jsonl"))
    assert result.code == ExitStatus.USAGE
    assert "cannot open" in result.stderr and "No such file" in result.stderr


def test_cli_batch_refuses_to_overwrite_its_input(cli, batch_file):
    before = batch_file.read_bytes()
    result = cli("batch", str(batch_file), "-o", str(batch_file))
    assert result.code == ExitStatus.USAGE
    assert batch_file.read_bytes() == before


# -- eval ----------------------------------------------------------------------------------------

def test_cli_eval_scores_per_category(cli, tmp_path, canonical):
    corpus = [
        {"id": "r-ok", "question": canonical, "category": "rnn", "framework": "pytorch",
         "expect": {"status": "answered", "value": 145}},
        {"id": "r-wrong", "question": canonical, "category": "rnn", "expect": {"status": "answered", "value": 999}},
        {"id": "r-lstm", "question": LSTM, "category": "rnn", "expect": {"status": "answered", "value": 640}},
        {"id": "u-ok", "question": NO_INPUT, "category": "unanswerable",
         "expect": {"status": "needs_clarification", "value": None}},
        {"id": "u-other", "question": FRANCE, "category": "unanswerable",
         "expect": {"status": "needs_clarification", "value": None}},
        {"id": "no-expect", "question": LSTM},
    ]
    path = tmp_path / "corpus.jsonl"
    path.write_text("\n".join(json.dumps(c) for c in corpus) + "\n", encoding="utf-8")
    result = cli("eval", str(path))
    lines = result.stdout.splitlines()
    table = [line.split() for line in lines]
    assert result.code == ExitStatus.OK
    assert ["category", "correct", "accuracy", "wrong", "declined"] in table
    assert ["rnn", "2/3", "66.7%", "1", "0"] in table
    assert ["unanswerable", "1/2", "50.0%", "0", "1"] in table
    assert ["overall", "3/5", "60.0%", "1", "1"] in table
    assert "  r-wrong  expected 999 (answered), got 145 (answered)" in lines
    assert "  u-other  expected needs_clarification, got unsupported" in lines
    assert lines.index("Wrong (1):") < lines.index("Declined (1):")
    assert "skipped line 6" in result.stderr


# -- real processes ------------------------------------------------------------------------------

def test_cli_subprocess_ask_json(canonical):
    proc = subprocess_nlqa("ask", "--json", canonical)
    data = json.loads(proc.stdout)
    assert proc.returncode == 0
    assert (data["value"], [l["params"] for l in data["network"]["layers"]]) == (145, [60, 78, 7])


def test_cli_subprocess_ask_stdin_plain(canonical):
    proc = subprocess_nlqa("ask", "-", stdin=canonical.encode())
    assert proc.returncode == 0
    assert "18 + 36 + 6 = 60" in proc.stdout.decode() and "145" in proc.stdout.decode()


@pytest.mark.parametrize("args, stdin", [
    (["ask", "-"], b"\xff\xfe\x00\x1b[2J binary \x80\x81"),
    (["ask", "A dense layer with -5 neurons and 3 inputs: parameters?"], b""),
    (["ask", FRANCE], b""),
], ids=["binary-stdin", "negative", "france"])
def test_cli_subprocess_not_answered_exits_3(args, stdin):
    proc = subprocess_nlqa(*args, stdin=stdin)
    assert proc.returncode == 3
    assert b"Traceback" not in proc.stdout + proc.stderr
    assert b"\x1b" not in proc.stdout


def test_cli_subprocess_batch_stdin(batch_file):
    proc = subprocess_nlqa("batch", "-", stdin=batch_file.read_bytes())
    rows = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert proc.returncode == 0
    assert [(r["id"], r["status"], r["value"]) for r in rows] == EXPECTED_BATCH


# -- what a newcomer trips over (issue 12) ---------------------------------------------------------

from conftest import CANONICAL  # noqa: E402

class ClosedPipe:
    """A stdout whose reader went away after ``room`` characters (like ``| head -1``)."""

    def __init__(self, room: int):
        self.room, self.written = room, ""

    def write(self, text: str) -> int:
        if len(self.written) + len(text) > self.room:
            raise BrokenPipeError(32, "Broken pipe")
        self.written += text
        return len(text)

    def flush(self) -> None:
        pass

    def isatty(self) -> bool:
        return False


@pytest.mark.parametrize("argv, stdin", [
    (["ask", "--plain", CANONICAL], b""),
    (["batch", "-", "--jobs", "1"], b"".join(b'{"id": %d, "question": "A dense layer with 10 inputs and %d '
                                             b'units. Parameters?"}\n' % (i, i) for i in range(1, 40))),
], ids=["ask", "batch"])
def test_cli_closed_pipe_ends_quietly_with_sigpipe_status(argv, stdin):
    import io
    from nlqa.cli.env import Env
    from nlqa.cli.main import main
    env = Env(stdin=io.BytesIO(stdin), stdout=ClosedPipe(100), stderr=io.StringIO(), environ={},
              stdin_isatty=False, stdout_isatty=False, no_color=True)
    code = main(argv, env=env)
    assert (code, env.stderr.getvalue()) == (ExitStatus.BROKEN_PIPE, "")
    assert code == 141


def test_cli_subprocess_batch_into_head_exits_141(tmp_path):
    lines = "".join(json.dumps({"id": i, "question": f"A dense layer with 10 inputs and {i} units. Parameters?"})
                    + "\n" for i in range(1, 400))
    path = tmp_path / "q.jsonl"
    path.write_text(lines)
    proc = subprocess.run(f"{sys.executable} -m nlqa batch {path} --jobs 1 | head -1; "
                          f"echo \"status=${{PIPESTATUS[0]}}\"", shell=True, executable="/bin/bash",
                          capture_output=True, timeout=120)
    out = proc.stdout.decode()
    assert json.loads(out.splitlines()[0])["id"] == 1
    assert out.splitlines()[-1] == "status=141"
    assert proc.stderr == b""


@pytest.mark.parametrize("line, words", [
    ('{"id": 1, "question": "unterminated', 'a string is not closed: the line ends before its closing double quote'),
    ('{"id": 1, "question": "x"', "a closing } or ] is missing"),
    ("{'id': 1, 'question': 'x'}", "a key is not in double quotes"),
    ('{"id": 1 "question": "x"}', "a comma is missing at column 10"),
    ('{"question": "x"} {"question": "y"}', "more after the JSON object, at column 19"),
])
def test_cli_batch_bad_json_line_in_user_terms(cli, line, words):
    result = cli("batch", "-", stdin=(line + "\n").encode())
    row = json.loads(result.stdout)
    assert (row["status"], result.code) == ("error", ExitStatus.OK)
    assert row["message"].startswith("line 1 is not valid JSON: ") and words in row["message"]
    assert "char " not in row["message"] and "Invalid control character" not in row["message"]


def test_cli_ask_existing_file_reads_it(cli, tmp_path):
    path = tmp_path / "q.txt"
    path.write_text("A dense layer with 10 inputs and 5 units. How many parameters?\n")
    result = cli("ask", "--json", str(path))
    assert (result.code, json.loads(result.stdout)["value"]) == (ExitStatus.OK, 55)
    assert f"nlqa ask - < {path}" in result.stderr
    assert cli("ask", "--json", str(tmp_path / "absent.txt")).code == ExitStatus.NOT_ANSWERED


@pytest.mark.parametrize("argv, usage", [
    (["ask", "q", "--frobnicate"], "usage: nlqa ask "),
    (["ask", "--frobnicate", "q"], "usage: nlqa ask "),
    (["batch", "f.jsonl", "--frobnicate"], "usage: nlqa batch "),
    (["chat", "--frobnicate"], "usage: nlqa chat "),
])
def test_cli_unknown_option_shows_the_subcommands_usage(cli, argv, usage):
    result = cli(*argv)
    assert result.code == ExitStatus.USAGE
    assert result.stderr.startswith(usage)
    assert "unrecognized arguments: --frobnicate" in result.stderr


def test_cli_ask_binary_input_echoes_at_most_one_line(cli):
    import random
    data = bytes(random.Random(12).randrange(256) for _ in range(34_000))
    result = cli("ask", "--plain", "-", stdin=data)
    echo = result.stdout.split("\n\n")[0]
    assert result.code == ExitStatus.NOT_ANSWERED
    assert echo.count("\n") == 0 and len(echo) < 200
    assert "characters of binary input; not shown" in echo
    assert len(result.stdout) < 1_000


def test_cli_ask_markdown_keeps_pasted_code_fenced(cli):
    question = "How many parameters?\n\nmodel = nn.Sequential(\n    nn.Linear(10, 5),\n    nn.Linear(5, 1),\n)"
    out = cli("ask", "--markdown", "-", stdin=question).stdout
    assert out.startswith("**Question:**\n\n```text\nHow many parameters?\n\nmodel = nn.Sequential(\n"
                          "    nn.Linear(10, 5),\n    nn.Linear(5, 1),\n)\n```\n")
