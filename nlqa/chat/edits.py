"""Edit operations on the last network: one small function per operation, like the core's formulas.

Each takes the conversation's :class:`State` and the operation's arguments (from
``grammars/followups.toml``) and returns the new state, a note saying what changed, and the
aspects of the question the edit settles (so alternatives and assumptions about them are dropped).
An edit that does not fit the network raises :class:`CannotApply` with the reason in words.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from ..core.spec import FRAMEWORKS, LayerSpec, NetworkSpec
from ..related import RECURRENT

SIZED = ("Dense",) + RECURRENT
KIND_WORDS = {"SimpleRNN": "simple RNN", "LSTM": "LSTM", "GRU": "GRU", "Dense": "dense"}
FRAMEWORK_WORDS = {"textbook": "the textbook formulas", "keras": "Keras", "pytorch": "PyTorch"}


class CannotApply(Exception):
    """The follow-up does not fit the network; ``str()`` says why."""


class Reask(Exception):
    """The follow-up asks for something the edits cannot express: re-read it with the network."""


@dataclass(frozen=True)
class State:
    """What the conversation is about: a network, the quantity asked and the layer asked about."""

    spec: NetworkSpec
    quantity: str
    layer: int | None = None
    network_quantity: str = "total_parameters"   # what to ask of the whole network after a layer


@dataclass(frozen=True)
class Result:
    state: State
    notes: tuple[str, ...]
    settles: frozenset[str]


Operation = Callable[..., tuple[State, str, set[str]]]
OPERATIONS: dict[str, Operation] = {}


def operation(name: str) -> Callable[[Operation], Operation]:
    def register(func: Operation) -> Operation:
        OPERATIONS[name] = func
        return func
    return register


# -- which layers an edit touches ---------------------------------------------------------------

def listed(spec: NetworkSpec) -> list[int]:
    """Positions in ``spec.layers`` of the layers the question listed (not the implied ones)."""
    return [i for i, layer in enumerate(spec.layers) if not layer.implicit]


def targets(spec: NetworkSpec, which: str) -> list[int]:
    """Positions of the layers ``which`` names: recurrent | hidden | output | all."""
    shown = listed(spec)
    layers = spec.layers
    if which == "recurrent":
        return [i for i in shown if layers[i].kind in RECURRENT]
    if which == "output":
        return shown[-1:]
    if which == "hidden":
        sized = [i for i in shown if layers[i].kind in SIZED]
        return sized[:-1] if len(sized) > 1 and sized[-1] == shown[-1] else sized
    if which == "all":
        return shown
    raise CannotApply(f"nlqa does not know which layers '{which}' are")


def numbered(spec: NetworkSpec, positions: list[int]) -> str:
    """'layer 2' or 'layers 1, 2' (numbers as the tables show them)."""
    shown = listed(spec)
    numbers = [str(shown.index(i) + 1) for i in positions]
    return ("layer " if len(numbers) == 1 else "layers ") + ", ".join(numbers)


def kinds_text(spec: NetworkSpec) -> str:
    kinds = []
    for i in listed(spec):
        word = KIND_WORDS.get(spec.layers[i].kind, spec.layers[i].kind)
        if word not in kinds:
            kinds.append(word)
    return ", ".join(kinds) + " layers" if kinds else "no layers"


def _with_layers(spec: NetworkSpec, positions: list[int], **changes: Any) -> NetworkSpec:
    layers = [l.with_(**changes) if i in positions else l for i, l in enumerate(spec.layers)]
    return spec.with_(layers=layers)


def _position(spec: NetworkSpec, ordinal: int | None) -> int:
    """A 1-based listed-layer number (or -1 for the last) → that layer's number, checked."""
    count = len(listed(spec))
    if ordinal is None:
        raise CannotApply("the follow-up does not say which layer")
    number = count if ordinal == -1 else ordinal
    if not 1 <= number <= count:
        raise CannotApply(f"the network has {count} layer{'s' if count != 1 else ''}, so there is no "
                          f"layer {number}")
    return number


def _kind(kind: str) -> str:
    from .grammar import grammar
    allowed = grammar().section("edit_kinds").get("kinds", [])
    if kind.startswith("?"):
        raise CannotApply(f"nlqa does not count {kind[1:].lower()} layers yet")
    if kind not in allowed:
        raise CannotApply(f"a follow-up can make layers {', '.join(KIND_WORDS.get(k, k) for k in allowed)}; "
                          f"for {kind} layers describe the network in a full question")
    return kind


# -- the operations -----------------------------------------------------------------------------

@operation("set_kind")
def set_kind(state: State, kind: str, layers: str = "recurrent") -> tuple[State, str, set[str]]:
    kind = _kind(kind)
    spec = state.spec
    positions = targets(spec, layers)
    if not positions:
        raise CannotApply(f"the network has no {layers} layers to make {KIND_WORDS.get(kind, kind)} "
                          f"layers (it has {kinds_text(spec)})")
    old = sorted({spec.layers[i].kind for i in positions})
    changes: dict[str, Any] = {"kind": kind}
    if kind not in RECURRENT:
        changes["bidirectional"] = False
    if old == [kind]:
        return state, f"{numbered(spec, positions)}: {kind} already", set()
    new = _with_layers(spec, positions, **changes)
    return replace(state, spec=new), f"{numbered(spec, positions)}: {' and '.join(old)} → {kind}", {"kind"}


@operation("set_flag")
def set_flag(state: State, field: str, value: bool, layers: str = "all") -> tuple[State, str, set[str]]:
    spec = state.spec
    if field not in ("bidirectional", "bias"):
        raise CannotApply(f"nlqa cannot change '{field}' in a follow-up")
    positions = targets(spec, layers)
    if not positions:
        raise CannotApply(f"the network has no {layers} layers to make {'bi' if value else 'uni'}"
                          f"directional (it has {kinds_text(spec)})" if field == "bidirectional"
                          else "the network has no layers")
    what = {"bidirectional": ("bidirectional", "unidirectional"), "bias": ("with biases", "without biases")}
    word = what[field][0 if value else 1]
    if all(getattr(spec.layers[i], field) == value for i in positions):
        return state, f"{numbered(spec, positions)}: {word} already", set()
    return (replace(state, spec=_with_layers(spec, positions, **{field: value})),
            f"{numbered(spec, positions)}: {word}", {field})


@operation("set_units")
def set_units(state: State, n: int, layers: str = "hidden") -> tuple[State, str, set[str]]:
    spec = state.spec
    if n <= 0:
        raise CannotApply("a layer needs a positive number of units")
    positions = [i for i in targets(spec, layers) if spec.layers[i].kind in SIZED]
    if not positions:
        raise CannotApply(f"the network has no {layers} dense or recurrent layers whose units could be "
                          f"{n} (it has {kinds_text(spec)})")
    return (replace(state, spec=_with_layers(spec, positions, units=n)),
            f"{numbered(spec, positions)}: {n} unit{'s' if n != 1 else ''}", {"units"})


@operation("set_framework")
def set_framework(state: State, framework: str) -> tuple[State, str, set[str]]:
    if framework not in FRAMEWORKS:
        raise CannotApply(f"nlqa knows the conventions of {', '.join(FRAMEWORKS)}, not {framework}")
    old = state.spec.framework
    note = f"counted with {FRAMEWORK_WORDS.get(framework, framework)}"
    if old == framework:
        return state, note + " already", set()
    return replace(state, spec=state.spec.with_(framework=framework)), note, {"framework"}


@operation("set_input")
def set_input(state: State, n: int) -> tuple[State, str, set[str]]:
    spec = state.spec
    if n <= 0:
        raise CannotApply("the input needs a positive number of features")
    shape = tuple(spec.input or ())
    if len(shape) > 2:
        raise CannotApply(f"the input is a {len(shape)}-dimensional tensor {shape}, not a vector of "
                          "features; give its whole shape in a full question")
    new = (n,) if len(shape) < 2 else (shape[0], n)
    return replace(state, spec=spec.with_(input=new)), f"input of {n} feature{'s' if n != 1 else ''}", {"input"}


@operation("set_quantity")
def set_quantity(state: State, quantity: str) -> tuple[State, str, set[str]]:
    from .grammar import grammar
    if quantity not in grammar().section("edit_quantities").get("quantities", []):
        raise Reask(quantity)
    network_quantity = quantity if state.layer is None else state.network_quantity
    note = quantity.replace("_", " ") + (f" of layer {state.layer}" if state.layer else "")
    return replace(state, quantity=quantity, network_quantity=network_quantity), note, {"quantity"}


@operation("ask_layer")
def ask_layer(state: State, ordinal: int | None = None, n: int | None = None) -> tuple[State, str, set[str]]:
    from .grammar import grammar
    number = _position(state.spec, ordinal if ordinal is not None else n)
    quantity = state.quantity
    if quantity in (None, "total_parameters", "trainable_parameters", "layer_parameters") or \
            quantity not in grammar().section("edit_quantities").get("quantities", []):
        quantity = "layer_parameters"   # a layer's own count; memory sizes and such are network-wide
    network_quantity = state.network_quantity if state.layer is not None or state.quantity is None \
        else state.quantity
    if network_quantity == "layer_parameters":
        network_quantity = "total_parameters"
    return (replace(state, quantity=quantity, layer=number, network_quantity=network_quantity),
            f"layer {number}", {"layer"})


@operation("explain")
def explain(state: State) -> tuple[State, str, set[str]]:
    """Nothing changes: the answer is shown in full, with its whole derivation."""
    return state, "the whole derivation", set()


@operation("whole_network")
def whole_network(state: State) -> tuple[State, str, set[str]]:
    quantity = state.network_quantity if state.quantity == "layer_parameters" else state.quantity
    return replace(state, quantity=quantity, layer=None), "the whole network", {"layer"}


@operation("insert_layer")
def insert_layer(state: State, kind: str = "previous", n: int | None = None,
                 position: str = "before_output", count: int = 1) -> tuple[State, str, set[str]]:
    spec = state.spec
    shown = listed(spec)
    if not shown:
        raise CannotApply("the network has no layers to add one to")
    if position != "before_output":
        raise CannotApply(f"nlqa does not know where '{position}' is")
    at = shown[-1]
    model = spec.layers[shown[-2]] if len(shown) > 1 else spec.layers[at]
    if kind == "previous":
        kind = model.kind
    kind = _kind(kind)
    units = n if n is not None else (model.units if model.kind in SIZED else None)
    if not units or units <= 0:
        raise CannotApply("the follow-up does not say how many units the new layer has, e.g. "
                          "'add another dense layer of 10'")
    if not 1 <= count <= 100:
        raise CannotApply(f"nlqa adds 1 to 100 layers in a follow-up, not {count}")
    layer = LayerSpec(kind, units, bias=all(spec.layers[i].bias for i in shown), name=f"added {kind} layer")
    layers = list(spec.layers)
    layers[at:at] = [layer] * count
    new = spec.with_(layers=layers)
    first = len(shown)  # the new layers take the output layer's number; the output moves down
    layer_asked = state.layer + count if state.layer is not None and state.layer >= first else state.layer
    numbers = f"layer {first}" if count == 1 else f"layers {first}–{first + count - 1}"
    note = (f"new {numbers}: {KIND_WORDS.get(kind, kind)}, {units} unit{'s' if units != 1 else ''}, "
            "before the output layer")
    return replace(state, spec=new, layer=layer_asked), note, {"layers"}


@operation("remove_layer")
def remove_layer(state: State, ordinal: int | None = None, n: int | None = None) -> tuple[State, str, set[str]]:
    spec = state.spec
    shown = listed(spec)
    number = _position(spec, ordinal if ordinal is not None else n)
    if len(shown) == 1:
        raise CannotApply("the network has only this one layer")
    layers = [l for i, l in enumerate(spec.layers) if i != shown[number - 1]]
    layer_asked = state.layer
    if layer_asked == number:
        layer_asked = None
    elif layer_asked is not None and layer_asked > number:
        layer_asked -= 1
    quantity = state.network_quantity if layer_asked is None and state.quantity == "layer_parameters" \
        else state.quantity
    return (replace(state, spec=spec.with_(layers=layers), layer=layer_asked, quantity=quantity),
            f"layer {number} ({KIND_WORDS.get(spec.layers[shown[number - 1]].kind, spec.layers[shown[number - 1]].kind)}) removed",
            {"layers"})


def parameters(op: str) -> set[str]:
    """The arguments operation ``op`` takes (besides the state)."""
    return set(list(inspect.signature(OPERATIONS[op]).parameters)[1:])


def apply(state: State, edits: list[dict[str, Any]]) -> Result:
    """Apply ``edits`` in order; raise CannotApply (nothing applied) when one does not fit. Each
    operation gets the arguments it takes (a slot value meant for another edit is not passed)."""
    notes, settles = [], set()
    for edit in edits:
        func = OPERATIONS[edit["op"]]
        args = {k: v for k, v in edit.items() if k in parameters(edit["op"])}
        try:
            state, note, settled = func(state, **args)
        except TypeError as exc:  # a grammar entry without an argument the operation needs
            raise CannotApply(f"the follow-up lacks a detail ({exc})") from None
        notes.append(note)
        settles |= settled
    return Result(state, tuple(notes), frozenset(settles))
