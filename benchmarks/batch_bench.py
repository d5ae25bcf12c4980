"""Throughput and memory of ``nlqa batch`` against bare spaCy tokenization, in one run.

    python benchmarks/batch_bench.py [--questions N] [--seed S] [--python PATH] [--profile N] [--keep DIR]

Generates a varied corpus (default 20,000 questions, deterministic for a seed): dense, recurrent
and convolutional phrasings in prose, Keras and PyTorch code with random sizes, questions that
need clarification or are out of scope, plus every line of ``corpus/*.jsonl``, shuffled. Then
measures, on that one corpus:

  floor     ``reader().nlp.pipe(texts)``: nlqa's spaCy tokenizer alone, questions/s (median of 3)
  per call  ``reader().nlp(text)`` for each text, as ``answer()`` calls it (information only)
  matcher   ``reader().pipe(texts)``: tokenizer + nlqa's Matcher patterns (information only)
  jobs 1    ``nlqa batch FILE -o OUT --jobs 1`` as a fresh process: wall time, questions/s, peak RSS
  jobs 2    the same with ``--jobs 2``; its output must be byte-identical to jobs 1's
  jobs 1x2  ``--jobs 1`` on twice as many questions (the corpus, then as many new ones from the
            next seed): peak RSS must stay flat (batch streams; spaCy's vocabulary grows a little)
  ceiling   a pure-Python CPU loop run once alone and then as two processes at a time: how much
            two processes can gain on this machine at all (1.00 = nothing, 2.00 = two free cores)

The tokenizer rates are measured in a child process, so that this process never loads spaCy: a
child forked from a big parent inherits its ru_maxrss on Linux, which would inflate every peak.

Questions/s of a batch run are over its whole wall time, start-up included, as a user sees it.
Targets: jobs 1 >= 20% of the floor; jobs 2 >= 1.5x jobs 1 (on two free cores); jobs 1 peak RSS
< 300 MB, flat when the corpus doubles. Prints a table with PASS/FAIL; exits 0 unless a run fails.

``--profile N`` also runs ``cProfile`` over ``nlqa.answer.answer`` on N questions of the corpus in
this process and prints where the time goes, by area of nlqa and by function.

Measure in a venv without torch (see benchmarks/README.md): thinc imports torch when it can.
"""

from __future__ import annotations

import argparse
import cProfile
import glob
import json
import os
import pstats
import random
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KINDS_RNN = ("SimpleRNN", "LSTM", "GRU")
PROSE_RNN = ("simple RNN", "LSTM", "GRU", "recurrent")
TORCH_RNN = ("RNN", "LSTM", "GRU")
WORDS = ("one", "two", "three", "four")


def _dense(r: random.Random) -> str:
    i, u, v, k, n = (r.randint(1, 512), r.randint(1, 256), r.randint(1, 256), r.randint(1, 20), r.randint(1, 4))
    return r.choice((
        f"A dense layer with {i} inputs and {u} units. How many parameters?",
        f"How many trainable parameters does a {i}-{u}-{v}-{k} MLP have?",
        f"A fully connected network takes {i} features, has {WORDS[n - 1]} hidden layers of {u} neurons each and "
        f"{k} outputs. How many weights and biases does it have in total?",
        f"Layer sizes: {i} (input), {u}, {v} (hidden), {k} (output). What is the total number of parameters of "
        f"this fully connected network?",
        f"How many weights, not counting biases, does a dense network {i}-{u}-{k} have?",
        f"model = keras.Sequential([layers.Input(shape=({i},)), layers.Dense({u}, activation='relu'), "
        f"layers.Dense({k})])\nHow many trainable parameters does the model have?",
        f"nn.Sequential(nn.Linear({i}, {u}), nn.ReLU(), nn.Linear({u}, {k})) -- number of parameters?",
    ))


def _rnn(r: random.Random) -> str:
    i, u, k, t, n = r.randint(1, 128), r.randint(1, 256), r.randint(1, 10), r.randint(2, 100), r.randint(1, 4)
    return r.choice((
        f"A neural network has {WORDS[n - 1]} recurrent layers of {u} neurons each. If the input is of size "
        f"({i},1) and the output is a scalar (dense layer), find the number of trainable parameters.",
        f"An {r.choice(PROSE_RNN)} layer with {u} units takes an input of {i} features. How many parameters?",
        f"How many parameters does nn.{r.choice(TORCH_RNN)}(input_size={i}, hidden_size={u}, num_layers={n}) have?",
        f"A bidirectional LSTM with {u} units reads sequences of {t} steps of {i} features and is followed by a "
        f"dense layer of {k} units. How many trainable parameters?",
        f"model = keras.Sequential([layers.Input(shape=({t}, {i})), layers.{r.choice(KINDS_RNN)}({u}), "
        f"layers.Dense({k})])\nHow many parameters?",
        f"A {r.choice(PROSE_RNN)} layer with {u} units in PyTorch on {i}-dimensional inputs: parameter count?",
    ))


def _cnn(r: random.Random) -> str:
    s, c, f, g, k, ks = (r.randint(8, 256), r.choice((1, 3)), r.randint(1, 128), r.randint(1, 128),
                         r.randint(2, 100), r.choice((1, 3, 5, 7)))
    images = "RGB" if c == 3 else "grayscale"
    return r.choice((
        f"A Conv2D layer with {f} filters of size {ks}x{ks} on {s}x{s} {images} images: how many parameters?",
        f"nn.Conv2d({c}, {f}, {ks}, padding=1) -- how many parameters?",
        f"A CNN on {s}x{s} {images} images: a conv layer with {f} filters of 3x3, max pooling 2x2, a conv layer "
        f"with {g} filters of 3x3, flatten, then a dense layer of {k} units. How many trainable parameters?",
        f"What is the output shape of a Conv2D layer with {f} filters of 5x5 and stride 2 on a {s}x{s}x3 input?",
        f"A Conv1D layer with {f} filters and kernel size {ks} on sequences of {s} steps with {c} channels: "
        f"how many parameters?",
        f"BatchNorm over {f} channels: how many trainable parameters?",
    ))


def _other(r: random.Random) -> str:
    u = r.randint(2, 512)
    return r.choice((
        f"A model has two LSTM layers with {u} units each followed by a dense output layer with one neuron. "
        f"How many trainable parameters does it have?",
        f"How much memory do the weights of a {r.randint(1, 70)}B-parameter model take in float16?",
        "What is the capital of France?",
        f"A transformer with {r.randint(2, 24)} layers and d_model={u}: how many parameters?",
        f"An embedding layer with a vocabulary of {r.randint(100, 50000):,} words and {u}-dimensional vectors. "
        f"How many parameters?",
    ))


def corpus_lines() -> list[str]:
    lines = []
    for path in sorted(glob.glob(str(ROOT / "corpus" / "*.jsonl"))):
        with open(path, encoding="utf-8") as handle:
            lines += [line.rstrip("\n") for line in handle if line.strip()]
    return lines


def generate(count: int, seed: int) -> list[str]:
    """``count`` JSON Lines (at least the corpus files' lines), deterministic for ``seed``."""
    r = random.Random(seed)
    lines = corpus_lines()
    makers = (_dense, _dense, _rnn, _rnn, _cnn, _cnn, _other)
    for number in range(max(0, count - len(lines))):
        lines.append(json.dumps({"id": f"gen-{number + 1}", "question": r.choice(makers)(r)}))
    r.shuffle(lines)
    return lines


def questions_of(lines: list[str]) -> list[str]:
    return [json.loads(line)["question"] for line in lines]


def tokenizer_rates(texts: list[str]) -> dict[str, float]:
    """Questions/s, median of 3 passes: the bare tokenizer through ``nlp.pipe`` (the floor), the
    tokenizer called once per question (as ``answer()`` does), and tokenizer + Matcher."""
    from nlqa.reader.prose.pipeline import reader
    nlqa_reader = reader()

    def rate(run) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        return len(texts) / statistics.median(times)
    return {"floor": rate(lambda: [None for _ in nlqa_reader.nlp.pipe(texts, batch_size=256)]),
            "per call": rate(lambda: [nlqa_reader.nlp(text) for text in texts]),
            "matcher": rate(lambda: [None for _ in nlqa_reader.pipe(texts)])}


def tokenizer_rates_in_child(python: str, source: Path) -> dict[str, float]:
    """``tokenizer_rates`` in a fresh process: this one never loads spaCy, so the ``nlqa batch``
    children it starts do not inherit its memory (Linux copies ru_maxrss across fork)."""
    probe = subprocess.run([python, __file__, "--rates-of", str(source)], capture_output=True, text=True,
                           check=True)
    return json.loads(probe.stdout)


def nlqa_command(python: str) -> list[str]:
    script = Path(python).parent / "nlqa"
    return [str(script)] if script.is_file() else [python, "-m", "nlqa"]


def run_batch(python: str, source: Path, out: Path, jobs: int) -> dict:
    """One ``nlqa batch`` process: wall s, its own peak RSS (os.wait4), exit code, answering rate."""
    cmd = nlqa_command(python) + ["batch", str(source), "-o", str(out), "--jobs", str(jobs)]
    env = {**os.environ, "NO_COLOR": "1"}
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env=env)
    stderr = proc.stderr.read().decode("utf-8", "replace")
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.stderr.close()
    match = re.search(r"\(([\d,.]+) questions/s\)", stderr)
    return {"wall": wall, "rss": usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024),
            "cpu": usage.ru_utime + usage.ru_stime,             # with the workers it reaped
            "code": os.waitstatus_to_exitcode(status), "inner": float(match.group(1).replace(",", "")) if match else None,
            "stderr": stderr.strip()}


def compare(a: Path, b: Path) -> tuple[bool, str]:
    """Whether two outputs are byte-identical, and the ids of the first lines that differ."""
    if a.read_bytes() == b.read_bytes():
        return True, ""
    with open(a, encoding="utf-8") as first, open(b, encoding="utf-8") as second:
        ids = [str(json.loads(x).get("id")) for x, y in zip(first, second) if x != y]
    return False, f"{len(ids)}: {', '.join(ids[:5])}"


SPIN = "s = 0\nfor i in range(20_000_000):\n    s += i\n"


def parallel_ceiling(python: str) -> float:
    """Throughput of two concurrent CPU-bound Python processes over one alone (best of 2)."""
    def timed(n: int) -> float:
        start = time.perf_counter()
        procs = [subprocess.Popen([python, "-c", SPIN]) for _ in range(n)]
        for proc in procs:
            proc.wait()
        return time.perf_counter() - start
    one = min(timed(1) for _ in range(2))
    two = min(timed(2) for _ in range(2))
    return 2 * one / two


AREAS = (("nlqa/reader/", "nlqa.reader (extraction, code, typos, normalize)"), ("nlqa/core/", "nlqa.core (counting)"),
         ("nlqa/related", "nlqa.related (related questions)"), ("nlqa/answer", "nlqa.answer"),
         ("nlqa/render", "nlqa.render"), ("spacy/", "spaCy (tokenizer, Matcher)"), ("thinc/", "spaCy (tokenizer, Matcher)"),
         ("pint/", "pint"), ("/re/", "re (regex)"), ("<built-in method _sre", "re (regex)"))


def stages(texts: list[str]) -> None:
    """Microseconds per question of each stage of ``answer()``, without a profiler's overhead."""
    from nlqa.answer import answer
    from nlqa.reader.extract import extract
    from nlqa.reader.prose.pipeline import reader
    from nlqa.render import render_json
    nlqa_reader = reader()

    def per_question(run) -> float:
        start = time.perf_counter()
        for text in texts:
            try:
                run(text)
            except Exception:  # noqa: BLE001 - a reader bug on one question must not stop the benchmark
                pass
        return 1e6 * (time.perf_counter() - start) / len(texts)
    answers = []
    for text in texts:
        try:
            answers.append(answer(text))
        except Exception:  # noqa: BLE001
            pass
    start = time.perf_counter()
    for a in answers:
        render_json(a)
    rendering = 1e6 * (time.perf_counter() - start) / len(answers)
    rows = (("tokenizer: reader().nlp(text)", per_question(nlqa_reader.nlp)),
            ("tokenizer + Matcher: reader()(text)", per_question(nlqa_reader)),
            ("extract(text) (includes the above)", per_question(extract)),
            ("answer(text) (includes extract)", per_question(answer)),
            ("render_json(answer)", rendering))
    print(f"\nstages, microseconds per question ({len(texts):,} questions, no profiler):")
    for label, micros in rows:
        print(f"  {micros:9,.0f}  {label}")


def profile(texts: list[str], top: int = 25) -> None:
    """cProfile over answer() on ``texts``: own time by area of the code, then the top functions."""
    from nlqa.answer import answer
    from nlqa.reader.prose.pipeline import reader
    reader()
    stages(texts)
    profiler = cProfile.Profile()
    start = time.perf_counter()
    failures = 0
    profiler.enable()
    for text in texts:
        try:
            answer(text)
        except Exception:  # noqa: BLE001
            failures += 1
    profiler.disable()
    wall = time.perf_counter() - start
    stats = pstats.Stats(profiler)
    areas: dict[str, float] = {}
    for (filename, _, name), (_, _, tottime, _, _) in stats.stats.items():  # type: ignore[attr-defined]
        where = f"{filename} {name}"
        area = next((label for key, label in AREAS if key in where), "other (stdlib, builtins)")
        areas[area] = areas.get(area, 0.0) + tottime
    total = sum(areas.values())
    print(f"\nprofile: answer() on {len(texts):,} questions: {wall:.2f} s under cProfile "
          f"({len(texts) / wall:,.0f} questions/s with profiling overhead; {failures} raised)")
    print("own time by area:")
    for area, seconds in sorted(areas.items(), key=lambda kv: -kv[1]):
        print(f"  {100 * seconds / total:5.1f}%  {area}")
    print(f"top {top} functions by cumulative time:")
    stats.sort_stats("cumulative").print_stats(top)
    print(f"top {top} functions by own time:")
    stats.sort_stats("tottime").print_stats(top)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=20_000, help="corpus size (default 20,000)")
    parser.add_argument("--seed", type=int, default=20240605, help="corpus seed")
    parser.add_argument("--python", default=sys.executable, help="interpreter of the venv under test")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="also profile answer() on N questions")
    parser.add_argument("--keep", metavar="DIR", help="write the corpus and outputs here (default: a temp dir)")
    parser.add_argument("--no-double", action="store_true", help="skip the doubled-corpus memory run")
    parser.add_argument("--repeat", type=int, default=1, metavar="R",
                        help="run each nlqa batch R times, keep the fastest (a busy machine is noisy)")
    parser.add_argument("--rates-of", metavar="FILE", help=argparse.SUPPRESS)   # the child of tokenizer_rates_in_child
    args = parser.parse_args(argv)
    if args.rates_of:
        with open(args.rates_of, encoding="utf-8") as handle:
            print(json.dumps(tokenizer_rates([json.loads(line)["question"] for line in handle if line.strip()])))
        return 0

    lines = generate(args.questions, args.seed)
    texts = questions_of(lines)
    folder = Path(args.keep or tempfile.mkdtemp(prefix="nlqa-batch-bench-"))
    folder.mkdir(parents=True, exist_ok=True)
    source, double = folder / "corpus.jsonl", folder / "corpus2x.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    more = [json.dumps({**json.loads(line), "id": f"more-{number}"})
            for number, line in enumerate(generate(args.questions, args.seed + 1), 1)]
    double.write_text("\n".join(lines + more) + "\n", encoding="utf-8")
    print(f"corpus : {len(lines):,} questions ({len(corpus_lines()):,} from corpus/*.jsonl), seed {args.seed}, "
          f"{source.stat().st_size / 2**20:.1f} MiB, in {folder}")
    print(f"python : {args.python}; cpus: {os.cpu_count()}")

    rates = tokenizer_rates_in_child(args.python, source)
    floor = rates["floor"]
    ceiling = parallel_ceiling(args.python)

    def best(path: Path, out: Path, jobs: int) -> dict:
        return min((run_batch(args.python, path, out, jobs) for _ in range(max(1, args.repeat))),
                   key=lambda r: (r["code"] != 0, r["wall"]))
    runs = {"jobs 1": best(source, folder / "jobs1.jsonl", 1), "jobs 2": best(source, folder / "jobs2.jsonl", 2)}
    if not args.no_double:
        runs["jobs 1, corpus x2"] = best(double, folder / "jobs1x2.jsonl", 1)
    failed = [name for name, r in runs.items() if r["code"] != 0]
    for name in failed:
        print(f"{name}: exited {runs[name]['code']}\n{runs[name]['stderr']}", file=sys.stderr)
    identical, differing = compare(folder / "jobs1.jsonl", folder / "jobs2.jsonl")

    print(f"\n{'':22}{'questions':>10}{'wall s':>9}{'q/s':>10}{'q/s answering':>15}{'peak RSS MB':>13}"
          f"{'CPU s':>8}")
    for name, label in (("floor", "tokenizer, nlp.pipe"), ("per call", "tokenizer, nlp(text)"),
                        ("matcher", "tokenizer + Matcher")):
        print(f"{label:22}{len(texts):>10,}{len(texts) / rates[name]:9.2f}{rates[name]:10,.0f}")
    for name, r in runs.items():
        n = len(texts) * (2 if "x2" in name else 1)
        inner = f"{r['inner']:15,.0f}" if r["inner"] else f"{'—':>15}"
        print(f"{'nlqa batch --' + name:22}{n:>10,}{r['wall']:9.2f}{n / r['wall']:10,.0f}{inner}{r['rss'] / 1e6:13.1f}"
              f"{r['cpu']:8.1f}")

    j1, j2 = len(texts) / runs["jobs 1"]["wall"], len(texts) / runs["jobs 2"]["wall"]
    rss1 = runs["jobs 1"]["rss"] / 1e6
    checks = [
        (f"jobs 1 / floor = {j1 / floor:.1%}", "≥ 20%", j1 >= 0.2 * floor),
        (f"jobs 2 / jobs 1 = {j2 / j1:.2f}x (this machine's 2-process ceiling: {ceiling:.2f}x; jobs 2 used "
         f"{runs['jobs 2']['cpu'] / runs['jobs 1']['cpu'] - 1:+.0%} CPU time)", "≥ 1.5x", j2 >= 1.5 * j1),
        (f"jobs 1 peak RSS = {rss1:.0f} MB", "< 300 MB", rss1 < 300),
        ("jobs 2 output byte-identical to jobs 1" + ("" if identical else f" (differing lines: {differing})"),
         "yes", identical),
    ]
    if "jobs 1, corpus x2" in runs:
        rss2 = runs["jobs 1, corpus x2"]["rss"] / 1e6
        checks.append((f"peak RSS with the corpus doubled = {rss2:.0f} MB ({rss2 - rss1:+.1f} MB)", "flat (< +10%)",
                       rss2 < 1.1 * rss1))
    print()
    for text, target, ok in checks:
        print(f"  {'PASS' if ok else 'FAIL'}  {text}  (target {target})")
    if args.profile:
        profile(texts[:args.profile])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
