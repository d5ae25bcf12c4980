"""Markdown in a question, read once with markdown-it-py (CommonMark with pipe tables).

Real posts paste fenced code (```` ```python ````, ``~~~``), bullet and numbered lists, pipe tables,
``inline code``, **bold** and ``### headings``. :func:`read` parses a text once and returns what later
stages need as data, by line (0-based, as markdown-it's ``token.map``) and by character offset:

* ``blocks``: code blocks (fenced or indented), their lines and the fence lines around them;
* ``items``: list items, their lines and nesting depth;
* ``rows``: table rows, their cells, and the delimiter rows (``|---|:-:|``);
* ``spans``: inline code spans (``LSTM(64)``, backticks included);
* ``prose``: the text with its markup neutralised, character for character (so every offset still
  points into the text): fence lines, heading and quote markers, ``**``/``__`` and the backticks of
  code spans become spaces; a table row becomes one phrase (``| LSTM | 12 |`` → `` LSTM   12 ,``,
  the delimiter row and a leading row-number cell blank). Code is left as written, and so is
  everything markdown does not read as markup (``3*3*3`` is not emphasis here).

markdown-it is imported only for a text that holds a markdown marker (:data:`MARKERS`): most
questions have none, and start-up stays as it was.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

# a cheap test: a text without any of these has no markup that read() would report
MARKERS = re.compile(r"^[ \t]{0,3}(?:```|~~~|[-*+•‣▪][ \t]+\S|\d{1,9}[.)][ \t]+\S|#{1,6}[ \t]|>)|\|[^\n]*\||\*\*|__|`"
                     r"|(?:\A|\n[ \t]*\n)(?: {4}|\t)[ \t]*\S", re.MULTILINE)   # the last: an indented code block
# bullets a copy from a web page keeps; a lone carriage return (markdown-it counts it as a line break)
BULLETS = str.maketrans({"•": "-", "‣": "-", "▪": "-", "\r": " "})
STRONG = ("**", "__")
MAX_CHARS = 200_000


@dataclass(frozen=True)
class CodeBlock:
    start: int          # first line of the block (the opening fence, for a fenced block)
    end: int            # one past its last line (the closing fence, when there is one)
    fence: str          # "```", "~~~" ("" for an indented block)
    info: str           # the language tag after the opening fence ("python")
    closed: bool = False  # a closing fence ends it (else it runs to the end of the text)

    @property
    def fences(self) -> frozenset[int]:
        """The fence lines: neither code nor prose."""
        if not self.fence:
            return frozenset()
        return frozenset({self.start, self.end - 1}) if self.closed else frozenset({self.start})


@dataclass(frozen=True)
class ListItem:
    start: int          # the line of its marker
    end: int            # one past its last line
    depth: int          # 0 for a top-level item, 1 inside another item, ...
    marker: str         # "-", "*", "+", "." or ")"
    ordered: bool


@dataclass(frozen=True)
class TableRow:
    line: int
    cells: tuple[str, ...]   # the cells' text as written (markup inside kept)
    header: bool


@dataclass(frozen=True)
class Markdown:
    text: str
    prose: str                               # the text with markup neutralised (same length)
    blocks: tuple[CodeBlock, ...] = ()
    items: tuple[ListItem, ...] = ()
    rows: tuple[TableRow, ...] = ()
    delimiters: frozenset[int] = frozenset()  # the |---|---| lines of tables
    spans: tuple[tuple[int, int], ...] = ()   # inline code, offsets into text (backticks included)
    headings: frozenset[int] = frozenset()
    quotes: frozenset[int] = frozenset()     # lines inside a block quote

    @property
    def fence_lines(self) -> frozenset[int]:
        return frozenset().union(*(b.fences for b in self.blocks))

    @property
    def code_lines(self) -> frozenset[int]:
        """Every line of a code block, fences included."""
        return frozenset(n for b in self.blocks for n in range(b.start, b.end))

    @property
    def item_starts(self) -> frozenset[int]:
        return frozenset(item.start for item in self.items)


def has_markup(text: str) -> bool:
    return MARKERS.search(text) is not None


@lru_cache(maxsize=None)
def _parser():
    from markdown_it import MarkdownIt

    # text_join off: an entity or escape stays a token of its own, whose markup is the text as written
    return MarkdownIt("commonmark", {"maxNesting": 20}).enable("table").disable("text_join", ignoreInvalid=True)


@lru_cache(maxsize=512)
def read(text: str) -> Markdown:
    """The markdown structure of ``text``; see the module docstring."""
    if len(text) > MAX_CHARS or not has_markup(text):
        return Markdown(text, text)
    try:
        tokens = _parser().parse(text.translate(BULLETS))
    except (RecursionError, MemoryError, ValueError):
        return Markdown(text, text)
    return _Builder(text).run(tokens)


def prose(text: str) -> str:
    """``text`` with its markdown markup neutralised (see :func:`read`)."""
    return read(text).prose


CLAUSE_ENDS = ".;:,!?"


def clauses(text: str) -> str:
    """The prose of ``text`` with each list item a clause of its own: a blank line goes before an item
    whose line before, as written, does not end a clause ("- Conv1: 16 filters, stride 1" then
    "- MaxPool1: stride 2"). After "A GRU layer has:" the first item stays in that clause
    ("- 6 units"). The only change of length: one newline per such item."""
    md = read(text)
    if not md.items:
        return md.prose
    lines = md.prose.split("\n")
    written = text.split("\n")
    for n in sorted(md.item_starts, reverse=True):
        before = written[n - 1].rstrip() if 0 < n < len(written) else ""
        if before and before[-1] not in CLAUSE_ENDS:
            lines.insert(n, "")
    return "\n".join(lines)


class _Builder:
    def __init__(self, text: str):
        self.text = text
        self.chars = list(text)
        self.starts = [0]
        for n, ch in enumerate(text):
            if ch == "\n":
                self.starts.append(n + 1)
        self.blocks: list[CodeBlock] = []
        self.items: list[ListItem] = []
        self.rows: list[TableRow] = []
        self.delimiters: set[int] = set()
        self.spans: list[tuple[int, int]] = []
        self.headings: set[int] = set()
        self.quotes: set[int] = set()

    def line(self, n: int) -> str:
        if n >= len(self.starts):
            return ""
        end = self.starts[n + 1] - 1 if n + 1 < len(self.starts) else len(self.text)
        return self.text[self.starts[n]:end]

    def blank(self, start: int, end: int) -> None:
        for i in range(start, end):
            if self.chars[i] not in "\n":
                self.chars[i] = " "

    def run(self, tokens) -> Markdown:
        depth, header, row_line, cells = 0, False, None, []
        for k, token in enumerate(tokens):
            kind, where = token.type, token.map
            if kind in ("fence", "code_block") and where:
                self._code(token)
            elif kind == "list_item_open" and where:
                self.items.append(ListItem(where[0], where[1], depth, token.markup or "-", token.markup in ".)"))
                depth += 1
            elif kind == "list_item_close":
                depth -= 1
            elif kind == "heading_open" and where and token.markup.startswith("#"):
                self.headings.add(where[0])
                self._heading_marker(where[0])
            elif kind == "blockquote_open" and where:
                self.quotes.update(range(where[0], where[1]))
            elif kind == "thead_open":
                header = True
            elif kind == "tbody_open":
                header = False
            elif kind == "table_open" and where and where[1] - where[0] >= 2:
                self.delimiters.add(where[0] + 1)
                self.blank(*self._line_range(where[0] + 1))
            elif kind == "tr_open" and where:
                row_line, cells = where[0], []
            elif kind == "inline" and row_line is not None:
                cells.append(token)
            elif kind == "tr_close" and row_line is not None:
                self._row(row_line, cells, header)
                row_line = None
            elif kind == "inline" and where:
                self._inline(token, self._content_offsets(token))
        for n in sorted(self.quotes):
            self._quote_markers(n)
        return Markdown(self.text, "".join(self.chars), tuple(self.blocks), tuple(self.items), tuple(self.rows),
                        frozenset(self.delimiters), tuple(self.spans), frozenset(self.headings),
                        frozenset(self.quotes))

    def _line_range(self, n: int) -> tuple[int, int]:
        start = self.starts[n] if n < len(self.starts) else len(self.text)
        return start, start + len(self.line(n))

    # -- blocks ------------------------------------------------------------------------------
    def _code(self, token) -> None:
        start, end = token.map
        fence = token.markup[:3] if token.type == "fence" else ""
        closed = bool(fence) and end - start > 1 and self.line(end - 1).strip(" \t>").startswith(token.markup)
        block = CodeBlock(start, end, fence, token.info.strip() if fence else "", closed)
        self.blocks.append(block)
        for n in block.fences:
            self.blank(*self._line_range(n))

    def _heading_marker(self, n: int) -> None:
        start, _ = self._line_range(n)
        m = re.match(r"[ \t>]*(#{1,6})(?=[ \t]|$)", self.line(n))
        if m:
            self.blank(start + m.start(1), start + m.end(1))

    def _quote_markers(self, n: int) -> None:
        start, _ = self._line_range(n)
        m = re.match(r"(?:[ \t]{0,3}>)+", self.line(n))
        if m and not self.line(n).lstrip().startswith(">>>"):   # a REPL prompt is not a quote marker
            self.blank(start, start + m.end())

    # -- tables ------------------------------------------------------------------------------
    def _row(self, n: int, cells, header: bool) -> None:
        line = self.line(n)
        start, _ = self._line_range(n)
        pipes = [m.start() for m in re.finditer(r"(?<!\\)\|", line)]
        texts = []
        for cell in cells:
            texts.append(cell.content)
        self.rows.append(TableRow(n, tuple(texts), header))
        if not pipes:
            return
        stripped = line.rstrip()
        lead = pipes[0] == len(line) - len(line.lstrip())
        trail = pipes[-1] == len(stripped) - 1
        for p in pipes:
            is_last = trail and p == pipes[-1]
            self.chars[start + p] = "," if is_last else (" " if len(cells) <= 4 or (lead and p == pipes[0]) else ";")
        # a leading row number ("| 1 | Conv2D | ...", "| #3 | ...") is not a size
        if len(texts) >= 2 and re.fullmatch(r"(?:#|no\.?)?\s*\d+", texts[0].strip(), re.I) \
                and re.match(r"[*_`]*[A-Za-z]", texts[1].strip()) and lead:
            self.blank(start + pipes[0] + 1, start + pipes[1])
        cursor = 0
        for cell in cells:
            if not cell.content:
                continue
            at = line.find(cell.content, cursor)
            if at < 0:
                break
            self._inline(cell, [start + at + i for i in range(len(cell.content))])
            cursor = at + len(cell.content)

    # -- inline markup -----------------------------------------------------------------------
    def _content_offsets(self, token) -> list[int] | None:
        """The offset in the text of each character of the inline token's content (its lines have
        the block's prefixes, indentation and quote markers, stripped)."""
        first, last = token.map
        out: list[int] = []
        lines = token.content.split("\n")
        for k, piece in enumerate(lines):
            n = first + k
            if n >= last or n >= len(self.starts):
                return None
            source = self.line(n)
            at = source.find(piece) if piece else len(source)
            if at < 0:
                return None
            base = self.starts[n] + at
            out.extend(base + i for i in range(len(piece)))
            if k + 1 < len(lines):
                out.append(self.starts[n] + len(source))      # the newline
        return out

    def _inline(self, token, offsets: list[int] | None) -> None:
        """Neutralise strong emphasis and code-span backticks, finding each child in the content."""
        if offsets is None or not token.children:
            return
        content, cursor = token.content, 0
        for child in token.children:
            kind = child.type
            if kind in ("text", "html_inline"):
                piece = child.content
            elif kind in ("softbreak", "hardbreak"):
                piece = "\n"
            elif kind in ("strong_open", "strong_close", "em_open", "em_close", "text_special", "s_open", "s_close"):
                piece = child.markup
            elif kind == "code_inline":
                opened = content.find(child.markup, cursor)
                closed = content.find(child.markup, opened + len(child.markup)) if opened >= 0 else -1
                if closed < 0:
                    return
                end = closed + len(child.markup)
                self.spans.append((offsets[opened], offsets[end - 1] + 1))
                for i in list(range(opened, opened + len(child.markup))) + list(range(closed, end)):
                    self.chars[offsets[i]] = " "
                cursor = end
                continue
            else:
                continue    # links, images: their text children come as they are written
            if not piece:
                continue
            at = content.find(piece, cursor)
            if at < 0:
                return
            if kind in ("strong_open", "strong_close") and piece in STRONG:
                for i in range(at, at + len(piece)):
                    self.chars[offsets[i]] = " "
            cursor = at + len(piece)
