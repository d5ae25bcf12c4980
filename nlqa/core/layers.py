"""One counting formula per layer kind.

Each formula takes the layer's spec, its input shape and the convention, and returns
``(terms, output_shape, formula, notes)``; the answer's derivation is written from the terms, so
the steps a student reads are the arithmetic the count was made with. Shapes are channels-last
with no batch dimension; ``None`` stands for an unknown number of time steps.
"""

from __future__ import annotations

from typing import Callable

from ..errors import SpecError
from .conventions import Convention
from .spec import LayerSpec, Shape, Term

Result = tuple[tuple[Term, ...], Shape, str, tuple[str, ...]]
Formula = Callable[[LayerSpec, Shape, Convention], Result]

FORMULAS: dict[str, Formula] = {}
RECURRENT_GATES = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}


def formula(*kinds: str) -> Callable[[Formula], Formula]:
    def register(func: Formula) -> Formula:
        for kind in kinds:
            FORMULAS[kind] = func
        return func
    return register


def term(label: str, kind: str, multipliers: tuple[int, ...], dims: tuple[int, ...]) -> Term:
    """A summand: structural multipliers equal to 1 (one direction, one gate) are left out."""
    factors = tuple(m for m in multipliers if m != 1) + dims
    value = 1
    for f in factors:
        value *= f
    return Term(label, kind, factors or (value,), value)


def _units(spec: LayerSpec) -> int:
    if spec.units is None:
        raise SpecError(f"the {spec.kind} layer has no size (number of units).")
    if spec.units <= 0:
        raise SpecError(f"a {spec.kind} layer needs a positive number of units, not {spec.units}.")
    return spec.units


def _features(spec: LayerSpec, shape: Shape) -> int:
    """The layer's input size: the one it declares (PyTorch ``in_features``) or the one it is fed."""
    fed = shape[-1] if shape else None
    if spec.in_features is not None:
        if fed is not None and fed != spec.in_features:
            raise SpecError(f"the {spec.kind} layer declares {spec.in_features} inputs but the layer "
                            f"before it gives {fed}.")
        return spec.in_features
    if fed is None:
        raise SpecError(f"the input size of the {spec.kind} layer is unknown.")
    return fed


@formula("Dense")
def dense(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """Dense / fully connected: ``i·u + u`` (``i·u`` without bias), applied to the last axis."""
    u, i = _units(spec), _features(spec, shape)
    terms = [term("weights", "weights", (), (i, u))]
    if spec.bias:
        terms.append(term("biases", "biases", (), (u,)))
    return tuple(terms), tuple(shape[:-1]) + (u,) if shape else (u,), "i·u + u" if spec.bias else "i·u", ()


@formula("SimpleRNN", "LSTM", "GRU")
def recurrent(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """Recurrent layer with g gates (SimpleRNN 1, LSTM 4, GRU 3) and b bias vectors per gate.

    ``g·u(i + u + b)``: input weights g·i·u, recurrent weights g·u·u, biases g·b·u; b comes from
    the convention (textbook 1, PyTorch 2, Keras GRU with reset_after 2). A PyTorch LSTM with
    ``proj_size`` p has recurrent weights 4·p·u and a projection p·u, and outputs p values.
    Bidirectional doubles everything; the output concatenates both directions.
    """
    if len(shape) > 2:
        raise SpecError(f"a {spec.kind} layer takes (time steps, features), not a {len(shape)}-D input.",
                        hint="Flatten or reshape it first.")
    u, i = _units(spec), _features(spec, shape)
    g = RECURRENT_GATES[spec.kind]
    b = conv.rnn_bias_sets[spec.kind]
    if spec.kind == "GRU" and spec.reset_after is not None:
        b = 2 if spec.reset_after else 1
    if not spec.bias:
        b = 0
    dirs = 2 if spec.bidirectional else 1
    p = spec.proj_size
    if p and spec.kind != "LSTM":
        raise SpecError("proj_size applies to LSTM layers only.")
    h = p or u  # the size of the hidden state fed back
    terms = [
        term("input weights", "weights", (dirs, g), (i, u)),
        term("recurrent weights", "weights", (dirs, g), (h, u)),
    ]
    if b:
        terms.append(term("biases", "biases", (dirs, g, b), (u,)))
    if p:
        terms.append(term("projection weights", "weights", (dirs,), (u, p)))
    g_txt = "" if g == 1 else f"{g}"
    b_sym = {0: "", 1: " + 1", 2: " + 2"}[b]
    formula_txt = f"{g_txt}u(i + {'p' if p else 'u'}{b_sym})" + (" + p·u" if p else "")
    if dirs == 2:
        formula_txt = f"2 × {formula_txt}"
    width = h * dirs if spec.merge_mode == "concat" else h
    seqs = conv.rnn_returns_sequences if spec.return_sequences is None else spec.return_sequences
    steps = shape[0] if len(shape) == 2 else None
    out = (steps, width) if seqs else (width,)
    notes = []
    if b == 2:
        notes.append("two bias vectors per gate (input and recurrent)")
    return tuple(terms), out, formula_txt, tuple(notes)


@formula("Flatten")
def flatten(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """Flatten: 0 parameters; the output is the product of the input's sides."""
    if not shape:
        raise SpecError("Flatten needs an input with a shape.")
    size = 1
    for side in shape:
        size = size * side if side is not None and size is not None else None
    return (), (size,), "0", ()


@formula("Add")
def residual(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """Residual addition: 0 parameters when the shortcut has the block's shape; a 1×1 projection
    on the shortcut (``C_in·C_out + C_out``) when it does not and the question gives one."""
    short = tuple(spec.shortcut or ())
    if short == tuple(shape):
        return (), tuple(shape), "0 (identity shortcut)", ()
    if not spec.projection:
        raise SpecError(f"the residual addition adds a {short} shortcut to a {tuple(shape)} output; "
                        "the shapes differ.", hint="Say whether a 1×1 projection is on the shortcut.")
    c_in, c_out = short[-1], shape[-1]
    terms = (term("projection weights", "weights", (), (c_in, c_out)), term("projection biases", "biases", (), (c_out,)))
    return terms, tuple(shape), "C_in·C_out + C_out (1×1 projection)", ()


@formula("Parameter")
def parameter(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """A raw parameter tensor (``nn.Parameter``, ``register_parameter``): the product of its sides.
    It is not a step of the data flow: the shape is passed on unchanged."""
    if spec.tensor is None or any(not isinstance(d, int) or isinstance(d, bool) or d < 0 for d in spec.tensor):
        raise SpecError("the shape of the raw parameter tensor is unknown.")
    side = "×".join(str(d) for d in spec.tensor)
    return (term(f"a {side} tensor", "weights", (), tuple(spec.tensor)),), tuple(shape), "product of the sides", ()


@formula("Dropout", "Activation")
def passthrough(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """Dropout and activations: 0 parameters, shape kept."""
    return (), tuple(shape), "0", ()
