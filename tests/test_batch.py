"""``nlqa batch``: inputs, outputs, ordering, parallel workers, resume and Ctrl-C, the Dask engine.

The big cases share one 2,000-line JSON Lines file with broken lines (``big``) and its answers from
an uninterrupted ``--jobs 1`` run (``reference``); every other run of that file is compared with
the reference byte for byte.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest

from nlqa.cli.env import Env
from nlqa.cli.main import main
from nlqa.cli.status import ExitStatus

TEMPLATES = (
    "A dense layer with {a} inputs and {b} units. How many parameters?",
    "A neural network has {n} recurrent layers of {b} neurons each. If the input is of size ({a},1) and the "
    "output is a scalar (dense layer), find the number of trainable parameters.",
    "How many parameters does nn.LSTM(input_size={a}, hidden_size={b}) have?",
    "A Conv2D layer with {b} filters of size 3x3 on {a}x{a} RGB images: how many parameters?",
    "A GRU layer with {b} units takes {a}-dimensional inputs. Parameters?",
    "An MLP {a}-{b}-{n}: how many weights, not counting biases?",
    "model = keras.Sequential([layers.Input(shape=({a},)), layers.Dense({b}), layers.Dense({n})])\n"
    "How many trainable parameters?",
    "A model has {n} LSTM layers with {b} units each followed by a dense output layer. How many parameters?",
    "What is the capital of France?",
)
BIG_LINES = 2000
# line number (1-based) -> (the line, the id expected in its answer, words its error message has)
BROKEN = {
    7: ("{not json", 7, "not valid JSON"),
    250: (json.dumps({"id": "no-q", "text": "where is the question?"}), "no-q", 'has no "question"'),
    500: (json.dumps({"id": "num", "question": 42}), "num", '"question" must be a string, not int'),
    750: (json.dumps({"id": "huge", "question": "A dense layer with 10 inputs. " * 3400}), "huge",
          "characters long; nlqa batch reads questions up to 20,000"),
    1000: ("[1, 2, 3]", 1000, "not a JSON object"),
    1999: (json.dumps({"question": None}), 1999, '"question" must be a string, not NoneType'),
}


def question(rng: random.Random) -> str:
    return rng.choice(TEMPLATES).format(a=rng.randint(1, 64), b=rng.randint(1, 128), n=rng.randint(1, 4))


def run_batch(*argv: str, stdin: bytes = b"", stderr=None) -> tuple[int, str, str]:
    """``nlqa batch ARGV`` in-process: (exit code, stdout, stderr)."""
    env = Env(stdin=io.BytesIO(stdin), stdout=io.StringIO(), stderr=stderr or io.StringIO(), environ={},
              stdin_isatty=False, stdout_isatty=False, no_color=True, width=100)
    code = main(["batch", *argv], env=env)
    return code, env.stdout.getvalue(), env.stderr.getvalue()


@pytest.fixture(scope="module")
def big(tmp_path_factory):
    rng = random.Random(5)
    lines = []
    for number in range(1, BIG_LINES + 1):
        if number in BROKEN:
            lines.append(BROKEN[number][0])
        elif number % 97 == 0:
            lines.append(json.dumps({"question": question(rng), "category": "no id"}))
        else:
            lines.append(json.dumps({"id": f"q-{number}", "question": question(rng), "expect": {"value": 1}}))
    path = tmp_path_factory.mktemp("big") / "questions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def reference(big, tmp_path_factory) -> bytes:
    """The answers of an uninterrupted ``--jobs 1`` run over ``big``."""
    out = tmp_path_factory.mktemp("ref") / "answers.jsonl"
    code, stdout, stderr = run_batch(str(big), "-o", str(out), "--jobs", "1")
    assert (code, stdout) == (ExitStatus.OK, "")
    return out.read_bytes()


def expected_id(number: int):
    if number in BROKEN:
        return BROKEN[number][1]
    return number if number % 97 == 0 else f"q-{number}"


def test_batch_one_line_per_input_line_in_order_with_errors(reference):
    rows = [json.loads(line) for line in reference.decode("utf-8").split("\n")[:-1]]
    assert len(rows) == BIG_LINES
    assert [r["id"] for r in rows] == [expected_id(n) for n in range(1, BIG_LINES + 1)]
    for number, (_, id_, words) in BROKEN.items():
        row = rows[number - 1]
        assert (row["id"], row["status"], row["value"]) == (id_, "error", None)
        assert words in row["message"]
    others = [r for n, r in enumerate(rows, 1) if n not in BROKEN]
    assert {r["status"] for r in others} <= {"answered", "needs_clarification", "unsupported"}
    assert sum(r["status"] == "answered" for r in others) > BIG_LINES // 2
    assert len(rows[750 - 1]["question"]) < 1000              # the 100 kB question is not echoed back


def test_batch_jobs_2_byte_identical_to_jobs_1(big, reference, tmp_path):
    out = tmp_path / "answers.jsonl"
    code, _, stderr = run_batch(str(big), "-o", str(out), "--jobs", "2")
    assert code == ExitStatus.OK
    assert out.read_bytes() == reference
    assert f"nlqa batch: {BIG_LINES:,} questions in" in stderr and f"{len(BROKEN)} errors" in stderr


def test_batch_resume_after_partial_last_line_is_byte_identical(big, reference, tmp_path):
    out = tmp_path / "answers.jsonl"
    cut = len(reference) * 2 // 5
    assert reference[cut - 1:cut] != b"\n"                     # the kept part ends inside a line
    out.write_bytes(reference[:cut])
    kept = reference[:cut].count(b"\n")
    code, _, stderr = run_batch(str(big), "-o", str(out), "--resume", "--jobs", "2")
    assert code == ExitStatus.OK
    assert out.read_bytes() == reference
    assert f"nlqa batch: {BIG_LINES - kept:,} questions" in stderr
    assert f"{kept:,} answered before, kept in {out}" in stderr


def test_batch_sigint_leaves_whole_lines_then_resume_completes(big, reference, tmp_path):
    out = tmp_path / "answers.jsonl"
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.Popen([sys.executable, "-m", "nlqa.cli.main", "batch", str(big), "-o", str(out), "--jobs", "2"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not out.exists() or out.stat().st_size < 20_000):
        time.sleep(0.05)
    time.sleep(0.3)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=60)
    data = out.read_bytes()
    lines = data.decode("utf-8").split("\n")
    assert proc.returncode == ExitStatus.INTERRUPTED, stderr.decode()
    assert b"interrupted after" in stderr and b"--resume" in stderr and b"Traceback" not in stderr
    assert data.endswith(b"\n") and lines[-1] == ""
    assert 0 < len(lines) - 1 < BIG_LINES
    assert [json.loads(line)["id"] for line in lines[:-1]] == [expected_id(n) for n in range(1, len(lines))]
    code, _, _ = run_batch(str(big), "-o", str(out), "--resume", "--jobs", "2")
    assert code == ExitStatus.OK
    assert out.read_bytes() == reference


def test_batch_resume_of_a_finished_file_changes_nothing(big, reference, tmp_path):
    out = tmp_path / "answers.jsonl"
    out.write_bytes(reference)
    code, _, stderr = run_batch(str(big), "-o", str(out), "--resume")
    assert code == ExitStatus.OK
    assert out.read_bytes() == reference
    assert f"nlqa batch: 0 questions in" in stderr and f"{BIG_LINES:,} answered before" in stderr


def test_batch_resume_refuses_another_inputs_output(tmp_path):
    source = tmp_path / "q.jsonl"
    source.write_text(json.dumps({"id": "a", "question": "A dense layer with 3 inputs and 2 units. Parameters?"})
                      + "\n", encoding="utf-8")
    out = tmp_path / "answers.jsonl"
    out.write_text('{"id": "zzz", "status": "answered"}\n{"id": "partial', encoding="utf-8")
    code, _, stderr = run_batch(str(source), "-o", str(out), "--resume")
    assert code == ExitStatus.USAGE
    assert 'has id "zzz" but question 1 of the input has id "a"' in stderr
    assert out.read_text(encoding="utf-8") == '{"id": "zzz", "status": "answered"}\n'
    not_ours = tmp_path / "notes.txt"
    not_ours.write_text("my notes\nunfinished", encoding="utf-8")
    code, _, stderr = run_batch(str(source), "-o", str(not_ours), "--resume")
    assert code == ExitStatus.USAGE and "is not a jsonl output of nlqa batch" in stderr
    assert not_ours.read_text(encoding="utf-8") == "my notes\nunfinished"
    code, _, stderr = run_batch(str(source), "--resume")
    assert (code, "--resume continues an output file" in stderr) == (ExitStatus.USAGE, True)


def test_batch_worker_crash_and_exception_cost_one_line_each(tmp_path, monkeypatch):
    import multiprocessing
    if "fork" not in multiprocessing.get_all_start_methods() or not sys.platform.startswith("linux"):
        pytest.skip("the patched answer reaches the workers only when they are forked")
    import nlqa.answer
    real, parent = nlqa.answer.answer, os.getpid()

    def flaky(text, framework=None, id=None):
        if id == "die" and os.getpid() != parent:
            os._exit(7)
        if id == "raise":
            raise ValueError("kaput")
        return real(text, framework=framework, id=id)
    monkeypatch.setattr("nlqa.answer.answer", flaky)
    ids = [f"q{i}" for i in range(24)]
    ids[5], ids[17] = "die", "raise"
    source = tmp_path / "q.jsonl"
    source.write_text("".join(json.dumps({"id": i, "question": "A dense layer with 4 inputs and 3 units. "
                                          "How many parameters?"}) + "\n" for i in ids), encoding="utf-8")
    code, stdout, _ = run_batch(str(source), "--jobs", "2", "--chunk-size", "4")
    rows = [json.loads(line) for line in stdout.splitlines()]
    assert code == ExitStatus.OK
    assert [r["id"] for r in rows] == ids
    assert [(r["status"], r["value"]) for i, r in enumerate(rows) if i not in (5, 17)] == [("answered", 15)] * 22
    assert rows[5]["status"] == "error" and "worker process died" in rows[5]["message"]
    assert (rows[17]["status"], rows[17]["message"]) == ("error", "internal error: ValueError: kaput")


# -- input formats -------------------------------------------------------------------------------

DENSE = "A dense layer with 10 inputs and 5 units. How many parameters?"
GRU = "A GRU layer with 20 units takes 10-dimensional inputs. Parameters?"


def test_batch_csv_input_with_column_and_ids(tmp_path):
    source = tmp_path / "q.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "text", "extra"])
        writer.writerows([["c1", DENSE, "x"], ["", GRU, ""], ["", "", ""], ["c4", "", "y"], ["c5", "x" * 30_000, ""]])
    code, stdout, _ = run_batch(str(source), "--column", "text")
    rows = [json.loads(line) for line in stdout.splitlines()]
    assert code == ExitStatus.OK
    assert [(r["id"], r["status"], r["value"]) for r in rows] == [
        ("c1", "answered", 55), ("row 2", "answered", 1860), ("c4", "error", None), ("c5", "error", None)]
    assert rows[2]["message"] == "row 4 has no question in column 'text'"
    assert "30,000 characters long" in rows[3]["message"]
    code, _, stderr = run_batch(str(source))
    assert code == ExitStatus.USAGE
    assert "the CSV header has no column 'question' (columns: 'id', 'text', 'extra')" in stderr


def test_batch_text_input_blocks_from_stdin(tmp_path):
    text = (f"{DENSE}\n\n\n   \nmodel = keras.Sequential([\n    layers.Input(shape=(3,)),\n    layers.Dense(4),\n])\n"
            f"How many parameters?\n\n{GRU}\n")
    code, stdout, _ = run_batch("-", stdin=text.encode())          # stdin: sniffed as text
    rows = [json.loads(line) for line in stdout.splitlines()]
    assert code == ExitStatus.OK
    assert [(r["id"], r["value"]) for r in rows] == [(1, 55), (2, 16), (3, 1860)]
    assert rows[1]["question"].startswith("model = keras.Sequential([\n    layers.Input")
    path = tmp_path / "q.txt"
    path.write_text(text, encoding="utf-8")
    assert run_batch(str(path))[1] == stdout


# -- output formats ------------------------------------------------------------------------------

def small_input(tmp_path):
    path = tmp_path / "q.jsonl"
    lines = [{"id": "d", "question": DENSE}, {"id": "pipe|id", "question": "What is the capital | of France?"},
             {"id": "g", "question": GRU}, {"question": 3}]
    path.write_text("".join(json.dumps(line) + "\n" for line in lines), encoding="utf-8")
    return path


def test_batch_csv_output(tmp_path):
    out = tmp_path / "answers.csv"
    code, stdout, _ = run_batch(str(small_input(tmp_path)), "-o", str(out))    # format from the extension
    rows = list(csv.DictReader(out.open(newline="", encoding="utf-8")))
    assert (code, stdout) == (ExitStatus.OK, "")
    assert [(r["id"], r["status"], r["value"], r["answer"]) for r in rows] == [
        ("d", "answered", "55", "55 parameters"), ("pipe|id", "unsupported", "", ""),
        ("g", "answered", "1860", "1,860 parameters"), ("4", "error", "", "")]
    assert rows[0]["quantity"] == "total_parameters" and "biases" in rows[0]["assumptions"]
    assert len(out.read_text(encoding="utf-8").splitlines()) == 5


def test_batch_markdown_output(tmp_path):
    code, stdout, _ = run_batch(str(small_input(tmp_path)), "--format", "markdown")
    lines = stdout.splitlines()
    assert code == ExitStatus.OK
    assert lines[:2] == ["| id | status | answer | question | note |", "|---|---|---|---|---|"]
    assert lines[2] == f"| d | answered | 55 parameters | {DENSE} |  |"
    assert lines[3].startswith("| pipe\\|id | unsupported | — | What is the capital \\| of France? | nlqa cannot")
    assert lines[4].startswith("| g | answered | 1,860 parameters |")
    assert lines[5].startswith('| 4 | error | — |  | line 4: "question" must be a string')
    assert len(lines) == 6


@pytest.mark.parametrize("fmt, cut", [("csv", 20), ("csv", 200), ("markdown", 30), ("markdown", 150)])
def test_batch_resume_csv_and_markdown(tmp_path, fmt, cut):
    source = small_input(tmp_path)
    full, partial = tmp_path / "full.out", tmp_path / "partial.out"
    assert run_batch(str(source), "-o", str(full), "--format", fmt)[0] == ExitStatus.OK
    partial.write_bytes(full.read_bytes()[:cut])
    code, _, _ = run_batch(str(source), "-o", str(partial), "--format", fmt, "--resume")
    assert code == ExitStatus.OK
    assert partial.read_bytes() == full.read_bytes()


# -- progress, engines ---------------------------------------------------------------------------

class TTY(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_batch_progress_bar_only_on_a_terminal_stderr(tmp_path):
    out = tmp_path / "a.jsonl"
    code, _, stderr = run_batch(str(small_input(tmp_path)), "-o", str(out), stderr=TTY())
    assert code == ExitStatus.OK
    assert "answering" in stderr and "4/4" in stderr and "q/s" in stderr
    assert len(out.read_text(encoding="utf-8").splitlines()) == 4
    assert "answering" not in run_batch(str(small_input(tmp_path)), "-o", str(out))[2]


def test_batch_dask_engine_missing_is_a_usage_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "dask", None)
    monkeypatch.setitem(sys.modules, "dask.distributed", None)
    code, stdout, stderr = run_batch(str(small_input(tmp_path)), "--engine", "dask")
    assert (code, stdout) == (ExitStatus.USAGE, "")
    assert "--engine dask needs Dask: pip install 'nlqa[dask]'" in stderr


@pytest.mark.filterwarnings("ignore:Port .* is already in use")
def test_batch_dask_local_cluster_on_loopback_matches_jobs_1(big, reference, tmp_path):
    distributed = pytest.importorskip("dask.distributed")
    source = tmp_path / "q.jsonl"
    source.write_bytes(b"".join(big.read_bytes().splitlines(keepends=True)[:300]))
    expected = b"".join(reference.splitlines(keepends=True)[:300])
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        out = tmp_path / "remote.jsonl"
        code, _, stderr = run_batch(str(source), "-o", str(out), "--engine", "dask",
                                    "--scheduler", cluster.scheduler_address)
        assert code == ExitStatus.OK, stderr
        assert out.read_bytes() == expected
    out = tmp_path / "local.jsonl"
    code, _, stderr = run_batch(str(source), "-o", str(out), "--engine", "dask", "--jobs", "2")
    assert code == ExitStatus.OK, stderr
    assert out.read_bytes() == expected


def test_batch_answers_show_no_object_addresses():
    from nlqa.answer import answer
    from nlqa.render import render_json
    text = render_json(answer("Dense(64, input_shape=(n,)) followed by Dense(1) — how many parameters?"))
    assert " object at 0x" not in text
