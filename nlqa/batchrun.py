"""Answering chunks of batch Items, in the parent, in a process pool, or on a Dask cluster.

Each engine's ``run(chunks)`` takes an iterator of Item lists and yields, for each chunk and in the
same order, a list of ``(status, record)`` pairs, ``record`` being the answer already rendered in
the output format (one line). Order is kept by waiting for the oldest chunk in flight; at most
``window`` chunks are in flight, so the input is read only as fast as answers are written (memory
stays flat however long the input).

No Item is ever lost: ``answer_item`` turns any exception into an ``error`` answer, inside the
worker; a worker process that dies (a crash no ``except`` can catch) breaks the pool, which is
restarted: the oldest chunk is then answered one question at a time, alone in the new pool, so the
question that kills its worker is known and gets an ``error`` answer, and the chunks in flight are
sent again.
"""

from __future__ import annotations

import os
import signal
import sys
from collections import deque
from typing import Any, Iterable, Iterator

from .batchio import Item

Pairs = list[tuple[str, str]]


def answer_item(item: Item, framework: str | None):
    """The Answer for one input record; never raises (an unexpected error becomes an error Answer)."""
    from . import answer as answering
    from .answer import Answer
    if item.question is None:
        return Answer("", "error", id=item.id, message=item.problem)
    try:
        return answering.answer(item.question, framework=framework, id=item.id)
    except Exception as exc:  # noqa: BLE001 - one bad question must not lose the others
        return Answer(item.question, "error", id=item.id, message=f"internal error: {type(exc).__name__}: {exc}")


def error_pair(item: Item, fmt_name: str, message: str) -> tuple[str, str]:
    from .answer import Answer
    from .batchout import output_format
    return "error", output_format(fmt_name).record(Answer(item.question or "", "error", id=item.id, message=message))


def answer_chunk(items: list[Item], framework: str | None, fmt_name: str) -> Pairs:
    """``(status, record)`` for each Item, rendered in output format ``fmt_name``; never raises."""
    from .batchout import output_format
    fmt = output_format(fmt_name)
    pairs = []
    for item in items:
        answer = answer_item(item, framework)
        try:
            pairs.append((answer.status, fmt.record(answer)))
        except Exception as exc:  # noqa: BLE001 - a renderer bug costs one line, not the run
            pairs.append(error_pair(item, fmt_name, f"internal error while writing the answer: "
                                                    f"{type(exc).__name__}: {exc}"))
    return pairs


def chunked(items: Iterable[Item], size: int) -> Iterator[list[Item]]:
    """Lists of up to ``size`` Items; each Item stripped of its input object (not needed to answer)."""
    chunk: list[Item] = []
    for item in items:
        chunk.append(Item(item.number, item.id, None, item.question, item.problem))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


NOT_READY = object()     # Feed.poll: no chunk has arrived yet


class Feed:
    """Chunks of the Items that have *arrived*, for an input that is a pipe, a FIFO or a terminal:
    a thread reads the Items into a bounded queue, and a chunk is handed on as soon as nothing more
    is waiting (not when it is full), so each answer is written as soon as its question came in
    (a coprocess that writes a line and waits for its answer gets it). ``poll()`` never blocks."""

    def __init__(self, items: Iterable[Item], size: int):
        import queue
        import threading
        self.size, self.back, self.again, self.done = size, deque(), deque(), False
        self.queue: Any = queue.Queue(maxsize=8 * size)
        threading.Thread(target=self._pump, args=(items,), daemon=True, name="nlqa-input").start()

    def _pump(self, items: Iterable[Item]) -> None:
        try:
            for item in items:
                self.queue.put(("item", Item(item.number, item.id, None, item.question, item.problem)))
            self.queue.put(("end", None))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the reading thread
            self.queue.put(("error", exc))

    def _take(self, block: bool, timeout: float | None = None):
        import queue
        if self.back:
            return self.back.popleft()
        try:
            return self.queue.get(block, timeout)
        except queue.Empty:
            return None

    def unread(self, chunks: list[list[Item]]) -> None:
        """Give ``chunks`` (taken to look ahead) back; they come first again."""
        self.again.extendleft(reversed(chunks))

    def _chunk(self, block: bool, timeout: float | None = None):
        if self.again:
            return self.again.popleft()
        if self.done:
            return None
        first = self._take(block, timeout)
        if first is None:
            return NOT_READY
        chunk: list[Item] = []
        entry = first
        while entry is not None:
            kind, value = entry
            if kind == "error":
                self.done = True
                raise value
            if kind == "end":
                self.done = True
                break
            chunk.append(value)
            if len(chunk) == self.size:
                break
            entry = self._take(False)
        return chunk or None

    def poll(self, timeout: float = 0.0):
        """The next chunk if some Item has arrived (within ``timeout`` s), ``NOT_READY``, or ``None`` at
        the end of the input."""
        return self._chunk(timeout > 0, timeout if timeout > 0 else None)

    def __iter__(self) -> Iterator[list[Item]]:
        while True:
            chunk = self._chunk(True)
            if chunk is None:
                return
            yield chunk



def in_order(chunks: Iterable[list[Item]], window: int, submit, collect) -> Iterator[Pairs]:
    """Each chunk's answers, in input order, with at most ``window`` chunks submitted and not yet
    collected: ``submit(chunk)`` returns a future, ``collect(chunk, future, flight)`` its answers
    (``flight``, the chunks still in flight, may be resubmitted in place)."""
    poll = getattr(chunks, "poll", None)     # a Feed: do not wait for input while answers are due
    chunks = iter(chunks)
    flight: deque = deque()
    ended = False
    while True:
        while len(flight) < window and not ended:
            chunk = poll() if poll is not None and flight else next(chunks, None)
            if chunk is NOT_READY:
                break
            if chunk is None:
                ended = True
                break
            flight.append((chunk, submit(chunk)))
        if not flight:
            return
        chunk, future = flight.popleft()
        yield collect(chunk, future, flight)


class Inline:
    """Answers in this process (``--jobs 1``, or an input that fits in one chunk)."""

    def __init__(self, framework: str | None, fmt_name: str):
        self.framework, self.fmt_name = framework, fmt_name

    def run(self, chunks: Iterable[list[Item]]) -> Iterator[Pairs]:
        for chunk in chunks:
            yield answer_chunk(chunk, self.framework, self.fmt_name)

    def close(self, kill: bool = False) -> None:
        pass


PR_SET_PDEATHSIG = 1          # prctl(2): the signal a process gets when its parent dies


def die_with_parent(parent: int) -> None:
    """Have the kernel kill this process when ``parent`` dies (Linux ``PR_SET_PDEATHSIG``), even by
    SIGKILL, so no worker is left asleep forever; elsewhere a no-op."""
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:       # the parent died before prctl took effect
        os._exit(1)


def _init_worker(build: bool, parent: int | None = None) -> None:
    """Worker start: Ctrl-C is the parent's to handle; die with the parent; build the reader once
    (spawned workers)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    for name in ("SIGTERM", "SIGHUP"):
        if hasattr(signal, name):
            signal.signal(getattr(signal, name), signal.SIG_DFL)
    if parent is not None:
        die_with_parent(parent)
    if build:
        from .reader.prose.pipeline import reader
        reader()


class Pool:
    """``jobs`` worker processes (a ProcessPoolExecutor). On Linux they are forked from this
    process after it built the reader, so they share it and start at once; elsewhere they are
    spawned and each builds its own reader."""

    def __init__(self, jobs: int, framework: str | None, fmt_name: str, window: int | None = None):
        import multiprocessing
        self.jobs, self.framework, self.fmt_name = jobs, framework, fmt_name
        self.window = window or 4 * jobs
        fork = sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()
        self.context = multiprocessing.get_context("fork" if fork else "spawn")
        self.build_in_worker = not fork
        if fork:
            from .reader.prose.pipeline import reader
            reader()
        self.executor = None
        self.restarts = 0
        self._start()

    def _start(self) -> None:
        from concurrent.futures import ProcessPoolExecutor
        self.executor = ProcessPoolExecutor(self.jobs, mp_context=self.context, initializer=_init_worker,
                                            initargs=(self.build_in_worker, os.getpid()))

    def _restart(self) -> None:
        self.close(kill=True)
        self.restarts += 1
        self._start()

    def _submit(self, chunk: list[Item]):
        return self.executor.submit(answer_chunk, chunk, self.framework, self.fmt_name)

    def _alone(self, chunk: list[Item]) -> Pairs:
        """``chunk`` answered one question at a time, nothing else in the pool: a question whose
        worker dies gets an error answer."""
        from concurrent.futures.process import BrokenProcessPool
        pairs = []
        for item in chunk:
            try:
                pairs.extend(self._submit([item]).result())
            except BrokenProcessPool as exc:
                pairs.append(error_pair(item, self.fmt_name, f"internal error: the worker process died while "
                                                             f"answering this question ({exc})"))
                self._restart()
        return pairs

    def run(self, chunks: Iterable[list[Item]]) -> Iterator[Pairs]:
        return in_order(chunks, self.window, self._submit, self._collect)

    def _collect(self, chunk: list[Item], future, flight: deque) -> Pairs:
        from concurrent.futures.process import BrokenProcessPool
        try:
            return future.result()
        except BrokenProcessPool:
            self._restart()
            pairs = self._alone(chunk)
            waiting = [c for c, _ in flight]
            flight.clear()
            flight.extend((c, self._submit(c)) for c in waiting)
            return pairs

    def close(self, kill: bool = False) -> None:
        """Stop the workers. ``kill`` (Ctrl-C, an error): chunks not started are cancelled and each
        worker finishes the chunk in hand (at most ``GRACE`` seconds), because a worker terminated
        while it writes its answers leaves half a message in the result pipe, on which the pool's
        manager thread then waits forever, and the interpreter with it at exit. A worker still busy
        after ``GRACE`` is killed and ``ABANDONED`` set: the caller must then leave with
        ``os._exit`` once its output is flushed."""
        global ABANDONED
        if self.executor is None:
            return
        if kill:
            import time
            processes = list((getattr(self.executor, "_processes", None) or {}).values())
            self.executor.shutdown(wait=False, cancel_futures=True)
            deadline = time.monotonic() + GRACE
            try:
                for process in processes:
                    process.join(max(0.0, deadline - time.monotonic()))
            except KeyboardInterrupt:          # a second Ctrl-C: stop waiting
                pass
            for process in processes:
                if process.is_alive():
                    process.kill()
                    process.join(5)
                    ABANDONED = True
        else:
            self.executor.shutdown(wait=True)
        self.executor = None


GRACE = 10.0
ABANDONED = False   # a worker had to be killed: the pool's threads may never end, so exit with os._exit


class EngineError(Exception):
    """The engine cannot start (Dask not installed, scheduler unreachable); exit 2."""


class Dask:
    """The same chunks on a Dask cluster: the scheduler at ``address``, else a LocalCluster of
    ``jobs`` single-threaded worker processes on loopback. Each worker process builds the reader
    once, on its first chunk. A chunk whose worker fails (after Dask's own retries) gives error
    answers for its questions."""

    def __init__(self, address: str | None, jobs: int, framework: str | None, fmt_name: str):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise EngineError("--engine dask needs Dask: pip install 'nlqa[dask]'") from None
        import logging
        import warnings
        self.framework, self.fmt_name, self.cluster = framework, fmt_name, None
        try:
            if address:
                self.client = Client(address, timeout="10s")
            else:
                with warnings.catch_warnings():    # "Port 8787 is already in use": another port is fine
                    warnings.filterwarnings("ignore", message="Port .* is already in use")
                    self.cluster = LocalCluster(n_workers=jobs, threads_per_worker=1, processes=True,
                                                host="127.0.0.1", dashboard_address=None,
                                                silence_logs=logging.ERROR)
                self.client = Client(self.cluster)
        except (OSError, TimeoutError) as exc:
            self.close()
            raise EngineError(f"cannot reach the Dask scheduler {address or '(local)'}: {exc}") from None
        threads = sum(self.client.nthreads().values()) or jobs
        self.window = 4 * max(threads, 1)

    def run(self, chunks: Iterable[list[Item]]) -> Iterator[Pairs]:
        return in_order(chunks, self.window, self._submit, self._collect)

    def _submit(self, chunk: list[Item]):
        return self.client.submit(answer_chunk, chunk, self.framework, self.fmt_name, pure=False)

    def _collect(self, chunk: list[Item], future, flight: deque) -> Pairs:
        try:
            return future.result()
        except Exception as exc:  # noqa: BLE001 - KilledWorker, lost connection: no line lost
            return [error_pair(item, self.fmt_name, f"internal error: the Dask worker failed: "
                                                    f"{type(exc).__name__}: {exc}") for item in chunk]
        finally:
            future.release()

    def close(self, kill: bool = False) -> None:
        client = getattr(self, "client", None)
        if client is not None:
            client.close()
        if self.cluster is not None:
            self.cluster.close()


def engine(name: str, jobs: int, framework: str | None, fmt_name: str, scheduler: str | None = None) -> Any:
    """The engine ``name`` (local or dask) for ``jobs`` processes; ``Inline`` for local with one job."""
    if name == "dask":
        return Dask(scheduler, jobs, framework, fmt_name)
    if jobs <= 1:
        return Inline(framework, fmt_name)
    return Pool(jobs, framework, fmt_name)
