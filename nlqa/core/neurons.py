"""How many neurons a network has ("how many neurons does the network have?", "how many hidden nodes?").

A neuron is a unit that computes a weighted sum: each unit of a dense layer. The inputs are not
neurons (they compute nothing), so a network's neurons are its hidden and output units; its hidden
neurons leave out the last layer. Counting the input nodes too is the other reading. Only networks
of dense layers have neurons counted this way: a convolution's "neurons" would be its output
values, which is a different question (``output_size``).
"""

from __future__ import annotations

from .spec import NetworkCount

PARAMETER_FREE_KINDS = ("Dropout", "Activation", "Flatten")


def neurons(count: NetworkCount, layer: int | None, hidden: bool = False, with_inputs: bool = False) -> int | None:
    """The units of the network's dense layers (or of one layer), or None when it has other layers."""
    rows = [c for c in count.layers if not c.spec.implicit and c.spec.kind not in PARAMETER_FREE_KINDS]
    if layer is not None:
        row = next((c for c in count.layers if c.index == layer), None)
        return row.spec.units if row is not None and row.spec.kind == "Dense" else None
    if not rows or any(c.spec.kind != "Dense" or not c.spec.units for c in rows):
        return None
    total = sum(c.spec.units for c in (rows[:-1] if hidden else rows))
    if with_inputs:
        total += count.layers[0].input_shape[-1] if count.layers[0].input_shape[-1] else 0
    return total
