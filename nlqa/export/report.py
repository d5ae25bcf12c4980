"""How ``--code`` and ``--verify`` print: plain text, Markdown, and rich renderables."""

from __future__ import annotations

from ..answer import Answer
from .code import Exported
from .verify import BATCH, NAMES, FrameworkCheck

MARK = {True: "ok", False: "DIFFERS"}


def _shape(shape) -> str:
    sides = ["?" if s is None else str(s) for s in shape]
    return "(" + ", ".join(sides) + (",)" if len(sides) == 1 else ")")


def code_markdown(exported: Exported) -> str:
    return f"```python\n{exported.source}```\n"


def code_rich(exported: Exported):
    from rich.syntax import Syntax
    return Syntax(exported.source.rstrip("\n"), "python", theme="ansi_dark", background_color="default")


def _headline(result: Answer) -> str:
    value = f"{result.value:,}" if isinstance(result.value, int) else str(result.value)
    what = (result.quantity or "").replace("_", " ")
    return f"nlqa's answer ({result.framework} convention): {value} {what}".rstrip()


def _rows(check: FrameworkCheck) -> list[tuple[str, ...]]:
    rows = []
    for c in check.layers:
        label = f"{c.index}" if c.index else "-"
        rows.append((label, c.kind, f"{c.nlqa:,}", f"{c.framework:,}", _shape(c.nlqa_shape),
                     _shape(c.framework_shape), MARK[c.agrees]))
    return rows


def _total_lines(check: FrameworkCheck) -> list[str]:
    name = NAMES[check.framework]
    return [f"{what.replace('_', ' ')}: nlqa {ours:,}, {name} {theirs:,} — {MARK[ours == theirs]}"
            for what, (ours, theirs) in check.totals.items()]


def verify_plain(result: Answer, checks: list[FrameworkCheck], missing: tuple[str, ...] = ()) -> str:
    lines = [_headline(result), ""]
    for check in checks:
        name = NAMES[check.framework]
        if check.refused:
            lines += [f"{name}: not built — {check.refused}", ""]
            continue
        lines.append(f"{name} (nlqa counts under the {name} convention; sample input {_shape(check.input)}, "
                     f"channels last, batch {BATCH})")
        head = ("#", "Kind", "nlqa", name, "nlqa shape", f"{name} shape", "")
        rows = [head] + _rows(check)
        widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
        for r in rows:
            lines.append("  " + "  ".join(cell.ljust(w) if i in (1, 4, 5, 6) else cell.rjust(w)
                                           for i, (cell, w) in enumerate(zip(r, widths))).rstrip())
        lines += ["  " + t for t in _total_lines(check)]
        lines.append(f"  {name} agrees with nlqa." if check.agrees else f"  {name} DIFFERS from nlqa (see the rows marked).")
        lines.append("")
    for framework in missing:
        lines += [f"{NAMES[framework]}: not installed (pip install 'nlqa[verify]')", ""]
    return "\n".join(lines)


def verify_rich(result: Answer, checks: list[FrameworkCheck], missing: tuple[str, ...] = ()):
    from rich import box
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text
    parts = [Text(_headline(result), style="bold")]
    for check in checks:
        name = NAMES[check.framework]
        if check.refused:
            parts.append(Text(f"{name}: not built — {check.refused}", style="yellow"))
            continue
        table = Table(title=f"{name} (nlqa counts under the {name} convention; sample input {_shape(check.input)}, "
                            f"channels last, batch {BATCH})", box=box.SIMPLE, title_justify="left")
        for col, justify in (("#", "right"), ("Kind", "left"), ("nlqa", "right"), (name, "right"),
                             ("nlqa shape", "left"), (f"{name} shape", "left"), ("", "left")):
            table.add_column(col, justify=justify)
        for row in _rows(check):
            table.add_row(*row, style=None if row[-1] == MARK[True] else "bold red")
        parts.append(table)
        for line in _total_lines(check):
            parts.append(Text("  " + line))
        parts.append(Text(f"  {name} agrees with nlqa." if check.agrees else
                          f"  {name} DIFFERS from nlqa (see the rows marked).",
                          style="green" if check.agrees else "bold red"))
    for framework in missing:
        parts.append(Text(f"{NAMES[framework]}: not installed (pip install 'nlqa[verify]')", style="dim"))
    return Group(*parts)
