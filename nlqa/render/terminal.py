"""The rich renderable for terminals: ``console.print(AnswerView(answer))``.

User text only ever enters as ``Text(...)`` (never markup), and styles are names from ``THEME``;
a console without the theme still renders, with the theme's styles as defaults.
"""

from __future__ import annotations

from typing import IO, TYPE_CHECKING

from rich import box
from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.panel import Panel
from rich.style import Style
from rich.table import Table
from rich.text import Text
from rich.theme import Theme

from .common import LAYER_ALIGN, LAYER_HEADERS, View, explain_lines, view_of

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


def _table(view: View, s: _Styles) -> Table:
    table = Table(box=box.SIMPLE, show_edge=False, header_style=s.table_header, show_footer=bool(view.totals),
                  footer_style=s.total, padding=(0, 1), pad_edge=False)
    totals = view.totals or ("",) * len(LAYER_HEADERS)
    for header, align, footer in zip(LAYER_HEADERS, LAYER_ALIGN, totals):
        table.add_column(Text(header), justify="right" if align == "r" else "left", footer=Text(footer))
    for row in view.layers:
        table.add_row(*(Text(cell) for cell in row))
    return table


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
            yield _table(view, s)
        if view.steps:
            yield Text("")
            yield _heading("Derivation", s)
            yield _steps(view, s)
        if view.answered:
            yield Text("")
            yield Panel(Text.assemble(("Answer: ", s.label), (view.answer, s.value)),
                        border_style=s.border, box=box.ROUNDED, expand=False)
        for title, items, numbered in (("Assumptions", view.assumptions, False),
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
