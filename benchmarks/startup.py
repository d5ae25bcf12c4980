"""Cold start-up of ``nlqa ask --plain`` against a bare spaCy start-up, in fresh subprocesses.

    python benchmarks/startup.py [--runs N] [--check] [--python PATH] [--question TEXT]

Runs, alternating, N times each (default 5):

  (a) spacy    python -c "import spacy; spacy.blank('en')"
  (b) nlqa     nlqa ask --plain "<canonical question>"   (the console script next to the
               interpreter, else ``python -m nlqa``)

and prints, for each, the median and min wall time, the peak RSS (max over the runs) and the
median CPU time (user + system, from the same ``os.wait4``), then the ratio median(b) / median(a)
of wall time and of CPU time (the steadier one when other processes share the cores). The target is a ratio <= 1.3: printed as PASS or FAIL; the exit
code is 0 either way unless ``--check`` is given (then 1 on FAIL, or when a command fails).

Measure in a venv WITHOUT torch: thinc imports torch when it is installed, which alone makes
``import spacy`` several times slower and hides nlqa's own cost. The script warns if torch is
importable by the interpreter under test.

Peak RSS: ``resource.getrusage(RUSAGE_CHILDREN).ru_maxrss`` is the max over all children waited
for so far, so its "delta" is wrong for any child that does not set a new maximum. Each child is
reaped with ``os.wait4`` instead, which returns that one child's rusage (Linux: ru_maxrss in KiB).
Wall time includes interpreter start-up and exit, as a user sees it.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import time
from pathlib import Path

CANONICAL = ("A neural network has two recurrent layers of 6 neurons each. If the input is of size (3,1) "
             "and the output is a scalar (dense layer), find the number of trainable parameters.")
TARGET = 1.3


def nlqa_command(python: str, question: str) -> list[str]:
    """The console script next to ``python`` if there is one, else ``python -m nlqa``."""
    script = Path(python).parent / ("nlqa.exe" if os.name == "nt" else "nlqa")
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script), "ask", "--plain", question]
    return [python, "-m", "nlqa", "ask", "--plain", question]


def shown(cmd: list[str]) -> str:
    """``cmd`` as a shell would take it, double-quoting where that is enough (easier to read)."""
    def quote(arg: str) -> str:
        if arg == shlex.quote(arg) or any(c in arg for c in '"$`\\!'):
            return shlex.quote(arg)
        return f'"{arg}"'
    return " ".join(quote(arg) for arg in cmd)


def run_once(cmd: list[str], env: dict[str, str]) -> tuple[float, int, int, str, float]:
    """Run ``cmd`` as a fresh process; return (wall seconds, exit code, peak RSS in bytes, stderr tail,
    CPU seconds: user + system)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env)
    stderr = proc.stderr.read() if proc.stderr else b""
    # wait4 gives this child's own rusage, unlike RUSAGE_CHILDREN (a max over all children).
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.stderr:
        proc.stderr.close()
    scale = 1 if sys.platform == "darwin" else 1024          # ru_maxrss: bytes on macOS, KiB on Linux
    return (wall, proc.returncode, usage.ru_maxrss * scale, stderr.decode("utf-8", "replace")[-400:],
            usage.ru_utime + usage.ru_stime)


def has_torch(python: str) -> bool:
    probe = "import importlib.util, sys; sys.exit(0 if importlib.util.find_spec('torch') else 1)"
    return subprocess.run([python, "-c", probe], stdin=subprocess.DEVNULL).returncode == 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs of each command (default 5)")
    parser.add_argument("--check", action="store_true", help=f"exit 1 if the ratio is above {TARGET}")
    parser.add_argument("--python", default=sys.executable,
                        help="the interpreter of the venv under test (default: this one)")
    parser.add_argument("--question", default=CANONICAL, help="the question nlqa answers (default: canonical)")
    parser.add_argument("--no-warmup", action="store_true",
                        help="skip the untimed first run of each command (it fills .pyc caches and the OS cache)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    env = dict(os.environ)
    env.pop("PYTHONPROFILEIMPORTTIME", None)
    env.setdefault("NO_COLOR", "1")
    commands = {
        "spacy": [args.python, "-c", "import spacy; spacy.blank('en')"],
        "nlqa": nlqa_command(args.python, args.question),
    }
    print(f"python : {args.python}")
    for name, cmd in commands.items():
        print(f"{name:6} : {shown(cmd)}")
    if has_torch(args.python):
        print("WARNING: torch is importable here; thinc will import it and inflate both timings. "
              "Measure in a venv without torch.", file=sys.stderr)

    failed = False
    if not args.no_warmup:
        for name, cmd in commands.items():
            _, code, _, err, _ = run_once(cmd, env)
            if code != 0:
                print(f"{name}: warm-up run exited {code}\n{err}", file=sys.stderr)
                failed = True

    walls: dict[str, list[float]] = {name: [] for name in commands}
    rss: dict[str, list[int]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for i in range(args.runs):
        for name, cmd in commands.items():          # alternate, so drift affects both alike
            wall, code, peak, err, cpu = run_once(cmd, env)
            if code != 0:
                print(f"{name}: run {i + 1} exited {code}\n{err}", file=sys.stderr)
                failed = True
            walls[name].append(wall)
            rss[name].append(peak)
            cpus[name].append(cpu)

    print(f"\n{args.runs} runs each, alternating{'' if args.no_warmup else ', after one untimed warm-up run each'}")
    print(f"{'':8}{'median s':>10}{'min s':>9}{'max s':>9}{'peak RSS MiB':>14}{'CPU s':>9}")
    for name in commands:
        w = walls[name]
        print(f"{name:8}{statistics.median(w):10.3f}{min(w):9.3f}{max(w):9.3f}{max(rss[name]) / 2**20:14.1f}"
              f"{statistics.median(cpus[name]):9.3f}")
    ratio = statistics.median(walls["nlqa"]) / statistics.median(walls["spacy"])
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"\nratio nlqa/spacy (medians): {ratio:.2f}  (target <= {TARGET})  {verdict}")
    # CPU time (user + system) barely moves when other processes share the cores; wall time does
    print(f"ratio of CPU time (medians): {statistics.median(cpus['nlqa']) / statistics.median(cpus['spacy']):.2f}")
    print(f"extra peak RSS of nlqa over spacy: {(max(rss['nlqa']) - max(rss['spacy'])) / 2**20:+.1f} MiB")
    if failed:
        print("a command failed; the figures above are not meaningful", file=sys.stderr)
    if args.check and (failed or verdict == "FAIL"):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
