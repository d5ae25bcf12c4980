"""Which weight matrices a question about their shape asks for ("the dimensions of W2", "the shape of
the weight matrices"): a layer it names, the only dense layer, or every dense layer as one part each."""

from __future__ import annotations

from ..core.spec import NetworkSpec
from ..core.weightshape import MATRIX_KINDS


def weight_matrices(spec: NetworkSpec, layer: int | None) -> tuple[list[int], str | None]:
    """The listed layers (1-based) whose weight-matrix shapes are asked, and what is missing if none
    can be given (a named layer that is not a dense layer, or a network without one)."""
    listed = [l for l in spec.layers if not l.implicit]
    dense = [i for i, l in enumerate(listed, 1) if l.kind in MATRIX_KINDS]
    if layer is not None:
        if layer in dense:
            return [layer], None
        return [], (f"which weight matrix is meant: layer {layer} is a {listed[layer - 1].kind} layer, which has "
                    "no single weight matrix (nlqa gives the weight-matrix shape of dense layers; ask for its "
                    "weights as a count instead)")
    if not dense:
        return [], ("which weight matrix is meant: this network has no dense layer with a single weight matrix "
                    "(ask for its weights as a count instead)")
    return dense, None
