"""Issue 14, hostile use of batch, ask and chat: inputs read once, resume that refuses another
input, bounded reads, terminal-safe chat, spreadsheet-safe CSV, strict JSON, I/O error messages.

Each test runs the CLI in-process (``main(argv, env)``) on the inputs that broke it, except the
process-table test, which needs a real ``nlqa batch`` process to signal.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import threading
import tracemalloc

import pytest

from nlqa.batchio import read_items
from nlqa.cli.env import Env
from nlqa.cli.main import main
from nlqa.cli.status import ExitStatus

DENSE = "A dense layer with 10 inputs and 5 units: parameters?"
# what must never reach a terminal from the user's text: ESC (CSI, OSC 8/0/52), C1 CSI, BEL, CR, BS, bidi
FORBIDDEN = ("\x1b", "\x9b", "\x07", "\r", "\x08", "\u202e", "\u2066", "\u200f")
ESCAPES = "\x1b]52;c;eA==\x07\x1b[2J\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\\x1b]0;title\x07\x9b31m\r\b\u202e"


class TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def run(*argv: str, stdin: bytes = b"", stderr=None, tty: bool = False, stdin_stream=None):
    env = Env(stdin=stdin_stream or io.BytesIO(stdin), stdout=io.StringIO(), stderr=stderr or io.StringIO(),
              environ={}, stdin_isatty=False, stdout_isatty=tty, no_color=False, width=100)
    code = main(list(argv), env=env)
    return code, env.stdout.getvalue(), env.stderr.getvalue()


# -- 1. a pipe is read once, also with a progress bar -------------------------------------------

def test_hostile_io_fifo_input_read_once_with_progress_bar(tmp_path):
    fifo = tmp_path / "in.fifo"
    os.mkfifo(fifo)
    lines = [json.dumps({"id": i, "question": ""}) for i in range(1, 301)]

    def feed():
        with open(fifo, "w", encoding="utf-8") as handle:
            handle.write("\n".join(lines) + "\n")
    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    out = tmp_path / "out.jsonl"
    code, _, stderr = run("batch", str(fifo), "-o", str(out), "--jobs", "1", "--chunk-size", "4", stderr=TTY())
    writer.join(10)
    ids = [json.loads(line)["id"] for line in out.read_text(encoding="utf-8").splitlines()]
    assert code == ExitStatus.OK
    assert ids == list(range(1, 301))
    assert "300 questions" in stderr


# -- 7. ask - reads at most the limit ------------------------------------------------------------

def test_hostile_io_ask_stdin_reads_at_most_the_limit():
    stream = io.BytesIO(b"x" * 5_000_000)
    code, stdout, _ = run("ask", "-", stdin_stream=stream)
    assert code == ExitStatus.NOT_ANSWERED
    assert "more than 200,000 characters long" in stdout
    assert stream.tell() < 1_000_000


def test_hostile_io_ask_stdin_trailing_blank_lines_do_not_count():
    code, stdout, _ = run("ask", "--json", "-", stdin=(DENSE + "\n" * 3000).encode())
    assert (code, json.loads(stdout)["value"]) == (ExitStatus.OK, 55)


# -- 8. sniffing stdin keeps no list of blank lines ----------------------------------------------

def test_hostile_io_sniff_many_blank_lines_flat_memory():
    data = b"\n" * 200_000 + json.dumps({"question": ""}).encode() + b"\n"
    tracemalloc.start()
    items = list(read_items(io.BytesIO(data), None))
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [item.id for item in items] == [200_001]
    assert peak < 1_000_000


def test_hostile_io_batch_stdin_blank_lines_then_text():
    code, stdout, _ = run("batch", "-", stdin=b"\n" * 5000 + DENSE.encode() + b"\n\n" + DENSE.encode() + b"\n")
    answers = [json.loads(line) for line in stdout.splitlines()]
    assert code == ExitStatus.OK
    assert [(a["id"], a["value"]) for a in answers] == [(1, 55), (2, 55)]


# -- 10. a history file that is a FIFO -----------------------------------------------------------

def test_hostile_io_chat_history_fifo_does_not_block(tmp_path):
    path = tmp_path / "history"
    os.mkfifo(path)
    script = ("import io, sys\nfrom nlqa.cli.chat import History\nfrom nlqa.cli.env import Env\n"
              "env = Env(stdin=io.BytesIO(), stdout=io.StringIO(), stderr=sys.stderr, environ={})\n"
              f"history = History(__import__('pathlib').Path({str(path)!r}), env)\n"
              "history.add('a question')\nprint(history.path)\n")
    try:     # readline holds the GIL while it opens the file: only a separate process can time out
        done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("opening a FIFO as the history blocked")
    assert done.returncode == 0 and done.stdout == "None\n"
    assert "is not a regular file" in done.stderr


# -- 3. chat is terminal-safe; CSV cells are not formulas ----------------------------------------

@pytest.mark.parametrize("form, tty", [("--plain", False), (None, True)])
def test_hostile_io_chat_echo_and_notes_are_cleaned(form, tty):
    script = f"{ESCAPES}{DENSE}\n/{ESCAPES}nonsense\n{ESCAPES}what if\u202ethey were LSTMs?\n"
    code, stdout, stderr = run("chat", *([form] if form else []), stdin=script.encode(), tty=tty)
    assert code == ExitStatus.OK
    assert "55" in stdout
    control = [c for c in FORBIDDEN if c in stdout or c in stderr]
    if tty:             # the rich console writes its own styling escapes; look at what the user wrote
        control = [c for c in FORBIDDEN if c != "\x1b" and (c in stdout or c in stderr)]
        assert "\x1b]" not in stdout and "\x1b[2J" not in stdout
    assert control == []
    assert "Unknown command" in stdout or "unknown command" in stdout.lower()


def test_hostile_io_csv_cells_are_not_formulas(tmp_path):
    source = tmp_path / "q.csv"
    with open(source, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "question"])
        writer.writerows([["=1+1", "=HYPERLINK(\"http://x\")"], ["-5", "+cmd|' /C calc'!A0"],
                          ["@SUM(1)", "@SUM(A1:A2) " + DENSE], ["ok", "-2+3"]])
    out = tmp_path / "a.csv"
    code, _, _ = run("batch", str(source), "-o", str(out))
    rows = list(csv.DictReader(io.StringIO(out.read_text(encoding="utf-8"))))
    assert code == ExitStatus.OK
    assert [r["id"] for r in rows] == ["'=1+1", "-5", "'@SUM(1)", "ok"]
    assert [r["question"][:2] for r in rows] == ["'=", "'+", "'@", "'-"]
    assert all(not cell.startswith(("=", "+", "@")) for r in rows for cell in r.values())
