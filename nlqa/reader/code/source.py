"""Pasted code as Python statements: notebook prompts stripped, then parsed statement by statement.

Nothing here runs the text; it is only parsed with ``ast``. A question mixes prose and code, and
pasted code may hold a syntax error or notebook prompts (``In [3]:``, ``>>>``, ``...``,
``Out[4]:``), so the text is cut into top-level statements (a line at indentation 0 outside
brackets starts one) and each is parsed alone. A statement that does not parse is replaced by
``pass`` (and its lines are reported as *broken*), so one bad line in a class body does not lose
the class; a line of prose is simply a statement that does not parse. Work is bounded: the
number of parse attempts is capped, and RecursionError/MemoryError from the parser end parsing.
"""

from __future__ import annotations

import ast
import re
import textwrap
import warnings
from dataclasses import dataclass, field

from ..cleanup import markdown

PROMPT_IN = re.compile(r"^\s*In \[\s*\d*\s*\]:[ \t]?")
PROMPT_OUT = re.compile(r"^\s*Out\[\s*\d*\s*\]:[ \t]?")
PROMPT_IPY_MORE = re.compile(r"^\s*\.\.\.:[ \t]?")
PROMPT_REPL = re.compile(r"^>>>(?: |$)")
PROMPT_REPL_MORE = re.compile(r"^\.\.\.(?: |$)")
SMART_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"'})
CONTINUATIONS = ("else:", "else :", "elif ", "except", "finally:", "finally :")
MAX_PARSES = 400          # parse attempts for one text
MAX_REPAIRS = 25          # statements replaced by ``pass`` in one top-level statement
MAX_NESTING = 3           # indented blocks re-parsed dedented inside one another


@dataclass
class Source:
    """The text as lines (prompts removed) and the statements that parsed, in source order."""

    lines: list[str]                                        # cleaned lines, one per line of the text
    statements: list[ast.stmt] = field(default_factory=list)  # line numbers are 1-based into lines
    code: set[int] = field(default_factory=set)             # 0-based lines covered by statements
    broken: set[int] = field(default_factory=set)           # lines of code that did not parse
    output: set[int] = field(default_factory=set)           # notebook/REPL output lines
    prompts: bool = False                                   # the text had notebook or REPL prompts


PIPE_ROW = re.compile(r"^\s*\|.*\|\s*$")


def blank_pipe_output(text: str) -> str:
    """A fenced block that holds only pipe-table rows (``| weight | (1,) |``) is what a tool printed
    (fvcore's ``parameter_count_table``, a Markdown dump): its row labels are no words of the
    question ("weight" is a row, not the quantity asked). Its lines are blanked, keeping every
    offset; a summary table nlqa reads is taken out before this."""
    if "|" not in text or not markdown.has_markup(text):
        return text
    lines = text.split("\n")
    for block in markdown.read(text).blocks:
        if not block.fence or not block.closed:
            continue
        rows = [j for j in range(block.start + 1, block.end - 1) if lines[j].strip()]
        if len(rows) >= 2 and all(PIPE_ROW.match(lines[j]) for j in rows):
            for j in rows:
                lines[j] = " " * len(lines[j])
    return "\n".join(lines)


def parse_quietly(text: str, mode: str = "exec") -> ast.AST:
    """``ast.parse`` without the SyntaxWarnings prose provokes ("10k inputs": invalid literal)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ast.parse(text, mode=mode)


def clean_lines(text: str) -> Source:
    """The text's lines with notebook and REPL prompts removed; output lines marked."""
    text = text.translate(SMART_QUOTES)     # code pasted from a blog or a word processor
    raw = [line.rstrip("\r") for line in text.split("\n")]
    ipython = any(PROMPT_IN.match(line) for line in raw)
    repl = any(PROMPT_REPL.match(line) for line in raw)
    source = Source([], prompts=ipython or repl)
    in_session = False
    fences = markdown.read(text).fence_lines
    for i, line in enumerate(raw):
        if i in fences:
            source.lines.append("")
            source.output.add(i)         # a Markdown fence: neither code nor prose
            continue
        if ipython and PROMPT_OUT.match(line):
            source.lines.append(PROMPT_OUT.sub("", line, count=1))
            source.output.add(i)
            continue
        if ipython and PROMPT_IN.match(line):
            line = PROMPT_IN.sub("", line, count=1)
        elif ipython and PROMPT_IPY_MORE.match(line):
            line = PROMPT_IPY_MORE.sub("", line, count=1)
        elif repl and PROMPT_REPL.match(line):
            line, in_session = line[4:], True
        elif repl and in_session and PROMPT_REPL_MORE.match(line):
            line = line[4:]
        elif repl and in_session and line.strip():
            source.output.add(i)         # what the interpreter printed, or prose after the session
        source.lines.append(line)
    return source


def parse_source(text: str) -> Source:
    """Clean ``text`` and parse what parses; see the module docstring."""
    source = clean_lines(text)
    work = ["" if i in source.output else line for i, line in enumerate(source.lines)]
    parser = _Parser(source)
    try:
        statements = parser.lines(work, 0, 0)
    except (RecursionError, MemoryError, ValueError):
        statements = []
    statements.sort(key=lambda s: s.lineno)
    source.statements = statements
    for s in statements:
        source.code.update(range(s.lineno - 1, (s.end_lineno or s.lineno)))
    source.code -= source.broken
    return source


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _scan(line: str, depth: int, triple: str | None) -> tuple[int, str | None]:
    """Bracket depth and open triple-quoted string after ``line`` (strings and comments skipped)."""
    i, n = 0, len(line)
    while i < n:
        if triple:
            j = line.find(triple, i)
            if j < 0:
                return depth, triple
            i, triple = j + 3, None
            continue
        ch = line[i]
        if ch == "#":
            break
        if ch in "\"'":
            if line.startswith(ch * 3, i):
                triple, i = ch * 3, i + 3
                continue
            j = i + 1
            while j < n and line[j] != ch:
                j += 2 if line[j] == "\\" else 1
            i = j + 1                       # a quote left open ends with the line
            continue
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth = max(depth - 1, 0)
        i += 1
    return depth, triple


def comment(line: str) -> str:
    """The text of the comment ``line`` ends with ("" if none); strings are skipped."""
    i, n = 0, len(line)
    while i < n:
        ch = line[i]
        if ch == "#":
            return line[i + 1:].strip()
        if ch in "\"'":
            j = i + 1
            while j < n and line[j] != ch:
                j += 2 if line[j] == "\\" else 1
            i = j + 1
            continue
        i += 1
    return ""


def _chunks(work: list[str]) -> list[tuple[int, int]]:
    """Top-level statements as line ranges [start, end)."""
    chunks: list[list[int]] = []
    depth, triple, continued, decorating, opened = 0, None, False, False, False
    for i, line in enumerate(work):
        stripped = line.strip()
        starts = (stripped and not stripped.startswith("#") and _indent(line) == 0 and triple is None
                  and not continued and not stripped.startswith(CONTINUATIONS))
        if starts and depth > 0 and (stripped[0] in ")]}" or opened):
            starts = False                      # "Sequential([" then "l0," unindented: still the call
        if stripped and not stripped.startswith("#"):
            opened = stripped.endswith(("(", "[", "{", ","))
        if starts and decorating and not stripped.startswith("@"):
            starts, decorating = False, False  # the def/class a decorator belongs to
        elif starts:
            decorating = stripped.startswith("@")
        if starts or not chunks:
            if starts:
                depth = 0                       # an unclosed bracket does not swallow the rest
            chunks.append([i, i + 1])
        chunks[-1][1] = i + 1
        depth, triple = _scan(line, depth, triple)
        continued = triple is None and line.rstrip().endswith("\\") and "#" not in line
    return [(a, b) for a, b in chunks]


class _Parser:
    def __init__(self, source: Source):
        self.source = source
        self.parses = 0

    def _parse(self, lines: list[str], offset: int) -> list[ast.stmt]:
        self.parses += 1
        try:
            tree = parse_quietly("\n".join(lines))
        except (RecursionError, MemoryError, ValueError) as exc:   # too deep, too big, NUL bytes
            raise SyntaxError(str(exc)) from None                  # no line: the chunk is given up
        if offset:
            ast.increment_lineno(tree, offset)
        return tree.body

    def lines(self, work: list[str], offset: int, nesting: int) -> list[ast.stmt]:
        """Statements of ``work`` (lines ``offset``… of the text): the whole, else chunk by chunk."""
        if not any(line.strip() for line in work):
            return []
        try:
            return self._parse(work, offset)
        except SyntaxError:
            pass
        out: list[ast.stmt] = []
        for start, end in _chunks(work):
            if self.parses >= MAX_PARSES:
                break
            out += self.chunk(work[start:end], offset + start, nesting)
        return out

    def chunk(self, local: list[str], offset: int, nesting: int) -> list[ast.stmt]:
        """One top-level statement; failing statements inside it become ``pass``."""
        local = list(local)
        repaired: set[int] = set()
        out: list[ast.stmt] = []
        for _ in range(MAX_REPAIRS):
            if self.parses >= MAX_PARSES:
                break
            try:
                body = self._parse(local, offset)
            except SyntaxError as error:
                row = (error.lineno or 0) - 1
                if not 0 <= row < len(local):
                    self._give_up(local, offset)
                    return out
                message = error.msg or ""
                if "unexpected indent" in message:
                    end = row + 1
                    while end < len(local) and (not local[end].strip() or _indent(local[end]) >= _indent(local[row])):
                        end += 1
                    if nesting < MAX_NESTING:   # an indented code block after prose
                        block = textwrap.dedent("\n".join(local[row:end])).split("\n")
                        out += self.lines(block, offset + row, nesting + 1)
                    else:
                        self.source.broken.update(offset + k for k in range(row, end) if local[k].strip())
                    for k in range(row, end):
                        local[k] = ""
                    continue
                if "expected an indented block" in message:
                    row = max((k for k in range(row) if local[k].strip()), default=row)
                start, end = _statement(local, row)
                if not any(local[k].strip() and local[k].strip() != "pass" for k in range(start, end + 1)):
                    self._give_up(local, offset)
                    return out
                self.source.broken.update(offset + k for k in range(start, end + 1) if local[k].strip())
                local[start] = " " * _indent(local[start]) + "pass"
                for k in range(start + 1, end + 1):
                    local[k] = ""
                repaired.add(start)
                continue
            return out + [s for s in body if not (isinstance(s, ast.Pass) and s.lineno - 1 - offset in repaired)]
        self._give_up(local, offset)
        return out

    def _give_up(self, local: list[str], offset: int) -> None:
        self.source.broken.update(offset + k for k, line in enumerate(local)
                                  if line.strip() and line.strip() != "pass")


def _statement(local: list[str], row: int) -> tuple[int, int]:
    """The lines [start, end] of the statement holding line ``row`` (bracket continuations)."""
    starts, depth, triple = [], 0, None
    for line in local:
        starts.append(depth > 0 or triple is not None)
        depth, triple = _scan(line, depth, triple)
    start = row
    while start > 0 and (starts[start] or local[start - 1].rstrip().endswith("\\")):
        start -= 1
    depth, triple = 0, None
    for k in range(start, len(local)):
        depth, triple = _scan(local[k], depth, triple)
        if k >= row and depth == 0 and triple is None and not local[k].rstrip().endswith("\\"):
            return start, k
    base = _indent(local[start])
    for k in range(row + 1, len(local)):   # never closed: up to the next line at its indentation
        if local[k].strip() and _indent(local[k]) <= base:
            return start, k - 1
    return start, max(row, start)
