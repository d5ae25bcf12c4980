"""Outputs of ``nlqa batch``: one line per answer in JSON Lines, CSV or a Markdown table, written
as each answer is made, and ``--resume`` of an interrupted output file.

Every format writes exactly one physical line per answer (CSV and Markdown cells have their
whitespace collapsed), after a fixed header (none for JSON Lines). So an output file is a header
and complete records, plus at most one partial line when a run was killed; ``Resume`` drops that
line and tells which ids are already answered, and appending the rest gives the same bytes as an
uninterrupted run.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
from typing import IO, TYPE_CHECKING, Any, Iterator

if TYPE_CHECKING:
    from .answer import Answer


OUTPUT_EXTENSIONS = {".csv": "csv", ".md": "markdown", ".markdown": "markdown"}


def _flat(text: Any) -> str:
    """``text`` on one line: control characters dropped, whitespace runs (newlines too) one space."""
    from .render.common import clean
    return " ".join(clean(text).split())


class JsonLines:
    """The JSON answer contract of docs/json.md, one object a line (``nlqa ask --json``'s object)."""

    name, header = "jsonl", ""

    def record(self, answer: Answer) -> str:
        from .render import render_json
        return render_json(answer)

    def id_key(self, id_: Any) -> str:
        return json.dumps(id_, ensure_ascii=False, sort_keys=True)

    def record_key(self, line: str) -> str | None:
        try:
            data = json.loads(line)
        except ValueError:
            return None
        return self.id_key(data.get("id")) if isinstance(data, dict) and "status" in data else None


FORMULA_START = ("=", "+", "-", "@")
NUMBER = re.compile(r"[-+]?\d[\d,]*(?:\.\d+)?(?:[eE][-+]?\d+)?")


def defused(text: str) -> str:
    """A CSV cell a spreadsheet will not run: text starting with = + - @ (a formula: '=HYPERLINK(...)',
    '@SUM(...)') gets a leading apostrophe, as OWASP advises; a plain number such as -5 is kept."""
    if text.startswith(FORMULA_START) and not NUMBER.fullmatch(text):
        return "'" + text
    return text


class Csv:
    """One row per answer: the scalar fields, lists joined with '; ' (JSON Lines has everything)."""

    name = "csv"
    COLUMNS = ("id", "status", "quantity", "value", "unit", "layer", "framework", "answer", "question",
               "message", "assumptions", "alternatives", "missing")
    header = ",".join(COLUMNS) + "\n"

    @staticmethod
    def cell(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, (list, tuple)):
            return json.dumps(list(value))
        return defused(_flat(value))

    def record(self, answer: Answer) -> str:
        from .render.common import answer_phrase
        alternatives = "; ".join(f"{_flat(a['reading'])}: {self.cell(a['value'])}" for a in answer.alternatives)
        row = [self.cell(answer.id), self.cell(answer.status), self.cell(answer.quantity), self.cell(answer.value),
               self.cell(answer.unit), self.cell(answer.layer), self.cell(answer.framework),
               self.cell(answer_phrase(answer)) if answer.status == "answered" else "", self.cell(answer.question),
               self.cell(answer.message), defused("; ".join(_flat(a) for a in answer.assumptions)),
               defused(alternatives), defused("; ".join(_flat(m) for m in answer.missing))]
        out = io.StringIO()
        csv.writer(out, lineterminator="").writerow(row)
        return out.getvalue()

    def id_key(self, id_: Any) -> str:
        return self.cell(id_)

    def record_key(self, line: str) -> str | None:
        try:
            row = next(csv.reader([line]))
        except (csv.Error, StopIteration):
            return None
        return row[0] if len(row) == len(self.COLUMNS) else None


class Markdown:
    """A Markdown table, one row per answer: id, status, the answer, the question (shortened), and
    the other readings or what is missing. ``nlqa ask --markdown`` gives one answer in full."""

    name = "markdown"
    header = "| id | status | answer | question | note |\n|---|---|---|---|---|\n"
    QUESTION_CHARS = 300
    ROW = re.compile(r"^\| ((?:\\.|[^\\|])*) \| ")

    @staticmethod
    def _cell(text: Any) -> str:
        from .render.markdown import md_escape
        return md_escape(_flat(text))

    def record(self, answer: Answer) -> str:
        from .render.common import answer_phrase, value_text
        question = _flat(answer.question)
        if len(question) > self.QUESTION_CHARS:
            question = question[:self.QUESTION_CHARS - 1] + "…"
        if answer.status == "answered":
            result = answer_phrase(answer)
            note = "; ".join(f"{a['reading']}: {value_text(a['value'])}" for a in answer.alternatives)
            note = f"other readings: {note}" if note else ""
        else:
            result, note = "—", answer.message
        cells = [answer.id, answer.status.replace("_", " "), result, question, note]
        return "| " + " | ".join(self._cell(c) for c in cells) + " |"

    def id_key(self, id_: Any) -> str:
        return self._cell(id_)

    def record_key(self, line: str) -> str | None:
        match = self.ROW.match(line)
        return match.group(1) if match else None


FORMATS = {"jsonl": JsonLines, "csv": Csv, "markdown": Markdown}


def output_format(name: str):
    return FORMATS[name]()


def format_for(output: str | None, given: str | None) -> str:
    """``--format``, else by the extension of ``-o`` (.csv, .md), else JSON Lines."""
    if given:
        return given
    if output and output != "-":
        return OUTPUT_EXTENSIONS.get(os.path.splitext(output)[1].lower(), "jsonl")
    return "jsonl"


class ResumeError(Exception):
    """The output file cannot be continued (another format, another input); exit 2."""


class Resume:
    """An existing output file to continue: its complete records' ids, in order.

    ``Resume(path, fmt)`` checks the file is ``fmt``'s output (header, first record) before it
    changes anything, then drops a partial last line (everything after the last newline) and,
    when even the header is incomplete, the whole file. ``keys()`` then gives each record's id
    key, read lazily (memory stays flat)."""

    def __init__(self, path: str, fmt) -> None:
        self.path, self.fmt = path, fmt
        header = fmt.header.encode("utf-8")
        with open(path, "rb") as handle:
            head = handle.read(len(header))
            first = handle.readline()
            handle.seek(0, os.SEEK_END)
            size = handle.tell()
            end = self._complete_end(handle, size)
        if header and not header.startswith(head) and head != header:
            raise ResumeError(f"{path} is not a {fmt.name} output of nlqa batch (its header differs); "
                              f"resume with the --format it was written with, or choose another -o")
        if first.endswith(b"\n") and fmt.record_key(first.decode("utf-8", errors="replace")) is None:
            raise ResumeError(f"{path} is not a {fmt.name} output of nlqa batch (line "
                              f"{fmt.header.count(chr(10)) + 1} is not an answer); choose another -o")
        if end < len(header):
            end = 0                      # not even the header is complete: start afresh
        if end != size:
            with open(path, "r+b") as handle:
                handle.truncate(end)
        self.dropped = size - end
        self.fresh = end == 0

    @staticmethod
    def _complete_end(handle: IO[bytes], size: int) -> int:
        """The offset just after the file's last newline (0 when it has none)."""
        block = 1 << 16
        position = size
        while position > 0:
            start = max(0, position - block)
            handle.seek(start)
            data = handle.read(position - start)
            newline = data.rfind(b"\n")
            if newline >= 0:
                return start + newline + 1
            position = start
        return 0

    def keys(self) -> Iterator[str]:
        """The id key of each complete record, in file order; raises ResumeError at a line that
        is not a record of this format."""
        skip = self.fmt.header.count("\n")
        with open(self.path, "rb") as handle:
            for number, line in enumerate(handle, 1):
                if number <= skip:
                    continue
                key = self.fmt.record_key(line.decode("utf-8", errors="replace").rstrip("\n"))
                if key is None:
                    raise ResumeError(f"line {number} of {self.path} is not a {self.fmt.name} answer; "
                                      f"cannot resume from it")
                yield key


class OutputError(Exception):
    """The output cannot be written (disk full, I/O error): exit 2, naming the file."""

    def __init__(self, path: str | None, exc: OSError):
        self.path, self.exc = path, exc
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.path or "stdout"
        text = f"cannot write {where}: {self.exc.strerror or self.exc}"
        if self.path:
            text += (f"; the answers written so far are whole lines: once the problem is fixed, continue with "
                     f"--resume -o {self.path}")
        return text


class Sink:
    """Where answers go, one complete line per ``write``, flushed at once.

    A file is written through an unbuffered raw handle: one ``write`` call per line, so a Ctrl-C
    (raised between Python bytecodes) leaves the file with whole lines only. A failed write (disk
    full, EIO) raises :class:`OutputError`."""

    def __init__(self, stream: IO[str] | None = None, path: str | None = None, append: bool = False):
        self.stream, self.path = stream, path
        self.raw = open(path, "ab" if append else "wb", buffering=0) if path is not None else None

    def write(self, text: str) -> None:
        try:
            self._write(text)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(self.path, exc) from None

    def _write(self, text: str) -> None:
        if self.raw is None:
            self.stream.write(text)
            self.stream.flush()
            return
        data = memoryview(text.encode("utf-8"))
        while data:
            written = self.raw.write(data)
            data = data[written or 0:]

    def close(self) -> None:
        if self.raw is not None:
            try:
                self.raw.close()
            except OSError:
                pass
            self.raw = None


class Identity:
    """What identifies the input an output file was written from, kept beside it in
    ``OUT.nlqa-input``: a first line with the input's path and size (JSON), then one line per
    answer written, the first 16 hex digits of the SHA-256 of its record (id and question).

    ``--resume`` checks each record it skips against the line for it and refuses (exit 2) at the
    first that differs, even when records have no ids (plain text, CSV without an id column), so
    two inputs are never mixed in one output. The file is rewritten as the records are skipped and
    appended as answers are written (one write a chunk): memory stays flat whatever the length."""

    SUFFIX = ".nlqa-input"
    WIDTH = 16

    def __init__(self, output: str, source: str, resume: bool):
        self.output, self.path = output, output + self.SUFFIX
        self.source = source if source == "-" else os.path.abspath(source)
        try:
            size = os.stat(source).st_size if source != "-" else None
        except OSError:
            size = None
        self.count, self.pending, self.recorded, self.old = 0, __import__("collections").deque(), None, None
        if resume:
            try:
                self.old = open(self.path, "rb")
                self.recorded = json.loads(self.old.readline()).get("input")
            except (OSError, ValueError, AttributeError):
                self.old, self.recorded = None, None
        try:
            self.new = open(self.path + ".tmp", "wb")
            self.new.write((json.dumps({"input": self.source, "size": size}) + "\n").encode("utf-8"))
        except OSError as exc:
            raise OutputError(self.path, exc) from None
        self.placed = False

    @classmethod
    def digest(cls, item) -> bytes:
        import hashlib
        key = json.dumps([repr(item.id), item.question, item.problem], ensure_ascii=False)
        return hashlib.sha256(key.encode("utf-8", errors="replace")).hexdigest()[:cls.WIDTH].encode()

    @staticmethod
    def _name(source) -> str:
        return "stdin" if source in ("-", None) else str(source)

    def answered_before(self, item) -> None:
        """A record whose answer the output already holds (``--resume``): checked against its line."""
        digest = self.digest(item)
        self.count += 1
        if self.old is not None:
            line = self.old.readline()
            if len(line) == self.WIDTH + 1 and line[:self.WIDTH] != digest:
                self.close()
                raise ResumeError(
                    f"cannot resume: question {self.count:,} of {self._name(self.source)} is not the one answered "
                    f"on line {self.count:,} of {self.output}, which was written from {self._name(self.recorded)}; "
                    f"resume with that input, or write the answers to another -o")
            if len(line) != self.WIDTH + 1:
                self.old.close()
                self.old = None
        self._write(digest + b"\n")

    def coming(self, item) -> None:
        """A record sent to be answered; its answer is ``written`` later, in order."""
        self._place()
        self.pending.append(self.digest(item))

    def written(self, n: int = 1) -> None:
        """``n`` more answers are in the output: their records' lines are appended."""
        self._place()
        lines = [self.pending.popleft() + b"\n" for _ in range(min(n, len(self.pending)))]
        self._write(b"".join(lines))
        try:
            self.new.flush()
        except OSError as exc:
            raise OutputError(self.path, exc) from None

    def _write(self, data: bytes) -> None:
        try:
            self.new.write(data)
        except OSError as exc:
            raise OutputError(self.path, exc) from None

    def _drop_old(self) -> None:
        if self.old is not None:
            self.old.close()
            self.old = None

    def _place(self) -> None:
        """The skipping is over: the rewritten file replaces the old one (the handle stays open)."""
        if self.placed:
            return
        self._drop_old()
        try:
            self.new.flush()
            os.replace(self.path + ".tmp", self.path)
        except OSError as exc:
            raise OutputError(self.path, exc) from None
        self.placed = True

    def finish(self) -> None:
        """The run read its whole input: the file now holds a line for every answer."""
        self._place()

    def close(self) -> None:
        """At the end of the run. While still skipping (an interrupted or refused resume) the old
        file is left as it was."""
        if self.new.closed:
            return
        self._drop_old()
        try:
            self.new.close()
        except OSError:
            pass
        if not self.placed:
            try:
                os.unlink(self.path + ".tmp")
            except OSError:
                pass
