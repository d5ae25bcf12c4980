"""``nlqa batch FILE``: one answer per input question, in input order, written as each is made.

Input (``nlqa.batchio``): JSON Lines (``id``, ``question``; other fields ignored, so a corpus file
works as it is), CSV/TSV with a question column (``--column``), or plain text (one question per
blank-line-separated block); chosen by extension or ``--input-format``, sniffed for stdin.
Output (``nlqa.batchout``): JSON Lines, CSV or a Markdown table, one line per answer, to ``-o``
or stdout. Every non-blank input record gives exactly one output line, an ``error`` one when it
cannot be read or answering it fails; the run goes on.

Answering (``nlqa.batchrun``): ``--jobs N`` worker processes (default: all cores), chunks of
questions answered in order; ``--engine dask`` runs the same chunks on a Dask cluster.
``--resume`` continues an interrupted ``-o`` file so that it ends byte-identical to an
uninterrupted run. Ctrl-C leaves whole lines only and exits 130.
"""

from __future__ import annotations

import argparse
import io
import itertools
import os
import time
from collections import Counter
from contextlib import ExitStack, contextmanager
from typing import Iterator

from typing import TYPE_CHECKING

from ..batchopts import CHUNK_SIZE, INPUT_FORMATS, MAX_CHARS, OUTPUT_FORMATS, default_jobs
from .env import Env, decode
from .status import ExitStatus

if TYPE_CHECKING:
    from ..batchio import Item
    from ..batchout import Identity, Resume, Sink

# The batch machinery (batchio, batchout, batchrun) is imported when a batch runs, not at every
# start of nlqa (`nlqa ask` builds this command's arguments too).
__all__ = ["open_streams", "input_lines", "run", "add_arguments"]

NAME = "batch"
HELP = "answer every question of a JSON Lines, CSV or text file, one answer per line"
STATUS_WORDS = (("answered", "answered"), ("needs_clarification", "need clarification"),
                ("unsupported", "unsupported"), ("error", "errors"))


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="questions: .jsonl, .csv/.tsv or .txt (one question per "
                                                     "blank-line-separated block); - reads stdin")
    parser.add_argument("-o", "--output", metavar="OUT", help="write the answers here (default: stdout)")
    parser.add_argument("--format", choices=OUTPUT_FORMATS,
                        help="output format (default: by the extension of -o, .csv or .md, else jsonl)")
    parser.add_argument("--input-format", choices=INPUT_FORMATS,
                        help="input format (default: by extension; stdin and other names: jsonl when the "
                             "first line starts with '{', else text)")
    parser.add_argument("--column", default="question", metavar="NAME",
                        help="CSV/TSV column holding the question (default: question); ids come from an "
                             "'id' column when there is one (a row without one: 'row N'), else the row number")
    parser.add_argument("--jobs", "-j", type=_positive, default=None, metavar="N",
                        help=f"worker processes (default: all cores, here {default_jobs()})")
    parser.add_argument("--resume", action="store_true",
                        help="continue an interrupted run: keep the answers already in -o OUT, answer the rest")
    parser.add_argument("--engine", choices=("local", "dask"), default="local",
                        help="local processes (default) or a Dask cluster (pip install 'nlqa[dask]')")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="with --engine dask: the scheduler, e.g. tcp://10.0.0.5:8786 "
                             "(default: a local cluster of --jobs workers)")
    parser.add_argument("--chunk-size", type=_positive, default=CHUNK_SIZE, metavar="N",
                        help=f"questions sent to a worker at a time (default: {CHUNK_SIZE})")
    parser.add_argument("--max-chars", type=_positive, default=MAX_CHARS, metavar="N",
                        help=f"a longer question gets an error answer (default: {MAX_CHARS:,})")


# -- kept for ``nlqa eval``, which reads JSON Lines line by line -------------------------------

@contextmanager
def input_lines(path: str, env: Env) -> Iterator[Iterator[tuple[int, str]]]:
    """``(line_number, text)`` for each non-blank line of ``path`` (``-``: stdin), read lazily."""
    def numbered(lines) -> Iterator[tuple[int, str]]:
        for number, line in enumerate(lines, 1):
            text = decode(line)
            if number == 1:
                text = text.lstrip("\ufeff")
            if text.strip():
                yield number, text
    if path == "-":
        yield numbered(env.stdin_lines())
    else:
        with open(path, "rb") as handle:
            yield numbered(handle)


def same_file(path: str, output: str | None) -> bool:
    return (output not in (None, "-") and path != "-" and os.path.exists(output) and os.path.exists(path)
            and os.path.samefile(path, output))


def open_streams(stack: ExitStack, env: Env, path: str, output: str | None = None):
    """Enter the input lines (and the output stream) of a run; ``None`` after saying why not."""
    if same_file(path, output):
        env.error(f"the output {output} is the input file; choose another -o")
        return None
    try:
        lines = stack.enter_context(input_lines(path, env))
        out = env.stdout if output in (None, "-") else stack.enter_context(open(output, "w", encoding="utf-8"))
    except OSError as exc:
        env.error(f"cannot open {exc.filename or path}: {exc.strerror or exc}")
        return None
    return lines, out


# -- the run -----------------------------------------------------------------------------------

def _isatty(stream) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError, OSError):
        return False


def summary(counts: Counter, seconds: float, skipped: int, output: str | None) -> str:
    done = sum(counts.values())
    rate = f" ({done / seconds:,.1f} questions/s)" if seconds > 0 and done else ""
    parts = ", ".join(f"{counts.get(status, 0):,} {words}" for status, words in STATUS_WORDS)
    text = f"nlqa batch: {done:,} question{'s' if done != 1 else ''} in {seconds:.1f} s{rate}: {parts}"
    if skipped:
        text += f"; {skipped:,} answered before, kept in {output}"
    return text + "\n"


class Skip:
    """With ``--resume``: drops the inputs whose answers the output already holds, checking that
    their ids are the output's, in order, and (``identity``) that they are the records answered."""

    def __init__(self, resume: Resume | None, fmt, identity: Identity | None = None):
        self.keys = resume.keys() if resume is not None and not resume.fresh else None
        self.fmt, self.count, self.path = fmt, 0, resume.path if resume else None
        self.identity = identity

    def __call__(self, items) -> Iterator[Item]:
        from ..batchout import ResumeError
        keys = self.keys
        identity = self.identity
        for item in items:
            if keys is not None:
                key = next(keys, None)
                if key is None:
                    keys = None
                else:
                    if key != self.fmt.id_key(item.id):
                        raise ResumeError(f"cannot resume: answer {self.count + 1} in {self.path} has id {key} but "
                                          f"question {self.count + 1} of the input has id {self.fmt.id_key(item.id)}; "
                                          f"was {self.path} written from another input?")
                    if identity is not None:
                        identity.answered_before(item)
                    self.count += 1
                    continue
            if identity is not None:
                identity.coming(item)
            yield item
        if keys is not None and next(keys, None) is not None:
            raise ResumeError(f"cannot resume: {self.path} holds more answers than the input has "
                              f"questions ({self.count:,}); was it written from another input?")


def progress_bar(env: Env, args, total: int | None):
    """A rich progress bar on stderr (questions/s, ETA), or ``None`` when stderr is not a terminal
    or the answers go to that terminal. No refresh thread: the parent may fork workers later."""
    if not _isatty(env.stderr) or (args.output in (None, "-") and _isatty(env.stdout)):
        return None
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, ProgressColumn, TextColumn, \
        TimeElapsedColumn, TimeRemainingColumn
    from rich.text import Text

    class Rate(ProgressColumn):
        def render(self, task) -> Text:
            speed = task.finished_speed or task.speed
            return Text(f"{speed:,.0f} q/s" if speed else "– q/s", style="progress.data.speed")

    console = Console(file=env.stderr, no_color=bool(env.no_color))
    bar = Progress(TextColumn("answering"), BarColumn(), MofNCompleteColumn(), Rate(), TimeElapsedColumn(),
                   TextColumn("ETA"), TimeRemainingColumn(), console=console, auto_refresh=False,
                   transient=False, redirect_stdout=False, redirect_stderr=False)
    bar.add_task("answering", total=total)
    return bar


def streamed(handle) -> bool:
    """Whether the input arrives over time (a pipe, a FIFO, a terminal): then each answer is
    written as soon as its question has come in, not when a chunk is full."""
    import stat
    try:
        return not stat.S_ISREG(os.fstat(handle.fileno()).st_mode)
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return False


def _open_input(stack: ExitStack, env: Env, path: str):
    if path == "-":
        stdin = env.stdin
        handle = getattr(stdin, "buffer", stdin) if stdin is not None else io.BytesIO()
        if streamed(handle):
            # A pipe is read by a thread (Feed) that may still wait in read() when the run ends (Ctrl-C,
            # SIGTERM): it gets its own handle on a copy of the descriptor, never sys.stdin's, whose
            # lock it would hold while the interpreter shuts down.
            # Not closed here: closing it would wait for that read. It goes with the process.
            return open(os.dup(handle.fileno()), "rb")  # noqa: SIM115
        return handle
    return stack.enter_context(open(path, "rb"))


def run(args: argparse.Namespace, env: Env) -> int:
    from ..batchio import InputError, format_of, read_items
    from ..batchout import Identity, OutputError, Resume, ResumeError, Sink, format_for, output_format
    from ..batchrun import Feed, chunked
    if args.resume and args.output in (None, "-"):
        env.error("--resume continues an output file: give it with -o FILE")
        return ExitStatus.USAGE
    if args.scheduler and args.engine != "dask":
        env.error("--scheduler is for --engine dask")
        return ExitStatus.USAGE
    if same_file(args.file, args.output):
        env.error(f"the output {args.output} is the input file; choose another -o")
        return ExitStatus.USAGE
    fmt_name = format_for(args.output, args.format)
    fmt = output_format(fmt_name)
    jobs = args.jobs or default_jobs()
    in_fmt = format_of(args.file, args.input_format)
    with ExitStack() as stack:
        try:
            handle = _open_input(stack, env, args.file)
            items = read_items(handle, in_fmt, args.column, args.max_chars)
            first = next(items, None)                 # a CSV without the question column fails here
            resume = Resume(args.output, fmt) if args.resume and os.path.exists(args.output) else None
            continuing = resume is not None and not resume.fresh
            identity = None if args.output in (None, "-") else Identity(args.output, args.file, continuing)
            if identity is not None:
                stack.callback(identity.close)
            skip = Skip(resume, fmt, identity)
            sink = Sink(env.stdout) if args.output in (None, "-") else \
                Sink(path=args.output, append=continuing)
        except OSError as exc:
            env.error(f"cannot open {exc.filename or args.file}: {exc.strerror or exc}")
            return ExitStatus.USAGE
        except (InputError, ResumeError) as exc:
            env.error(str(exc))
            return ExitStatus.USAGE
        stack.callback(sink.close)
        try:
            if not continuing:
                sink.write(fmt.header)
        except OutputError as exc:
            env.error(str(exc))
            return ExitStatus.USAGE
        items = skip(itertools.chain([first] if first is not None else [], items))
        chunks = Feed(items, args.chunk_size) if streamed(handle) else chunked(items, args.chunk_size)
        return _answer_all(args, env, sink, chunks, skip, fmt_name, jobs, in_fmt)


class Terminated(KeyboardInterrupt):
    """SIGTERM or SIGHUP: handled like Ctrl-C (workers stopped, whole lines kept), exit 128 + signal."""

    def __init__(self, signum: int):
        super().__init__(signum)
        self.signum = signum


@contextmanager
def terminations() -> Iterator[None]:
    """SIGTERM and SIGHUP raise :class:`Terminated` in the main thread while the run lasts, so the
    pool's workers are shut down instead of being left behind (they also die with this process,
    see ``batchrun.die_with_parent``)."""
    import signal
    import threading
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    def handler(signum, frame):
        raise Terminated(signum)
    names = [n for n in ("SIGTERM", "SIGHUP") if hasattr(signal, n)]
    previous = {n: signal.signal(getattr(signal, n), handler) for n in names}
    try:
        yield
    finally:
        for n in names:
            signal.signal(getattr(signal, n), previous[n])


def _answer_all(args, env: Env, sink: Sink, chunks, skip: Skip, fmt_name: str, jobs: int, in_fmt) -> int:
    with terminations():
        return _answer_chunks(args, env, sink, chunks, skip, fmt_name, jobs, in_fmt)


def _answer_chunks(args, env: Env, sink: Sink, chunks, skip: Skip, fmt_name: str, jobs: int, in_fmt) -> int:
    from ..batchio import count_records
    from ..batchout import OutputError, ResumeError
    from ..batchrun import NOT_READY, EngineError, Feed, Inline, engine
    counts: Counter = Counter()
    start = time.perf_counter()
    worker = bar = None
    finished = False
    try:
        if isinstance(chunks, Feed):               # what arrives within 0.2 s tells whether to start workers
            first = next(iter(chunks), None)
            second = chunks.poll(0.2) if first is not None else None
            ahead = [c for c in (first, second) if c is not None and c is not NOT_READY]
            chunks.unread(ahead)
        else:
            ahead = list(itertools.islice(chunks, 2))   # an input of one chunk is answered here, at once
            chunks = itertools.chain(ahead, chunks)
        if len(ahead) < 2 and args.engine == "local":
            worker = Inline(args.framework, fmt_name)
        else:
            worker = engine(args.engine, jobs, args.framework, fmt_name, args.scheduler)
        bar = progress_bar(env, args, None)
        if bar is not None:
            counted = count_records(args.file, in_fmt, args.column, args.max_chars)
            bar.update(bar.task_ids[0], total=None if counted is None else max(0, counted - skip.count))
            bar.start()
        last = 0.0
        identity = skip.identity
        for pairs in worker.run(chunks):
            for status, record in pairs:
                sink.write(record + "\n")
                counts[status] += 1
            if identity is not None:
                identity.written(len(pairs))
            if bar is not None:
                bar.advance(bar.task_ids[0], len(pairs))
                if time.perf_counter() - last > 0.1:
                    bar.refresh()
                    last = time.perf_counter()
        if identity is not None:
            identity.finish()
        finished = True
    except KeyboardInterrupt as exc:
        if bar is not None:
            bar.stop()
            bar = None
        if worker is not None:
            worker.close(kill=True)
            worker = None
        env.stderr.write(summary(counts, time.perf_counter() - start, skip.count, args.output))
        where = f"; continue with --resume -o {args.output}" if args.output not in (None, "-") else ""
        if isinstance(exc, Terminated):
            env.error(f"stopped by signal {exc.signum} after {sum(counts.values()):,} answers{where}")
            return 128 + exc.signum
        env.error(f"interrupted after {sum(counts.values()):,} answers{where}")
        return ExitStatus.INTERRUPTED
    except (ResumeError, EngineError, OutputError) as exc:
        env.error(str(exc))
        return ExitStatus.USAGE
    finally:
        if bar is not None:
            bar.refresh()
            bar.stop()
        if worker is not None:
            worker.close(kill=not finished)
    env.stderr.write(summary(counts, time.perf_counter() - start, skip.count, args.output))
    env.stderr.flush()
    return ExitStatus.OK
