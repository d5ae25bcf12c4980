"""Runnable PyTorch or Keras code for a network nlqa counted (``nlqa ask --code``).

The network is first made concrete for the framework (:func:`concrete_spec`: its conventions, a
time axis where a recurrent layer needs one, ``return_sequences`` where a recurrent layer feeds
another), counted again by the core, and each counted layer is written from its kind's template in
``grammars/export.toml``. The code ends with the line printing the count nlqa answers under that
framework's convention. Nothing here imports a framework: the code is text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..core import count_network
from ..core.spec import LayerCount, NetworkCount, NetworkSpec
from ..errors import ExportError, GrammarError, SpecError
from ..resources import load_toml
from .context import CONDITIONS, RECURRENT, fields

FRAMEWORKS = ("pytorch", "keras")
COUNTED = ("total_parameters", "trainable_parameters", "non_trainable_parameters", "layer_parameters")
SEQUENCE_TAKERS = RECURRENT + ("Conv1D", "Conv1DTranspose", "MaxPooling1D", "AveragePooling1D",
                               "GlobalAveragePooling1D", "GlobalMaxPooling1D", "MultiHeadAttention",
                               "TransformerEncoderLayer", "TransformerDecoderLayer", "GPTBlock")
SHAPE_KEEPERS = ("Dropout", "Activation", "BatchNormalization", "LayerNormalization", "RMSNorm")
TIME_FIRST = RECURRENT + ("MultiHeadAttention", "TransformerEncoderLayer", "TransformerDecoderLayer", "GPTBlock")
QUANTITY_WORDS = {"total_parameters": "parameters", "trainable_parameters": "trainable parameters",
                  "non_trainable_parameters": "non-trainable parameters",
                  "layer_parameters": "parameters of layer {layer}"}


@dataclass(frozen=True)
class Exported:
    """The code, what it prints, and what ``--verify`` needs to run it layer by layer."""

    framework: str
    definition: str                      # everything but the printing line: builds `model`
    print_line: str
    prints: int                          # the number the code prints: nlqa's count, this convention
    quantity: str                        # what it prints (a parameter count)
    count: NetworkCount                  # the core's count of the concrete network
    members: tuple[tuple, ...]           # per counted layer: PyTorch attribute / Keras layer positions
    forward: tuple[tuple[str, ...], ...] = ()   # PyTorch: each layer's forward lines
    layouts: tuple[str, ...] = ()        # PyTorch: each layer's output layout ("first" / "last")
    input_layout: str = "last"

    @property
    def source(self) -> str:
        return f"{self.definition}\n{self.print_line}\n"

    def to_dict(self) -> dict[str, Any]:
        return {"framework": self.framework, "source": self.source, "prints": self.prints,
                "quantity": self.quantity}


@lru_cache(maxsize=1)
def templates() -> dict[str, Any]:
    """``grammars/export.toml``, with every condition it names checked against ``CONDITIONS``."""
    data = load_toml("export.toml")
    for framework in FRAMEWORKS:
        for kind, entry in data[framework]["kinds"].items():
            for table in ("opts", "refuse", "wrap", "before"):
                for name in entry.get(table, {}):
                    if name not in CONDITIONS:
                        raise GrammarError("export.toml", 0, f"[{framework}.kinds.{kind}.{table}] names the "
                                                             f"unknown condition {name!r}")
    return data


def concrete_spec(spec: NetworkSpec, framework: str, steps: int | None = None) -> NetworkSpec:
    """``spec`` under ``framework``'s conventions, as that framework must be told it: a time axis
    before features fed to a recurrent or attention layer, ``return_sequences`` on a recurrent
    layer whose output another sequence layer takes, and ``steps`` time steps where none are given."""
    from ..inferred import implied_square_input
    spec = spec.with_(framework=framework)
    implied = implied_square_input(spec)
    if implied is not None:
        spec = implied[0]
    shape = tuple(spec.input)
    first = next((layer for layer in spec.layers if layer.kind not in SHAPE_KEEPERS), None)
    if len(shape) == 1 and first is not None and first.kind in TIME_FIRST:
        shape = (None,) + shape
    if steps is not None and shape and shape[0] is None:
        shape = (steps,) + shape[1:]
    layers = list(spec.layers)
    for at, layer in enumerate(layers):
        if layer.kind in RECURRENT and layer.return_sequences is None:
            taker = next((n for n in layers[at + 1:] if n.kind not in SHAPE_KEEPERS), None)
            if taker is not None and taker.kind in SEQUENCE_TAKERS:
                layers[at] = layer.with_(return_sequences=True)
    return spec.with_(input=shape, layers=layers)


def _opts(entry: dict, spec, f: dict, framework: str, frozen: bool = True) -> str:
    parts = [template.format(**f) for name, template in entry.get("opts", {}).items() if CONDITIONS[name](spec, f)]
    if frozen and not spec.trainable and framework == "keras":
        parts.append(templates()["keras"]["frozen"])
    return "".join(", " + p for p in parts)


def _make(entry: dict, c: LayerCount, f: dict, framework: str) -> str:
    text = entry["make"].format(**{**f, "opts": _opts(entry, c.spec, f, framework)})
    return text.replace("(, ", "(")


def _refuse(entry: dict | None, c: LayerCount, f: dict, framework: str) -> None:
    name = templates()["common"]["names"][framework]
    if entry is None or "make" not in entry and not entry.get("refuse"):
        raise ExportError(name, f"{name} has no layer nlqa can write for a {c.spec.kind} (it is counted "
                                "from its formula only).", c.index or None)
    for cond, why in entry.get("refuse", {}).items():
        if CONDITIONS[cond](c.spec, f):
            raise ExportError(name, why.format(**f) + ".", c.index or None)


def _count_line(framework: str, quantity: str, count: NetworkCount, layer: int | None, members) -> tuple[str, str]:
    frame = templates()[framework]
    if quantity == "layer_parameters" and layer is not None:
        at = next(k for k, c in enumerate(count.layers) if c.index == layer)
        m = members[at]
        if framework == "pytorch":
            return frame["count"]["layer_parameters"].format(member=m[0]), quantity
        return frame["count"]["layer_parameters"].format(start=m[0], stop=m[-1] + 1), quantity
    if quantity not in COUNTED:
        return frame["count"]["total_parameters"], "total_parameters"
    return frame["count"][quantity], quantity


def _value(quantity: str, count: NetworkCount, layer: int | None) -> int:
    if quantity == "layer_parameters" and layer is not None:
        return next(c.params for c in count.layers if c.index == layer)
    return count.totals[quantity]


def export(spec: NetworkSpec, framework: str, quantity: str = "total_parameters", layer: int | None = None,
           steps: int | None = None) -> Exported:
    """The ``framework`` code of ``spec``, printing ``quantity`` (a parameter count; any other
    quantity prints the total parameters). Raise :class:`ExportError` naming the layer the framework
    cannot express; ``steps`` fixes the number of time steps where the spec leaves it open."""
    if framework not in FRAMEWORKS:
        raise ExportError(framework, f"nlqa writes code for {' and '.join(FRAMEWORKS)} only.")
    concrete = concrete_spec(spec, framework, steps)
    try:
        count = count_network(concrete)
    except SpecError as exc:
        raise ExportError(templates()["common"]["names"][framework], f"the network cannot be built that way "
                                                                     f"({exc}).") from None
    build = _pytorch if framework == "pytorch" else _keras
    notes, body = build(count)
    members = body["members"]
    if layer is not None and quantity != "layer_parameters":
        layer = None
    line, printed = _count_line(framework, quantity, count, layer, members)
    value = _value(printed, count, layer)
    common = templates()["common"]
    what = QUANTITY_WORDS[printed].format(layer=layer)
    head = [common["comment"].format(framework=common["names"][framework], value=f"{value:,}", what=what)]
    if printed != quantity:
        head.append(templates()[framework]["other_quantity"].format(quantity=quantity.replace("_", " ")))
    if any(c.spec.kind in TIME_FIRST for c in count.layers) and concrete.input and concrete.input[0] is None:
        head.append(common["time_steps_note"])
    head += notes
    definition = "\n".join(head) + "\n" + body["text"]
    if "math." in line:
        definition = definition.replace("\nimport keras", "\nimport math\n\nimport keras", 1) \
            if "import math" not in definition else definition
    return Exported(framework, definition, line, value, printed, count, tuple(members),
                    tuple(body.get("forward", ())), tuple(body.get("layouts", ())), body.get("input_layout", "last"))


def _notes(count: NetworkCount, kinds: dict) -> list[str]:
    notes: list[str] = []
    for c in count.layers:
        note = kinds.get(c.spec.kind, {}).get("note")
        if note and note not in notes:
            notes.append(note)
        if c.spec.kind in ("MultiHeadAttention", "TransformerEncoderLayer", "TransformerDecoderLayer", "GPTBlock") \
                and c.spec.heads is None and templates()["common"]["heads_note"] not in notes:
            notes.append(templates()["common"]["heads_note"])
    return notes


def _pytorch(count: NetworkCount) -> tuple[list[str], dict]:
    frame = templates()["pytorch"]
    kinds = frame["kinds"]
    members, init, forward, layouts = [], [], [], []
    wanted = [kinds.get(c.spec.kind, {}).get("layout", "any") for c in count.layers]
    layout = next((w for w in wanted if w != "any"), "last")
    start = layout
    for at, c in enumerate(count.layers, 1):
        entry = kinds.get(c.spec.kind)
        f = fields(c, "pytorch")
        _refuse(entry, c, f, "pytorch")
        attr = f"self.{entry['name']}{at}"
        f["attr"] = attr
        make = _make(entry, c, f, "pytorch")
        if c.spec.repeat > 1 and "repeat" in entry:
            make = entry["repeat"].format(layer=make, repeat=c.spec.repeat)
        if not c.spec.trainable:
            make = frame["frozen"].format(make=make)
        init.append(frame["member"].format(attr=attr, make=make))
        lines = []
        need = entry.get("layout", "any")
        if need != "any" and need != layout and len(c.input_shape) > 1:
            lines.append(frame["to_last"] if need == "last" else frame["to_first"])
        if need != "any":
            layout = need
        call = entry.get("call", frame["call"])
        if c.spec.kind in RECURRENT and not f["sequence_out"]:
            call = entry["call_last_bidirectional" if c.spec.bidirectional else "call_last"]
        lines.append(call.format(**f))
        forward.append(tuple(lines))
        layouts.append(layout)
        members.append((attr.removeprefix("self."),))
    text = frame["header"] + frame["class_open"] + "\n" + "\n".join(init) + "\n" + frame["forward_open"] + "\n"
    text += "\n".join(frame["forward_line"].format(line=line) for lines in forward for line in lines)
    text += "\n" + frame["forward_close"] + "\n" + frame["model"]
    return _notes(count, kinds), {"text": text, "members": members, "forward": forward, "layouts": layouts,
                                  "input_layout": start}


def _keras(count: NetworkCount) -> tuple[list[str], dict]:
    frame = templates()["keras"]
    kinds = frame["kinds"]
    shape = tuple(count.spec.input)
    dtype = ', dtype="int32"' if count.layers and count.layers[0].spec.kind == "Embedding" else ""
    shape_txt = "(" + ", ".join("None" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
    lines = [frame["input"].format(shape=shape_txt, dtype=dtype)]
    members, position, x = [], 1, "inputs"
    for c in count.layers:
        entry = kinds.get(c.spec.kind)
        f = fields(c, "keras")
        _refuse(entry, c, f, "keras")
        mine = []
        for cond, template in entry.get("before", {}).items():
            if CONDITIONS[cond](c.spec, f):
                lines.append(frame["call"].format(make=template.format(**f), x=x))
                x = "x"
                mine.append(position)
                position += 1
        make = _make(entry, c, f, "keras")
        for cond, template in entry.get("wrap", {}).items():
            if CONDITIONS[cond](c.spec, f):
                make = template.format(**{**f, "layer": make})
        lines.append(entry.get("call", frame["call"]).format(make=make, x=x))
        x = "x"
        mine.append(position)
        position += 1
        members.append(tuple(mine))
    lines.append(frame["model"])
    return _notes(count, kinds), {"text": frame["header"] + "\n" + "\n".join(lines), "members": members}
