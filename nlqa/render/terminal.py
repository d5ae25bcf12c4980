"""The rich renderable for terminals: ``console.print(AnswerView(answer))``.

User text only ever enters as ``Text(...)`` (never markup), and styles are names from ``THEME``;
a console without the theme still renders, with the theme's styles as defaults.
"""

from __future__ import annotations

import re
from typing import IO, TYPE_CHECKING

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from .common import CHECKS_TITLE, LAYER_ALIGN, LAYER_HEADERS, View, explain_lines, view_of

if TYPE_CHECKING:
    from ..answer import Answer

THEME = Theme({
    "nlqa.heading": "bold",
    "nlqa.question": "italic",
    "nlqa.label": "bold",
    "nlqa.value": "bold green",
    "nlqa.step": "",
    "nlqa.total": "bold",
    "nlqa.muted": "dim",
    "nlqa.notice": "bold yellow",
    "nlqa.error": "bold red",
    "nlqa.border": "blue",
    "nlqa.table.header": "bold",
})


def make_console(file: IO[str], *, terminal: bool | None = None, no_color: bool = False,
                 width: int | None = None) -> Console:
    """A console with nlqa's theme that never interprets markup, emoji or highlights in text."""
    return Console(file=file, theme=THEME, force_terminal=terminal, no_color=no_color, width=width,
                   markup=False, emoji=False, highlight=False)


class _Styles:
    """Style names resolved against the console's theme, falling back to nlqa's own."""

    def __init__(self, console: Console):
        self.console = console

    def __getattr__(self, name: str) -> Style:
        full = "nlqa." + name.replace("_", ".")
        return self.console.get_style(full, default=THEME.styles[full])


def _heading(title: str, s: _Styles) -> Text:
    return Text(title, style=s.heading)


def _hanging(rows: list[tuple[str, Text]], marker_style: Style) -> Table:
    """Rows of (marker, text); wrapped text lines stay indented under their first line."""
    grid = Table.grid()
    grid.add_column(no_wrap=True, style=marker_style)
    grid.add_column()
    for marker, text in rows:
        grid.add_row(Text(marker), text)
    return grid


def _bullets(items, s: _Styles, numbered: bool = False) -> Table:
    return _hanging([(f"  {i}. " if numbered else "  • ", Text(item)) for i, item in enumerate(items, 1)],
                    s.muted)


GAP = 3                      # between two columns: padding (0, 1) on each side and the box's blank rule
NUMBER = re.compile(r"[\d,.]+")
KIND, SHAPE = 1, 2           # the two columns whose cells may wrap (at spaces, never inside a number)


def _words(cell: str) -> list[str]:
    return cell.split() or [""]


def _min_width(column: list[str], index: int, whole_words: bool) -> int:
    """The narrowest a column may be without cutting a number: the longest word of Output shape
    (it wraps after a comma), the longest word of Kind (or only its numbers when ``whole_words`` is
    false), the longest cell of a number column; a header may wrap at its spaces."""
    header, cells = column[0], column[1:]
    least = max(len(w) for w in _words(header))
    if index == SHAPE:
        return max([least] + [len(w) for c in cells for w in _words(c)])
    if index == KIND:
        words = [len(w) for c in cells for w in _words(c) if whole_words or NUMBER.search(w)]
        return max([least, 10] + words)
    return max([least] + [len(c) for c in cells])


def _fit(columns: list[list[str]], keep: list[int], width: int, whole_words: bool) -> list[int] | None:
    """Widths for the ``keep`` columns within ``width``, or None when even their minimums do not fit.

    Each column gets its natural width when all fit; otherwise Kind and then Output shape give up
    room down to their minimums, and number columns never shrink below their longest cell.
    """
    natural = [max(len(c) for c in columns[i]) for i in keep]
    least = [min(_min_width(columns[i], i, whole_words), n) for i, n in zip(keep, natural)]
    room = width - GAP * (len(keep) - 1)
    if sum(least) > room:
        return None
    widths = natural[:]
    for index in (KIND, SHAPE):
        if index in keep and sum(widths) > room:
            at = keep.index(index)
            widths[at] = max(least[at], widths[at] - (sum(widths) - room))
    return widths if sum(widths) <= room else None


def _layouts(view: View) -> list[tuple[list[int], bool]]:
    """The layouts tried, best first: every column with whole words in Kind; without Trainable
    when it repeats Params everywhere; then the same with long kind names folded."""
    every = list(range(len(LAYER_HEADERS)))
    rows = [*view.layers, *([view.totals] if view.totals else [])]
    sets = [every]
    if all(row[5] == row[6] for row in rows):
        sets.append([i for i in every if i != 6])
    return [(keep, whole) for whole in (True, False) for keep in sets]


def _table(view: View, s: _Styles, width: int):
    """The layer table in ``width`` columns: the first layout of :func:`_layouts` that fits, else
    one block per layer. A number is never cut or ellipsized."""
    rows = [*view.layers, *([view.totals] if view.totals else [])]
    columns = [[header, *(row[i] for row in rows)] for i, header in enumerate(LAYER_HEADERS)]
    for keep, whole_words in _layouts(view):
        widths = _fit(columns, keep, width, whole_words)
        if widths is not None:
            return _grid_table(view, s, keep, widths)
    return _stacked(view, s, width)


def _grid_table(view: View, s: _Styles, keep: list[int], widths: list[int]) -> Table:
    table = Table(box=box.SIMPLE, show_edge=False, header_style=s.table_header, show_footer=bool(view.totals),
                  footer_style=s.total, padding=(0, 1), pad_edge=False, collapse_padding=False)
    totals = view.totals or ("",) * len(LAYER_HEADERS)
    for i, w in zip(keep, widths):
        wraps = i in (KIND, SHAPE)
        table.add_column(Text(LAYER_HEADERS[i]), justify="right" if LAYER_ALIGN[i] == "r" else "left",
                         footer=Text(totals[i]), width=w, no_wrap=not wraps,
                         overflow="fold")
    for row in view.layers:
        table.add_row(*(Text(row[i]) for i in keep))
    return table


def _stacked(view: View, s: _Styles, width: int) -> Group:
    """One block per layer for terminals too narrow for the table: its number and kind, then
    'Output shape … · Weights … · …' packed onto as few lines as fit, each field whole."""
    blocks: list[Text] = []
    rows = [*view.layers, *([view.totals] if view.totals else [])]
    for row in rows:
        blocks.append(Text.assemble((f"{row[0]}  " if row[0] else "", s.label),
                                    (row[1], s.total if row is view.totals else s.label)))
        fields = [f"{LAYER_HEADERS[i]} {row[i]}" for i in range(2, len(LAYER_HEADERS)) if row[i]]
        line = ""
        for field in fields:
            candidate = f"{line} · {field}" if line else f"    {field}"
            if line and len(candidate) > width:
                blocks.append(Text(line))
                candidate = f"    {field}"
            line = candidate
        if line:
            blocks.append(Text(line))
    return Group(*blocks)


def _steps(view: View, s: _Styles) -> Table:
    totals = ("Total", "Weights:", "Biases:")
    return _hanging([("  ", Text(step, style=s.total if step.startswith(totals) else s.step))
                     for step in view.steps], s.step)


def _not_answered(view: View, s: _Styles) -> Panel:
    body = [Text(view.message)]
    if view.missing:
        body += [Text(""), Text("Missing:", style=s.label), *(Text.assemble("  • ", m) for m in view.missing)]
    style = s.error if view.status == "error" else s.notice
    return Panel(Group(*body), title=Text(view.title, style=style), title_align="left",
                 border_style=style, box=box.ROUNDED)


class AnswerView:
    """An Answer as a rich renderable; reads the Answer, never changes it."""

    def __init__(self, answer: Answer):
        self.answer = answer

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        view, s = view_of(self.answer), _Styles(console)
        yield Text.assemble(("Question: ", s.heading), (view.question, s.question))
        if not view.answered:
            yield Text("")
            yield _not_answered(view, s)
        if view.layers:
            yield Text("")
            yield _heading("Layers", s)
            yield _table(view, s, options.max_width)
        if view.steps:
            yield Text("")
            yield _heading("Derivation", s)
            yield _steps(view, s)
        if view.answered:
            yield Text("")
            yield Panel(Text.assemble(("Answer: ", s.label), (view.answer, s.value)),
                        border_style=s.border, box=box.ROUNDED, expand=False)
        for title, items, numbered in ((CHECKS_TITLE, view.checks, False),
                                       ("Assumptions", view.assumptions, False),
                                       ("Other readings", [f"{r}: {v}" for r, v in view.alternatives], False),
                                       ("Related questions", view.related, True)):
            if items:
                yield Text("")
                yield _heading(title, s)
                yield _bullets(items, s, numbered)
        if view.tip:
            yield Text("")
            yield Text.assemble(("Tip: ", s.label), view.tip)


class ExplainView:
    """What the reader extracted (``nlqa ask --explain``), as a two-column grid."""

    def __init__(self, extraction: dict | None):
        self.extraction = extraction

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        s = _Styles(console)
        grid = Table.grid(padding=(0, 2))
        grid.add_column(style=s.label, no_wrap=True)
        grid.add_column()
        for label, text in explain_lines(self.extraction):
            grid.add_row(Text(label), Text(text))
        yield Panel(grid, title=Text("Reader", style=s.heading), title_align="left",
                    border_style=s.muted, box=box.ROUNDED)
