"""What a pasted summary table adds to the reading of the prose and code around it.

The prose and code are read with the table's lines blanked (:func:`nlqa.reader.code.summary.without_tables`),
then the table is consulted:

* **a count the asker quotes names the layer asked about.** "Where does 448 come from?" with a row
  printing 448 asks for that row's parameters; a quoted side of a row's output shape ("where does
  148 come from?") asks for its output shape. Only numbers in the prose, in a sentence that asks
  (a question mark, or why/how/where), are read this way.
* **the table is the network when the prose and code do not give one** (a variable for the input
  size, ``Dense(nb_classes)``, no code at all): :func:`nlqa.reader.code.tablespec.read_table` rebuilds
  it row by row, and the answer says so.
* **code and table are checked row by row** when both give the network: a row whose printed count
  differs from the count of the code's layer is named in the assumptions (another framework version
  or configuration printed the table).
"""

from __future__ import annotations

import re

from ..core.count import count_network
from ..errors import SpecError
from .extraction import Alternative, Extraction
from .assembly.build import resolve_reference
from .prose.kinds import _kind_matches
from .ledger import code_lines
from .code.summary import Table
from .code.tablespec import TableReading, read_table

ASKING = re.compile(r"\?|\b(?:why|how|where|explain|understand|calculat\w*|comput\w*)\b", re.I)
SENTENCE = re.compile(r"[^.?!\n]*(?:[.?!]+|\n|$)")
NUMBER = re.compile(r"(?<![\w.])(\d{1,3}(?:,\d{3})+|\d+)(?![\w.]|\.\d)")
TOTALS = ("total_parameters", "trainable_parameters")


def _asking_sentences(text: str) -> list[list[tuple[int, str]]]:
    """The numbers of each prose sentence that asks, each with the text before it in its sentence
    (code lines left out)."""
    starts, code = code_lines(text)
    out = []
    for n, line in enumerate(text.split("\n")):
        if n in code:
            continue
        for sentence in SENTENCE.findall(line):
            if ASKING.search(sentence):
                found = list(NUMBER.finditer(sentence))
                numbers = [(int(m.group(1).replace(",", "")), sentence[found[i - 1].end() if i else 0:m.start()])
                           for i, m in enumerate(found)]
                if numbers:
                    out.append(numbers)
    return out


JOINED = re.compile(r"^\s*(?:,|&|and|or|/)\s*$", re.I)


def _asked_row(sentences, rows, totals: dict) -> tuple[str, int] | None:
    """(quantity, 1-based layer) asked about. ``rows`` are (count, output sides) per layer: the
    first asking sentence that quotes one layer's count (10 or more, and no other layer's) names that
    layer. A side of the layer's output shape joined to the count ("Where does 148 and 448 come
    from?") and written first says the shape is asked first. A quoted total names no layer."""
    for numbers in sentences:
        if any(value in totals.values() for value, _ in numbers):
            return None
        for k, (value, _) in enumerate(numbers):
            matches = [i for i, (params, _) in enumerate(rows, 1) if params == value and value >= 10]
            if len(matches) != 1:
                continue
            index = matches[0]
            sides = rows[index - 1][1] or ()
            if k and JOINED.match(numbers[k][1]) and numbers[k - 1][0] in sides:
                return "output_shape", index
            return "layer_parameters", index
    return None


def quoted_layer(x: Extraction, question: str) -> Extraction:
    """Without a table: a count the asker quotes that is one layer's count names that layer ("I do not
    understand the number 2600 in the model summary!")."""
    if x.status != "answered" or x.spec is None or x.layer is not None or x.quantity not in TOTALS:
        return x
    numbers = _asking_sentences(question)
    if not numbers or len(x.spec.layers) < 2:
        return x
    try:
        counted = count_network(x.spec)
    except SpecError:
        return x
    listed = [c for c in counted.layers if not c.spec.implicit]
    totals = {q: v for q, v in counted.totals.items() if q in TOTALS}
    if not {v for sentence in numbers for v, _ in sentence} & {c.params for c in listed}:
        return x   # no layer's count is quoted: the ledger need not be read here
    # a number the ledger gives a role of its own wherever it is written ("a 90:10 training split",
    # "10 epochs") quotes no count
    from .ledger import account
    roles: dict[int, set[str]] = {}
    for e in account(question, counted):
        if e.text.replace(",", "").isdecimal():
            roles.setdefault(int(e.text.replace(",", "")), set()).add(e.role)
    numbers = [[(v, before) for v, before in sentence
                if not roles.get(v) or roles[v] & {"unused", "quoted_count"}] for sentence in numbers]
    asked = _asked_row([s for s in numbers if s], [(c.params, c.output_shape) for c in listed], totals)
    if asked:
        x.quantity, x.layer = asked
    return x


def consult_tables(question: str, x: Extraction, read, ref: dict | None, tables: tuple[Table, ...]) -> Extraction:
    """``x`` checked against, or read from, the pasted ``tables`` (``read``: the question's reading; ``ref``:
    the layer the question names, if any)."""
    x.question = question
    x.table_lines = x.table_lines.union(*(t.lines for t in tables))
    readings = [(t, r) for t in tables if (r := read_table(t)) is not None]
    numbers = _asking_sentences(read.question)
    if len({tuple(r.params for r in t.rows) for t in tables if len(t.rows) > 1}) > 1:
        # two summaries that differ ("with LSTM ... with CuDNNLSTM ..."): which one the count is about is open
        x.status, x.spec = "needs_clarification", None
        x.missing = ["which of the pasted summaries the question is about (they print different counts): "
                     "ask about one network, or ask what makes them differ with both layers written out"]
        return x
    if x.status == "answered" and x.spec is not None:
        try:
            return _check_code(x, count_network(x.spec), tables, numbers)
        except SpecError:
            if not readings:
                return x  # the answer says what does not fit
    if not readings:
        return x
    table, reading = readings[0]
    asked = _asked_row(numbers, _pairs(reading.rows), table.totals)
    quantity = asked[0] if asked else x.quantity
    if quantity is None and not asked:
        return x          # nothing asked that a count answers ("why is my accuracy 50%?")
    printed = set(table.totals.values()) | {sum(r.params for r in reading.rows)}
    quotes_total = any(value in printed for sentence in numbers for value, _ in sentence)
    # the table is all there is: no code, and the prose names no layer kind the table does not hold
    alone = not read.code.layers and all(
        any(_kind_matches(m.id, layer.kind) for layer in reading.spec.layers) for m in read.mentions("KIND"))
    if not (asked or ref is not None or ((quotes_total or alone) and quantity in TOTALS)):
        return x          # the question's ask is not tied to the table: a row, a named layer or its total
    if x.status == "unsupported" and not (x.reason.startswith("nlqa could not read") or x.quantity or (
            asked and not x.reason.startswith("the question involves"))):
        return x      # a layer kind nlqa cannot count, or a question about something else
    return _from_table(x, ref, table, reading, asked, quantity)


def _from_table(x: Extraction, ref: dict | None, table: Table, reading: TableReading, asked, quantity) -> Extraction:
    # a quoted row count asks where the printed number comes from: count as the table printed it;
    # otherwise count with today's defaults, and the other reading is the alternative
    explain_printed = bool(asked) and reading.printed is not None
    spec, notes = (reading.printed, reading.printed_notes) if explain_printed else (reading.spec, reading.notes)
    out = Extraction(x.question, spec=spec, quantity=quantity or "total_parameters",
                     framework_source="summary", table_lines=x.table_lines, mentions=x.mentions)
    out.assumptions = [f"the network is read from the pasted {_style(table)} ({len(reading.rows)} layer rows): "
                       "what a row does not print (kernel, stride, padding, pool window) is the value that "
                       "gives the row's printed count and output shape"] + list(notes)
    if reading.printed is not None:
        out.alternatives.append(Alternative("with today's defaults (Keras 3)", reading.spec) if explain_printed
                                else Alternative("as the summary printed it (an older framework version)",
                                                 reading.printed))
    out.understood = [f"{row.name} ({layer.kind})" for row, layer in zip(reading.rows, reading.spec.layers)]
    if asked:
        out.quantity, out.layer = asked
    elif ref is not None:
        index = resolve_reference(ref, reading.spec)
        if index is None:
            x.missing.append("which layer is meant (nlqa could not match the layer the question names to a "
                             "row of the pasted summary)")
            return x
        out.layer = index
        if out.quantity in TOTALS and len(reading.spec.layers) > 1:
            out.quantity = "layer_parameters"
    return out


def _check_code(x: Extraction, counted, tables, numbers) -> Extraction:
    """The code's network against the table's rows: the layer a quoted count names, and each row
    whose printed count differs from the code's count."""
    layers = [c for c in counted.layers if not c.spec.implicit]
    for table in tables:
        rows = [r for r in table.rows if (r.cls or "") not in ("InputLayer",) and not r.name.startswith("input")]
        printed = table.totals.get("total_parameters")
        if len(rows) != len(layers) and printed is not None and printed != counted.totals["total_parameters"]:
            # the code read is not the network the summary prints, and no row says where they part
            x.status, x.spec = "needs_clarification", None
            x.missing = [f"which network is meant: the code reads as {counted.totals['total_parameters']:,} "
                         f"parameters, while the pasted summary prints {printed:,} and its rows do not match "
                         "the code's layers one to one"]
            return x
        if len(rows) != len(layers):
            continue
        if x.layer is None and x.quantity in TOTALS:
            asked = _asked_row(numbers, _pairs(rows), table.totals)
            if asked:
                x.quantity, x.layer = asked
        for row, layer in zip(rows, layers):
            if row.params is not None and row.params != layer.params:
                x.assumptions.append(
                    f"the pasted summary prints {row.params:,} for {row.name}, where this count under "
                    f"{x.spec.framework} conventions gives {layer.params:,}: the summary comes from another "
                    "framework version or configuration")
        break
    return x


def disagrees(spec, tables: tuple[Table, ...]) -> bool:
    """Whether a pasted table prints, for a layer row, a count other than the code's layer in that place
    (rows and layers paired in order, as far as both go: a table may be cut short)."""
    try:
        counted = count_network(spec)
    except SpecError:
        return True
    layers = [c for c in counted.layers if not c.spec.implicit]
    for table in tables:
        rows = [r for r in table.rows if (r.cls or "") != "InputLayer" and not r.name.startswith("input")]
        if any(row.params is not None and row.params != layer.params for row, layer in zip(rows, layers)):
            return True
    return False


def _pairs(rows) -> list[tuple[int | None, tuple]]:
    return [(row.params, tuple(row.shape[1:]) if row.shape else ()) for row in rows]


def _style(table: Table) -> str:
    return {"keras": "Keras model summary", "torchinfo": "torchinfo summary",
            "torchsummary": "torchsummary table"}.get(table.style, "summary")
