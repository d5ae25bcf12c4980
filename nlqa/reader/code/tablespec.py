"""A pasted summary table as a NetworkSpec: each row's layer is the configuration that reproduces
the row's printed count and output shape.

A table prints a layer's class, output shape and count, not its kernel, stride, padding or
pool window. For each row the solver tries the candidate configurations of its kind, in the order
``grammars/tables.toml`` [search] gives, and keeps the first one whose count (by the counting
core's own formula) and output shape equal the row's. The input is the ``InputLayer`` row's
shape, or, when the table has none, the one the first row's count implies. A row that no
candidate reproduces, or a class nlqa cannot count, leaves the table unread (``None``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from itertools import product

from ...core.conventions import convention
from ...core.layers import FORMULAS
from ...core.spec import LayerSpec, NetworkSpec
from ...core.validate import shape_literal
from ...errors import SpecError
from ...resources import load_toml
from .summary import Row, Table, container_classes, search_values

RECURRENT = ("LSTM", "GRU", "SimpleRNN")
GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}
MAX_CANDIDATES = 4096


@dataclass(frozen=True)
class TableReading:
    spec: NetworkSpec              # counted with today's defaults of the table's framework
    rows: tuple[Row, ...]          # the table's layer rows, one per spec layer
    notes: tuple[str, ...]
    printed: NetworkSpec | None = None     # the network as the table printed it, where a row needs an
    printed_notes: tuple[str, ...] = ()    # older default (Keras 2.x GRU reset_after=False); else None


@lru_cache(maxsize=1)
def _classes() -> dict[str, tuple[str, str]]:
    """Lower-case class name (underscores removed) -> (namespace, kind or role)."""
    out = {}
    for namespace, calls in load_toml("signatures.toml").items():
        for name, entry in calls.items():
            if name.startswith("_"):
                continue
            value = entry.get("kind") or entry.get("role")
            if value:
                out.setdefault((namespace, name.lower()), value)
    return out


def _kind_of(row: Row, namespace: str) -> str | None:
    """The kind (or role) of a row's class; a class cut short ("MaxPooling2", "BatchNorma") or a
    row without a class ("activation_1") is found by the unique class it begins."""
    classes = _classes()
    names = [row.cls] if row.cls else []
    if not row.cls:
        stem = row.name.rstrip("0123456789").rstrip("_").replace("_", "")
        names.append(stem)
    for name in names:
        key = name.lower().replace("_", "")
        exact = classes.get((namespace, key))
        if exact:
            return exact
        found = {v for (ns, k), v in classes.items() if ns == namespace and k.startswith(key) and len(key) >= 5}
        if len(found) == 1:
            return found.pop()
    return None


def _sides(row: Row, layout: str, kind: str) -> tuple | None:
    """The row's output shape without the batch axis, channels last."""
    if row.shape is None or len(row.shape) < 2:
        return None
    shape = tuple(row.shape[1:])
    if layout == "channels_first" and len(shape) >= 2 and kind not in ("Dense",) + RECURRENT + ("Embedding",):
        shape = shape[1:] + shape[:1]
    return shape


def _fits(out: tuple, want: tuple) -> bool:
    """Whether a counted output shape is the printed one; sides of 1 the framework keeps
    (AdaptiveAvgPool2d(1) prints [1, 64, 1, 1]) may stand before the channels."""
    if len(want) > len(out) and all(side == 1 for side in want[:len(want) - len(out)]):
        want = want[len(want) - len(out):]
    return len(out) == len(want) and all(a is None or b is None or a == b for a, b in zip(out, want))


def _candidates(kind: str, want: tuple, bidirectional: bool):
    """The configurations the solver tries for a row of ``kind`` with output shape ``want``."""
    search = search_values()
    if kind in ("Dense",):
        for bias in (True, False):
            yield LayerSpec(kind, units=want[-1], bias=bias)
    elif kind.startswith("Conv") or kind in ("SeparableConv2D", "DepthwiseConv2D"):
        for k, s, pad, bias in product(search["kernel"], search["strides"], search["padding"], (True, False)):
            yield LayerSpec(kind, units=None if kind == "DepthwiseConv2D" else want[-1], kernel=(k,), strides=(s,),
                            padding=pad, bias=bias)
    elif "Pooling" in kind and not kind.startswith("Global"):
        for p, pad in product(search["pool"], search["padding"]):
            yield LayerSpec(kind, pool=(p,), padding=pad)
        for p, s, pad in product(search["pool"], search["strides"], search["padding"]):
            yield LayerSpec(kind, pool=(p,), strides=(s,), padding=pad)
    elif kind in RECURRENT:
        width = want[-1] // 2 if bidirectional else want[-1]
        kinds = RECURRENT if kind == "?" else (kind,)
        for k in kinds:
            for reset in ((None, False) if k == "GRU" else (None,)):
                yield LayerSpec(k, units=width, bidirectional=bidirectional, return_sequences=len(want) == 2,
                                reset_after=reset)
    elif kind == "Embedding":
        yield LayerSpec(kind, units=want[-1])
    else:
        yield LayerSpec(kind)


def _count(spec: LayerSpec, shape: tuple, framework: str):
    try:
        terms, out, _, _ = FORMULAS[spec.kind](spec, shape, convention(framework))
    except (SpecError, KeyError, TypeError, ValueError, ZeroDivisionError):
        return None
    return sum(t.value for t in terms), tuple(out)


def _first_inputs(spec: LayerSpec, want: tuple, params: int, framework: str) -> list[tuple]:
    """Input shapes that a first row's count implies when the table prints no input."""
    kind = spec.kind
    if kind == "Dense":
        u = want[-1]
        return [want[:-1] + (params // u - b,) for b in ((1,) if spec.bias else (0,)) if params % u == 0 and params // u > b]
    if kind in RECURRENT:
        dirs = 2 if spec.bidirectional else 1
        g, u = GATES[kind], spec.units
        out = []
        for b in (1, 2):
            if params % (dirs * g * u) == 0 and params // (dirs * g * u) - u - b > 0:
                out.append(((want[0] if len(want) == 2 else None), params // (dirs * g * u) - u - b))
        return out
    if kind == "Embedding":
        return [want[:-1]]
    if kind in ("Flatten", "BatchNormalization", "LayerNormalization", "Dropout", "Activation"):
        return [want]
    if kind.startswith("Conv") and spec.units:
        k, f = spec.kernel[0], spec.units
        dims = len(want) - 1
        per = params // f - (1 if spec.bias else 0)
        if params % f or per <= 0 or per % (k ** dims):
            return []
        c_in = per // k ** dims
        stride = (spec.strides or (1,))[0]
        if spec.padding == "same":   # ceil(n/s) = out: n = out·s is the side that fills every stride
            return [tuple(n * stride if n is not None else None for n in want[:-1]) + (c_in,)]
        if stride != 1:
            return []
        return [tuple(n + k - 1 if n is not None else None for n in want[:-1]) + (c_in,)]
    return []


def read_table(table: Table) -> TableReading | None:
    """The network the table prints, or None when a row cannot be reproduced."""
    namespace = "torch" if table.framework == "pytorch" else "keras"
    framework = table.framework
    containers = set(container_classes(table))
    shape: tuple | None = None
    first_input: tuple | None = None
    layers, rows, notes, printed, printed_notes = [], [], [], [], []
    for n, row in enumerate(table.rows):
        following = table.rows[n + 1] if n + 1 < len(table.rows) else None
        if row.depth is not None and following is not None and (following.depth or 0) > row.depth:
            continue         # torchinfo: a module whose rows follow, nested deeper
        if row.cls in containers and row.depth is None:
            return None      # a nested model's row sums layers the table does not show
        if row.params is None:
            row = replace(row, params=0)   # torchinfo's "--": no parameters of its own
        kind = _kind_of(row, namespace)
        if kind == "input":
            if layers or row.shape is None:
                return None
            shape = first_input = tuple(row.shape[1:])
            continue
        if kind == "passthrough":
            kind = "Activation"
        if kind in ("container", "transformer", "stack") or kind is None:
            return None
        bidirectional = kind == "wrapper" and (row.cls or "").lower().startswith("bidirectional")
        if kind == "wrapper" and not bidirectional:
            return None
        want = _sides(row, table.layout, kind)
        if want is None:
            return None
        tried, found = 0, None
        kinds = RECURRENT if bidirectional else (kind,)
        for layer_kind in kinds:
            for candidate in _candidates(layer_kind, want, bidirectional):
                tried += 1
                if tried > MAX_CANDIDATES:
                    return None
                inputs = [shape] if shape is not None else _first_inputs(candidate, want, row.params, framework)
                for given in inputs:
                    if candidate.kind == "Embedding" and row.params % want[-1] == 0:
                        candidate = candidate.with_(vocab=row.params // want[-1])
                    counted = _count(candidate, given, framework)
                    if counted and counted[0] == row.params and _fits(counted[1], want):
                        found = candidate, given, counted[1]
                        break
                if found:
                    break
            if found:
                break
        if not found:
            return None
        layer, given, out = found
        as_printed = layer
        if layer.reset_after is False:
            # the row was printed by Keras 2.x / TF1, whose GRU had one bias vector per gate
            old = (f"the summary's {row.name} row ({row.params:,}) is a GRU with reset_after=False (one bias "
                   "vector per gate, the Keras 2.x / TF1 default); Keras 3 and TF2 default to reset_after=True (two)")
            notes.append(old + ", which this count follows")
            printed_notes.append(old + "; this count follows the summary")
            layer = layer.with_(reset_after=None)
        if shape is None:
            notes.append(f"the input {shape_literal(given)} is what the first row's count ({row.params:,}) implies")
            printed_notes.append(notes[-1])
            first_input = given
        layers.append(layer.with_(name=row.name))
        printed.append(as_printed.with_(name=row.name))
        rows.append(row)
        shape = out
    if not layers:
        return None
    spec = NetworkSpec(first_input, tuple(layers), framework)
    differs = tuple(printed) != tuple(layers)
    return TableReading(spec, tuple(rows), tuple(notes), NetworkSpec(first_input, tuple(printed), framework)
                        if differs else None, tuple(printed_notes) if differs else ())
