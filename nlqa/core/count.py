"""Counting a whole network: shape propagation and per-layer counts."""

from __future__ import annotations

from ..errors import SpecError
from .conventions import convention
from .layers import FORMULAS
from .validate import check_input, check_layer
from .spec import LayerCount, NetworkCount, NetworkSpec


def count_network(spec: NetworkSpec) -> NetworkCount:
    """Count every layer of ``spec`` in order; raise :class:`SpecError` naming the bad layer."""
    if spec.input is None:
        raise SpecError("the size of the input is unknown.")
    check_input(spec.input)
    conv = convention(spec.framework)
    shape = tuple(spec.input)
    counts = []
    listed = 0
    inputs: list[tuple] = []   # each layer's input shape, for residual shortcuts
    for layer in spec.layers:
        inputs.append(shape)
        if layer.kind == "Add":
            if not 1 <= layer.skip < len(inputs):
                raise SpecError(f"a residual addition cannot reach {layer.skip} layers back.", layer=listed + 1)
            layer = layer.with_(shortcut=inputs[-1 - layer.skip])
        if not layer.implicit:
            listed += 1
        func = FORMULAS.get(layer.kind)
        if func is None:
            raise SpecError(f"nlqa cannot count a {layer.kind} layer yet.", layer=listed)
        try:
            check_layer(layer)
            terms, out, formula, notes = func(layer, shape, conv)
            if layer.shared_weights:   # a tied matrix is counted once, in the layer that owns it
                terms = tuple(t for t in terms if t.kind != "weights")
                formula, notes = f"{formula} − the shared weights", notes + ("its weight matrix is another "
                                                                            "layer's, counted there",)
        except SpecError as exc:
            raise SpecError(exc.problem, layer=listed, hint=exc.hint) from None
        counts.append(LayerCount(listed if not layer.implicit else 0, layer, shape, out,
                                 terms, formula, notes))
        shape = out
    return NetworkCount(spec, tuple(counts))
