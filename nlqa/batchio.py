"""Inputs of ``nlqa batch``: JSON Lines, CSV and plain text read lazily into :class:`Item` s.

Every reader yields exactly one Item per non-blank input record (a JSONL line, a CSV row, a text
block) and never raises on bad data: a record that cannot be answered becomes an Item with a
``problem`` (the run writes it as an ``error`` answer). Memory stays bounded whatever the input:
an over-long line or block is skipped to its end without being kept.

==========  =======================================================  ==========================
format      record                                                   id when the record has none
==========  =======================================================  ==========================
jsonl       one JSON object a line with ``question`` (and ``id``)    the 1-based line number
csv         one row; the question in ``--column`` (header row)       the 1-based data row number;
                                                                     ``row N`` when other rows have
                                                                     ids (never one of theirs)
text        a block of non-blank lines (blocks: blank-line separated) the 1-based block number
==========  =======================================================  ==========================
"""

from __future__ import annotations

import csv
import io
import json
import os
import stat
from dataclasses import dataclass
from typing import IO, Any, Iterator

from .batchopts import MAX_CHARS

EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".tsv": "tsv", ".txt": "text",
              ".text": "text", ".md": "text"}


@dataclass(frozen=True)
class Item:
    """One input record read: its id, the object, the question, or why it cannot be answered."""

    number: int
    id: Any
    data: dict | None = None
    question: str | None = None
    problem: str = ""


class InputError(Exception):
    """The input as a whole cannot be read (e.g. the CSV has no question column); exit 2."""


def line_limit(max_chars: int) -> int:
    """Longest input line read, in bytes: room for ``max_chars`` escaped characters and the rest."""
    return 6 * max_chars + 65_536


def _too_long(what: str, length: int, max_chars: int) -> str:
    return (f"{what} is {length:,} characters long; nlqa batch reads questions up to {max_chars:,} "
            f"characters (--max-chars)")


def checked(item: Item, max_chars: int | None) -> Item:
    """``item``, or an Item with a problem when its question is longer than ``max_chars``."""
    if max_chars is None or item.question is None or len(item.question) <= max_chars:
        return item
    return Item(item.number, item.id, item.data, None,
                _too_long(f"the question of record {item.number}", len(item.question), max_chars))


def json_problem(exc: json.JSONDecodeError, text: str) -> str:
    """What is wrong with a JSON line, in the user's words (``grammars/json_errors.toml``)."""
    from .resources import load_toml
    table = load_toml("json_errors.toml")
    if not text[exc.pos:].strip():                    # the parser ran off the end of the line
        return table["unclosed" if exc.msg.startswith(("Invalid control", "Unterminated")) else "unfinished"]
    for start, sentence in table["errors"].items():
        if exc.msg.startswith(start):
            return sentence.format(column=exc.colno)
    return table["fallback"].format(reason=exc.msg, column=exc.colno)


def _finite(text: str) -> float | str:
    """A JSON number as a float, or as the text written when no float holds it (1e400): an id
    stays an id, and the output stays strict JSON."""
    value = float(text)
    return value if value not in (float("inf"), float("-inf")) else text


def read_item(number: int, text: str, max_chars: int | None = None) -> Item:
    """The Item of JSON Lines line ``number`` (``text``: the decoded line)."""
    try:
        data = json.loads(text, parse_constant=str, parse_float=_finite)
    except json.JSONDecodeError as exc:
        return Item(number, number, problem=f"line {number} is not valid JSON: {json_problem(exc, text)}")
    except ValueError as exc:
        return Item(number, number, problem=f"line {number} is not valid JSON ({exc})")
    except RecursionError:
        return Item(number, number, problem=f"line {number} is not valid JSON (nested too deeply)")
    if not isinstance(data, dict):
        return Item(number, number, problem=f"line {number} is not a JSON object")
    id_ = number if data.get("id") is None else data["id"]
    question = data.get("question")
    if "question" not in data:
        return Item(number, id_, data, problem=f'line {number} has no "question"')
    if not isinstance(question, str):
        return Item(number, id_, data, problem=f'line {number}: "question" must be a string, '
                                                 f"not {type(question).__name__}")
    if max_chars is not None and len(question) > max_chars:
        return Item(number, id_, None, problem=_too_long(f"the question of line {number}", len(question), max_chars))
    return Item(number, id_, data, question)


# -- raw lines ---------------------------------------------------------------------------------

def bounded_lines(handle: IO[bytes], limit: int) -> Iterator[tuple[int, bytes | None]]:
    """``(line_number, bytes)`` for each line of a binary stream; ``None`` for a line longer than
    ``limit`` bytes, which is skipped to its end without being kept in memory."""
    number = getattr(handle, "skipped", 0)      # blank lines a sniffing Replay already counted
    while True:
        line = handle.readline(limit + 1)
        if not line:
            return
        number += 1
        if len(line) > limit and not line.endswith(b"\n"):
            while True:
                rest = handle.readline(1 << 20)
                if not rest or rest.endswith(b"\n"):
                    break
            yield number, None
        else:
            yield number, line


def _text(number: int, line: bytes) -> str:
    text = line.decode("utf-8", errors="replace")
    return text.lstrip("\ufeff") if number == 1 else text


class Replay:
    """A binary stream whose start was already read: ``readline`` gives back ``pending`` (the bytes
    read past the leading blank lines) before the rest. ``skipped`` is the number of blank lines
    before them, which the line readers count without reading them again (a million blank lines
    cost neither memory nor a million calls)."""

    def __init__(self, skipped: int, pending: bytes, rest: IO[bytes]):
        self.skipped, self.pending, self.rest = skipped, pending, rest

    def readline(self, limit: int = -1) -> bytes:
        if not self.pending:
            return self.rest.readline(limit)
        cut = self.pending.find(b"\n")
        if cut >= 0 and (limit < 0 or cut < limit):
            line, self.pending = self.pending[:cut + 1], self.pending[cut + 1:]
            return line
        if limit >= 0 and len(self.pending) >= limit:
            line, self.pending = self.pending[:limit], self.pending[limit:]
            return line
        line, self.pending = self.pending, b""
        return line + self.rest.readline(limit - len(line) if limit >= 0 else -1)


WHITESPACE = b" \t\r\n\x0b\x0c"


def sniff(handle: IO[bytes], limit: int) -> tuple[str, Replay]:
    """The format of a stream with no telling name: JSON Lines when its first non-blank line starts
    with ``{``, else plain text; and the stream, rewound over what was read. Leading blank lines
    are read in blocks and only counted (linear time, flat memory)."""
    skipped, carry, first = 0, b"", True
    read = getattr(handle, "read1", handle.read)   # what has arrived: a pipe's writer may be waiting
    while True:
        block = read(1 << 16)
        if first:
            block, first = block.removeprefix(b"\xef\xbb\xbf"), False
        if not block:
            return "jsonl", Replay(skipped, b"", handle)
        block = carry + block
        start = len(block) - len(block.lstrip(WHITESPACE))
        if start == len(block):                    # all blank: count its lines, carry a partial one
            skipped += block.count(b"\n")
            carry = block[block.rfind(b"\n") + 1:][:limit]
            continue
        line_start = block.rfind(b"\n", 0, start) + 1
        skipped += block.count(b"\n", 0, line_start)
        fmt = "jsonl" if block[start:start + 1] == b"{" else "text"
        return fmt, Replay(skipped, block[line_start:], handle)


def format_of(path: str, given: str | None) -> str | None:
    """The input format: ``given``, else by extension; ``None`` when the content must tell."""
    if given:
        return given
    if path == "-":
        return None
    return EXTENSIONS.get(os.path.splitext(path)[1].lower())


# -- the three readers -------------------------------------------------------------------------

def read_jsonl(handle: IO[bytes], max_chars: int = MAX_CHARS) -> Iterator[Item]:
    """One Item per non-blank line; id: the line's ``id``, else its line number."""
    for number, line in bounded_lines(handle, line_limit(max_chars)):
        if line is None:
            yield Item(number, number, problem=f"line {number} is longer than {line_limit(max_chars):,} bytes")
            continue
        text = _text(number, line)
        if text.strip():
            yield read_item(number, text, max_chars)


def read_text(handle: IO[bytes], max_chars: int = MAX_CHARS) -> Iterator[Item]:
    """One Item per block of non-blank lines (blocks are separated by blank lines); id: the block
    number. The question is the block's lines joined with newlines (code keeps its layout)."""
    block: list[str] = []
    size, start, overflow, count = 0, 0, False, 0

    def flush() -> Item:
        nonlocal block, size, overflow
        where = f"the question of block {count} (line {start})"
        item = (Item(count, count, problem=_too_long(where, size - 1, max_chars)) if overflow
                else Item(count, count, question="\n".join(block)))
        block, size, overflow = [], 0, False
        return item

    for number, line in bounded_lines(handle, line_limit(max_chars)):
        text = None if line is None else _text(number, line).rstrip("\r\n")
        if text is not None and not text.strip():
            if block or overflow:
                yield flush()
            continue
        if not block and not overflow:
            count, start = count + 1, number
        length = line_limit(max_chars) if text is None else len(text) + 1
        size += length
        if text is None or size > max_chars + 1:
            overflow, block = True, []
        else:
            block.append(text)
    if block or overflow:
        yield flush()


def generated_id(number: int, taken: set[str]) -> str:
    """The id of data row ``number`` that has none, in a CSV whose other rows have ids: ``row N``,
    which cannot be read as another row's number, with ``~2``, ``~3`` ... when an id before took it."""
    id_, k = f"row {number}", 1
    while id_ in taken:
        k += 1
        id_ = f"row {number}~{k}"
    taken.add(id_)
    return id_


def read_csv(handle: IO[bytes], column: str = "question", max_chars: int = MAX_CHARS,
             delimiter: str = ",") -> Iterator[Item]:
    """One Item per row with a non-empty cell; the question from ``column`` of the header row, the
    id from an ``id`` column when there is one and the cell is not empty, else the row number.
    Raises :class:`InputError` (before any Item) when the header has no such column."""
    text = io.TextIOWrapper(handle, encoding="utf-8-sig", errors="replace", newline="")  # type: ignore[arg-type]
    if csv.field_size_limit() < max_chars + 1:
        csv.field_size_limit(max_chars + 1)
    rows = csv.reader(text, delimiter=delimiter)
    try:
        header = next(rows)
    except StopIteration:
        return
    except csv.Error as exc:
        raise InputError(f"cannot read the CSV header: {exc}") from None
    names = [h.strip() for h in header]
    if column not in names:
        shown = ", ".join(repr(n) for n in names[:12]) or "none"
        raise InputError(f"the CSV header has no column {column!r} (columns: {shown}); "
                         f"name the question column with --column")
    qcol, icol = names.index(column), (names.index("id") if "id" in names else None)
    taken: set[str] = set()      # the explicit ids seen so far (a generated id never repeats one)
    number = 0
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except csv.Error as exc:
            number += 1
            yield Item(number, number, problem=f"row {number} (line {rows.line_num}) cannot be read: {exc}")
            continue
        number += 1
        if not any(cell.strip() for cell in row):
            continue
        if icol is not None and icol < len(row) and row[icol].strip():
            id_ = row[icol]
            taken.add(id_)
        elif icol is not None:
            id_ = generated_id(number, taken)
        else:
            id_ = number
        data = dict(zip(names, row))
        if qcol >= len(row) or not row[qcol].strip():
            yield Item(number, id_, data, problem=f"row {number} has no question in column {column!r}")
            continue
        yield checked(Item(number, id_, data, row[qcol]), max_chars)


def read_items(handle: IO[bytes], fmt: str, column: str = "question", max_chars: int = MAX_CHARS) -> Iterator[Item]:
    """The Items of a binary stream in format ``fmt`` (``None``: sniffed from the content)."""
    if fmt is None:
        fmt, handle = sniff(handle, line_limit(max_chars))  # type: ignore[assignment]
    if fmt == "jsonl":
        return read_jsonl(handle, max_chars)
    if fmt == "text":
        return read_text(handle, max_chars)
    return read_csv(handle, column, max_chars, "\t" if fmt == "tsv" else ",")


def count_records(path: str, fmt: str | None, column: str = "question", max_chars: int = MAX_CHARS) -> int | None:
    """How many Items ``path`` holds (for a progress bar's total), by a quick scan; ``None`` for stdin
    and anything but a regular file (a pipe or a FIFO read here would be drained for the run)."""
    if path == "-":
        return None
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return None
        with open(path, "rb") as handle:
            return sum(1 for _ in read_items(handle, format_of(path, fmt), column, max_chars))
    except (OSError, InputError):
        return None
