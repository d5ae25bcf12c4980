"""Pasted framework output as rows: Keras ``model.summary()`` tables (the TF2 style with ``___``/``===``
rules and the Keras 3 box-drawing style), torchinfo and torchsummary tables.

A table is read into :class:`Table` rows (name, class, output shape, count) and its total lines.
The row syntax of each style is data (``grammars/tables.toml`` [styles]); the classes are the
framework calls of ``grammars/signatures.toml``. Nothing here decides what a row's layer is
configured with: :mod:`nlqa.reader.code.tablespec` does that from the rows.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from ...resources import load_toml

RULE = re.compile(r"^[\s_=─━│┃┏┓┗┛┡┩┠┨╇┳┻┯┷├┤┼└┘┌┐+\-|'.*]*$")   # a table's rules and frames
FRAME = "│┃"
MODEL_LINE = re.compile(r'^\s*Model: ["\w]')
TABLE_LINE = re.compile(r"^\s*[A-Za-z_][\w.]*(?:\s*\([\w.]+\))?(?::\s*\d+-\d+)?\s+\[[-\d,\s]+\]\s+(?:--|\d[\d,]*)\s*$")
HEADER = re.compile(r"Layer \(type\)|Output Shape|Param #|Layer \(type:depth-idx\)|Connected to")
OTHER_TOTALS = re.compile(r"^\s*[│┃|]?\s*(?:Params size|Input size|Forward/backward pass size|Estimated Total Size|"
                          r"Total mult-adds|Optimizer params|Model: \"|Model: [\w\"])", re.I)


@dataclass(frozen=True)
class Row:
    line: int                 # 0-based line of the text
    name: str                 # conv2d_1, "Conv2d-1"
    cls: str | None           # the framework class as printed (may be cut short)
    shape: tuple | None       # the printed output shape, batch axis included; None = unknown side
    params: int | None        # None when the row prints no count ("--")
    depth: int | None = None  # torchinfo's nesting depth


@dataclass(frozen=True)
class Table:
    style: str
    framework: str            # whose conventions the printed counts follow
    layout: str               # channels_last | channels_first
    rows: tuple[Row, ...]
    totals: dict              # quantity -> the printed total
    lines: frozenset[int]     # every line of the table: rows, rules, headers, totals


@lru_cache(maxsize=1)
def _grammar() -> dict:
    table = load_toml("tables.toml")
    styles = {name: (re.compile(spec["row"]), spec) for name, spec in table["styles"].items()}
    totals = {q: re.compile(rf"^\s*[│┃|]?\s*{re.escape(words)}\s*:?\s*(\d[\d,]*)", re.I)
              for q, words in table["totals"].items()}
    return {"styles": styles, "totals": totals, "search": table["search"]}


def search_values() -> dict:
    return _grammar()["search"]


def _shape(text: str) -> tuple | None:
    sides = [s.strip() for s in text.strip("[]() ").split(",") if s.strip()]
    out = []
    for side in sides:
        if side in ("None", "?", "-1"):
            out.append(None)
        elif side.isdigit():
            out.append(int(side))
        else:
            return None
    return tuple(out)


def read_tables(text: str) -> tuple[Table, ...]:
    """The framework tables pasted in ``text``, in order; a new ``Layer (type)`` header or a style
    change starts a new table."""
    if "Param" not in text and "params" not in text.lower():
        return ()  # every style prints a "Param #" header or a total line
    grammar = _grammar()
    lines = text.split("\n")
    tables: list[Table] = []
    current: dict | None = None

    def close():
        nonlocal current
        if current and (current["rows"] or current["totals"]):
            tables.append(Table(current["style"], current["framework"], current["layout"], tuple(current["rows"]),
                                dict(current["totals"]), frozenset(current["lines"])))
        current = None

    for n, line in enumerate(lines):
        if "Layer (type" in line and current and current["rows"]:
            close()
        if HEADER.search(line):
            if current is None:
                current = {"style": None, "framework": "keras", "layout": "channels_last", "rows": [], "totals": {},
                           "lines": set()}
            current["lines"].add(n)
            title = next((k for k in range(n - 1, max(n - 4, -1), -1) if MODEL_LINE.match(lines[k])), None)
            if title is not None:
                current["lines"].add(title)   # 'Model: "sequential"' above the header
            continue
        total = next(((q, m) for q, pattern in grammar["totals"].items() if (m := pattern.match(line))), None)
        if total:
            if current is None:
                current = {"style": None, "framework": "keras", "layout": "channels_last", "rows": [], "totals": {},
                           "lines": set()}
            current["totals"].setdefault(total[0], int(total[1].group(1).replace(",", "")))
            current["lines"].add(n)
            continue
        row = None
        for style, (pattern, spec) in grammar["styles"].items():
            m = pattern.match(line)
            if m:
                row = style, spec, m
                break
        if row:
            style, spec, m = row
            if current is None or (current["style"] not in (None, style)):
                close()
                current = {"style": None, "framework": "keras", "layout": "channels_last", "rows": [],
                           "totals": {}, "lines": set()}
            current.update(style=style, framework=spec["framework"], layout=spec["layout"])
            params = m.group("params")
            depth = m.groupdict().get("depth")
            current["rows"].append(Row(n, m.group("name") or m.group("type"), m.group("type"),
                                       _shape(m.group("shape")),
                                       None if params == "--" else int(params.replace(",", "")),
                                       int(depth) if depth else None))
            current["lines"].add(n)
            continue
        if current is not None and line.strip() and (RULE.match(line) or OTHER_TOTALS.match(line)
                                                     or line.lstrip()[:1] in FRAME or TABLE_LINE.match(line)):
            # a frame, a name wrapped onto a second line ("│ (BatchNormalization) │"), a container row
            current["lines"].add(n)
            continue
        if current is not None and line.strip() and not RULE.match(line):
            if current["rows"] and current["totals"]:
                close()   # prose after a finished table
    close()
    return tuple(t for t in tables if t.rows or t.totals)


def without_tables(text: str, tables: tuple[Table, ...]) -> str:
    """``text`` with every table line blanked (line numbers kept), for the prose and code readers."""
    if not tables:
        return text
    drop = set().union(*(t.lines for t in tables))
    return "\n".join("" if n in drop else line for n, line in enumerate(text.split("\n")))


def container_classes(table: Table) -> tuple[str, ...]:
    return tuple(_grammar()["styles"][table.style][1].get("container", ())) if table.style else ()
