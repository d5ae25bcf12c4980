"""Resources of nlqa on hostile inputs (issue 14): wall time and peak RSS of a fresh process each.

    python benchmarks/hostile_bench.py [--python PATH] [--check]

Cases (each must end with a clear message, under 300 MB peak RSS and within 3 s):

  1mb-question      ``nlqa ask -`` with a 1 MB question on stdin
  1e6-prose-layers  ``nlqa ask "... has 1000000 dense layers of 64 units each ..."``
  list-script       ``nlqa ask`` on the list-building script (``s=[0]*5000``, comprehensions over ``s+s``)
  600mb-ask-stdin   ``nlqa ask -`` with 600 MB written to its stdin (a pipe; the writer stops at EPIPE)
  1m-blank-batch    ``nlqa batch -`` with 1,000,000 blank lines, then one question

Each command runs once, in a fresh ``python -m nlqa`` process reaped with ``os.wait4`` (that
child's own ru_maxrss, KiB on Linux). Wall time includes interpreter start-up (about 1 s of it is
spaCy's import on an idle machine); the first row, an ordinary question, is that floor, and the
"- base" column is each case's time above it (on a busy machine, read that column). The words each case's output must contain are checked; ``--check`` exits 1 when
any case misses its words, its memory bound or its time bound. Run on an otherwise idle machine.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time

LIMIT_MB, LIMIT_S = 300, 3.0
QUESTION = "How many parameters does a dense layer with 10 inputs and 5 units have? "
LISTS = ("s = [0]*5000\nt = [s + s for _ in s]\nu = [t + t for _ in t]\n"
         "model = nn.Sequential(nn.Linear(4, 4))\nHow many parameters does model have?")


def _chunks(pattern: bytes, total: int):
    block = pattern * max(1, (1 << 20) // len(pattern))
    sent = 0
    while sent < total:
        piece = block[:total - sent]
        sent += len(piece)
        yield piece


BASELINE = ("baseline", ["ask", "--plain", "A dense layer with 10 inputs and 5 units: parameters?"], None,
            "55 parameters")
CASES = [
    ("1mb-question", ["ask", "-"], lambda: _chunks(QUESTION.encode(), 1_000_000), "characters long"),
    ("1e6-prose-layers", ["ask", "A network takes 5 inputs and has 1000000 dense layers of 64 units each. "
                                 "How many parameters?"], None, "nlqa reads at most 1,000"),
    ("list-script", ["ask", LISTS], None, "more than 1,000,000 elements in all"),
    ("600mb-ask-stdin", ["ask", "-"], lambda: _chunks(b"x" * 1000, 600_000_000), "more than 200,000 characters"),
    ("1m-blank-batch", ["batch", "-"], lambda: iter([b"\n" * 1_000_000, QUESTION.encode() + b"\n"]), '"value": 55'),
]


def run(python: str, argv: list[str], feed) -> tuple[float, int, int, str]:
    """(seconds, peak RSS in KiB, exit code, stdout + stderr) of one fresh ``python -m nlqa`` run."""
    start = time.perf_counter()
    process = subprocess.Popen([python, "-m", "nlqa", *argv], stdin=subprocess.PIPE if feed else subprocess.DEVNULL,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def write():
        try:
            for piece in feed():
                process.stdin.write(piece)
            process.stdin.close()
        except (BrokenPipeError, OSError):
            pass
    writer = threading.Thread(target=write, daemon=True) if feed else None
    if writer:
        writer.start()
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    seconds = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    if writer:
        writer.join(5)
    return seconds, usage.ru_maxrss, process.returncode, output.decode("utf-8", errors="replace")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--check", action="store_true", help="exit 1 when a case misses a bound or its words")
    args = parser.parse_args()
    failed = False
    print(f"{'case':<18} {'exit':>4} {'wall s':>7} {'- base':>7} {'peak MB':>8}  result")
    base = None
    for name, argv, feed, words in [BASELINE, *CASES]:
        seconds, kib, code, output = run(args.python, argv, feed)
        base = seconds if base is None else base
        megabytes = kib / 1024
        ok = words in output and megabytes < LIMIT_MB and seconds < LIMIT_S
        failed |= not ok
        message = next((line.strip() for line in output.splitlines() if words in line), output.strip()[-120:])
        print(f"{name:<18} {code:>4} {seconds:>7.2f} {seconds - base:>7.2f} {megabytes:>8.1f}  {'ok  ' if ok else 'FAIL'} "
              f"{message[:150]}")
    return 1 if failed and args.check else 0


if __name__ == "__main__":
    sys.exit(main())
