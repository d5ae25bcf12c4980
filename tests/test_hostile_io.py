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


# -- 2. --resume against another input -----------------------------------------------------------

@pytest.mark.parametrize("suffix, write", [
    (".txt", lambda qs: "\n\n".join(qs) + "\n"),
    (".jsonl", lambda qs: "".join(json.dumps({"question": q}) + "\n" for q in qs)),
    (".csv", lambda qs: "question\n" + "".join(f'"{q}"\n' for q in qs)),
])
def test_hostile_io_resume_refuses_another_input_without_ids(tmp_path, suffix, write):
    first = [f"A dense layer with {n} inputs and 2 units: parameters?" for n in range(1, 7)]
    other = [f"A dense layer with {n} inputs and 3 units: parameters?" for n in range(1, 7)]
    a, b = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
    a.write_text(write(first), encoding="utf-8")
    b.write_text(write(first[:2] + other[2:]), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert run("batch", str(a), "-o", str(out), "--jobs", "1")[0] == ExitStatus.OK
    whole = out.read_bytes()
    out.write_bytes(b"".join(whole.splitlines(keepends=True)[:4]))     # as if killed after 4 answers
    code, _, stderr = run("batch", str(b), "-o", str(out), "--resume", "--jobs", "1")
    assert code == ExitStatus.USAGE
    assert f"question 3 of {b} is not the one answered on line 3 of {out}, which was written from {a}" in stderr
    assert out.read_bytes() == b"".join(whole.splitlines(keepends=True)[:4])     # nothing mixed in
    code, _, _ = run("batch", str(a), "-o", str(out), "--resume", "--jobs", "1")
    assert (code, out.read_bytes()) == (ExitStatus.OK, whole)                  # the right input resumes


# -- 13. a full disk ------------------------------------------------------------------------------

@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")
@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_hostile_io_disk_full_names_the_file(tmp_path, fmt):
    source = tmp_path / "q.txt"
    source.write_text(DENSE + "\n", encoding="utf-8")
    code, _, stderr = run("batch", str(source), "-o", "/dev/full", "--format", fmt)
    assert code == ExitStatus.USAGE
    assert "cannot write /dev/full: No space left on device" in stderr
    assert "--resume -o /dev/full" in stderr and "internal error" not in stderr


# -- 14. strict JSON ids; 15. distinct generated ids -------------------------------------------------

def test_hostile_io_non_finite_ids_are_strings_in_strict_json():
    lines = ['{"id": NaN, "question": ""}', '{"id": 1e400, "question": ""}', '{"id": -Infinity, "question": ""}',
             '{"id": 2.5, "question": ""}']
    code, stdout, _ = run("batch", "-", stdin=("\n".join(lines) + "\n").encode())
    strict = [json.loads(line, parse_constant=lambda c: pytest.fail(f"bare {c} in the output"))
              for line in stdout.splitlines()]
    assert code == ExitStatus.OK
    assert [a["id"] for a in strict] == ["NaN", "1e400", "-Infinity", 2.5]


def test_hostile_io_csv_generated_ids_never_repeat_explicit_ones(tmp_path):
    source = tmp_path / "q.csv"
    source.write_text("id,question\nrow 4,q one\n,q two\n2,q three\n,q four\n", encoding="utf-8")
    code, stdout, _ = run("batch", str(source))
    ids = [json.loads(line)["id"] for line in stdout.splitlines()]
    assert code == ExitStatus.OK
    assert ids == ["row 4", "row 2", "2", "row 4~2"]


# -- 5, 6, 16. bounds of the readers ----------------------------------------------------------------

def test_hostile_io_list_building_script_memory_is_bounded():
    script = ("s = [0]*5000\nt = [s + s for _ in s]\nu = [t + t for _ in t]\n"
              "model = nn.Sequential(nn.Linear(4, 4))\nHow many parameters does model have?")
    from nlqa.answer import answer
    answer("How many parameters does nn.Linear(4, 4) have?")        # the reader is built first
    tracemalloc.start()
    result = answer(script)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert result.status == "unsupported"
    assert "more than 1,000,000 elements in all" in result.message
    assert peak < 100_000_000


@pytest.mark.parametrize("question, words", [
    ("How many parameters does nn.Linear(" + "7" * 5000 + ", 2) have?", "the 5,000-digit number 777777…7777"),
    ("A dense layer with " + "1" * 101 + " inputs and 2 units: parameters?", "the 101-digit number 111111…1111"),
    ("model = nn.Sequential(nn.Linear(4, " + "9" * 4400 + "))\nHow many parameters?", "4,400-digit number"),
    ("A dense layer with 10**400 inputs and 5 units. Parameters?", "in place of 10**400 (a 401-digit number"),
    ("A dense layer with 10^400 inputs and 5 units. Parameters?", "in place of 10^400 (a 401-digit number"),
])
def test_hostile_io_out_of_range_literals_are_refused_by_name(question, words):
    code, stdout, stderr = run("ask", "--plain", question)
    assert code == ExitStatus.NOT_ANSWERED and "internal error" not in stderr
    assert words in stdout and "nlqa reads sizes of up to 100 digits" in stdout


# -- 9. workers die with their parent ------------------------------------------------------------

def _children(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdecimal():
            try:
                with open(f"/proc/{entry}/stat", encoding="utf-8") as handle:
                    fields = handle.read().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as handle:
            return handle.read().rsplit(")", 1)[1].split()[0] not in ("Z", "X")
    except OSError:
        return False


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the Linux process table")
@pytest.mark.parametrize("signum", ["SIGTERM", "SIGHUP", "SIGKILL"])
def test_hostile_io_jobs_2_killed_leaves_no_process_behind(tmp_path, signum):
    import signal
    import time
    source = tmp_path / "q.jsonl"
    source.write_text("".join(json.dumps({"question": f"A dense layer with {n % 50 + 1} inputs and 3 units: "
                                                      "parameters?"}) + "\n" for n in range(20_000)), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    process = subprocess.Popen([sys.executable, "-m", "nlqa", "batch", str(source), "-o", str(out), "--jobs", "2"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    workers: list[int] = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (len(workers) < 2 or not out.exists() or out.stat().st_size == 0):
        workers = _children(process.pid)
        time.sleep(0.2)
    assert len(workers) >= 2, "the pool did not start"
    process.send_signal(getattr(signal, signum))
    process.wait(60)
    stderr = process.stderr.read().decode()
    process.stderr.close()
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and any(_alive(w) for w in workers):
        time.sleep(0.2)
    assert [w for w in workers if _alive(w)] == []
    if signum != "SIGKILL":
        assert process.returncode == 128 + getattr(signal, signum)
        assert "continue with --resume" in stderr
        assert all(line.endswith("}") for line in out.read_text(encoding="utf-8").splitlines())


# -- 11, 12. piped chat and batch - answer each line as it arrives ---------------------------------

def _coprocess(argv: list[str], lines: list[str]) -> list[str]:
    """Write one line, wait for its answer (60 s at most), then the next: a deadlock fails the test."""
    import select
    process = subprocess.Popen([sys.executable, "-m", "nlqa", *argv], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    replies = []
    try:
        for line in lines:
            process.stdin.write((line + "\n").encode())
            process.stdin.flush()
            ready, _, _ = select.select([process.stdout], [], [], 60)
            if not ready:
                break
            replies.append(process.stdout.readline().decode())
    finally:
        process.stdin.close()
        process.wait(60)
        process.stdout.close()
    return replies


@pytest.mark.parametrize("argv, lines", [
    (["chat", "--json"], [DENSE, "what if it had 6 units?"]),
    (["batch", "-", "--input-format", "jsonl", "--jobs", "2"],
     [json.dumps({"id": n, "question": f"A dense layer with {n} inputs and 5 units: parameters?"}) for n in (10, 3)]),
    (["batch", "-"], [f"A dense layer with {n} inputs and 5 units: parameters?\n" for n in (10, 3)]),
])
def test_hostile_io_piped_answers_stream_to_a_coprocess(argv, lines):
    replies = _coprocess(argv, lines)
    assert [json.loads(reply)["value"] for reply in replies] == [55, 66 if argv[0] == "chat" else 20]


def test_hostile_io_batch_stdin_pipe_left_open_stops_cleanly_on_sigterm(tmp_path):
    import signal
    import time
    out = tmp_path / "out.jsonl"
    process = subprocess.Popen([sys.executable, "-m", "nlqa", "batch", "-", "-o", str(out)], stdin=subprocess.PIPE,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    process.stdin.write(b"".join(json.dumps({"question": DENSE}).encode() + b"\n" for _ in range(3)))
    process.stdin.flush()                        # the pipe stays open: the reading thread waits in read()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and (not out.exists() or out.read_text(encoding="utf-8").count("\n") < 3):
        time.sleep(0.2)
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(60)
    except subprocess.TimeoutExpired:
        process.kill()
        pytest.fail("batch - did not stop on SIGTERM")
    stderr = process.stderr.read().decode()
    process.stdin.close()
    process.stderr.close()
    assert process.returncode == 128 + signal.SIGTERM
    assert "Fatal Python error" not in stderr and "stopped by signal 15 after 3 answers" in stderr


class Full(io.StringIO):
    def write(self, text: str) -> int:
        import errno
        raise OSError(errno.ENOSPC, "No space left on device")


@pytest.mark.parametrize("argv", [["ask", "--plain", DENSE], ["chat", "--plain"], ["batch", "-"]])
def test_hostile_io_full_stdout_is_a_plain_message(argv):
    env = Env(stdin=io.BytesIO((DENSE + "\n").encode()), stdout=Full(), stderr=io.StringIO(), environ={},
              stdin_isatty=False, stdout_isatty=False, no_color=True, width=100)
    code = main(argv, env=env)
    assert code == ExitStatus.USAGE
    assert "cannot write stdout: No space left on device" in env.stderr.getvalue()
    assert "internal error" not in env.stderr.getvalue()
