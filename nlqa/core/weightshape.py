"""The shape of a dense layer's weight matrix ("what are the dimensions of W2?").

A dense layer of u units on i inputs holds i·u weights. Written as a matrix it is u × i when the
layer computes y = Wx + b (textbooks; PyTorch's ``Linear.weight``) and i × u when it computes
y = xW + b (Keras's ``Dense`` kernel): which one a framework uses is its ``weight_matrix``
convention (grammars/conventions.toml). Only dense layers have one weight matrix; other kinds have
none or several (a recurrent layer's input and recurrent matrices), so they have no single shape.
"""

from __future__ import annotations

from .conventions import convention
from .spec import LayerCount

MATRIX_KINDS = ("Dense",)


def weight_matrix(row: LayerCount, framework: str) -> tuple[int, int] | None:
    """``(rows, columns)`` of the layer's weight matrix under ``framework``'s convention, or None."""
    if row.spec.kind not in MATRIX_KINDS:
        return None
    weights = [t for t in row.terms if t.kind == "weights"]
    if len(weights) != 1 or len(weights[0].factors) != 2:
        return None
    inputs, units = weights[0].factors
    return (units, inputs) if convention(framework).weight_matrix == "out_in" else (inputs, units)


def orientation(framework: str) -> str:
    """How the convention writes the matrix, for the derivation."""
    if convention(framework).weight_matrix == "out_in":
        return "units × inputs (y = Wx + b)"
    return "inputs × units (y = xW + b, the Keras kernel)"
