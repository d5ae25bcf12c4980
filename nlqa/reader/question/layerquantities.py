"""Quantities asked of one kind of layer: one gate of an LSTM/GRU layer, the neurons of a dense
network, a dense layer's weight matrix.

Each reading takes the network and what the question asks (quantity, the layer named) and returns
an :class:`Asked`: the layer and quantity to answer, what is missing if it cannot be answered, and
the assumptions and other readings to state. Layers are numbered as listed (implied layers such as
a Flatten nlqa adds are not counted), the numbering every answer uses.
"""

from __future__ import annotations

from dataclasses import dataclass

from ...core.spec import NetworkSpec
from ...core.weightshape import MATRIX_KINDS
from ..extraction import Alternative

# a count asked of one gate of an LSTM/GRU layer ("the weights of the forget gate")
GATE_QUANTITIES = {"weights": "gate_weights", "biases": "gate_biases", "total_parameters": "gate_parameters",
                   "trainable_parameters": "gate_parameters", "layer_parameters": "gate_parameters"}
NEURON_QUANTITIES = ("neurons", "hidden_neurons")
SHAPE_ONLY = ("Dropout", "Activation", "Flatten")


@dataclass
class Asked:
    quantity: str
    layer: int | None
    missing: str | None = None
    assumptions: tuple[str, ...] = ()
    alternatives: tuple[Alternative, ...] = ()
    parts: tuple[tuple[str, int], ...] = ()


def _listed(spec: NetworkSpec):
    return [layer for layer in spec.layers if not layer.implicit]


def gate_asked(spec: NetworkSpec, quantity: str, layer: int | None, gate, loose_weights: bool) -> Asked:
    """"How many weights are in the forget gate?": that gate's share of the one LSTM/GRU layer it names
    (``gate`` is the GATE mention; its id is the layer kind it belongs to)."""
    listed = _listed(spec)
    gated = [i for i, l in enumerate(listed, 1) if l.kind in ("LSTM", "GRU")]
    chosen = [layer] if layer is not None else gated
    if len(chosen) != 1 or chosen[0] not in gated or listed[chosen[0] - 1].kind.lower() != gate.id:
        return Asked(quantity, layer, missing=(
            f"which layer's {gate.text} is meant (the question names a gate of "
            f"{'an LSTM' if gate.id == 'lstm' else 'a GRU'} layer; name that one layer)"))
    asked = GATE_QUANTITIES[quantity]
    alternatives = (Alternative("the gate's weights only, its biases not counted", spec, "gate_weights"),) \
        if loose_weights and asked == "gate_parameters" else ()
    return Asked(asked, chosen[0], alternatives=alternatives, assumptions=(
        "one gate of the layer: its share of the layer's weights and biases (every gate has the same shape: "
        "u·(i + u) weights and its own bias vector)",))


def neurons_asked(spec: NetworkSpec, quantity: str, layer: int | None) -> Asked:
    """"How many (hidden) neurons does it have?": the units of a network of dense layers (or of one)."""
    listed = _listed(spec)
    counted = [l for l in listed if l.kind not in SHAPE_ONLY] if layer is None else [listed[layer - 1]]
    if any(l.kind != "Dense" for l in counted):
        return Asked(quantity, layer, missing=(
            "what a neuron is in this network: nlqa counts the neurons of dense layers; for other layers ask "
            "for the output shape or the number of values in the output"))
    if quantity == "neurons" and layer is None:
        return Asked(quantity, layer, assumptions=(
            "the input nodes are not neurons (they compute nothing): the count is the hidden and output units",),
            alternatives=(Alternative("counting the input nodes as neurons too", spec, "neurons_with_inputs"),))
    return Asked(quantity, layer)


def matrix_asked(spec: NetworkSpec, layer: int | None) -> Asked:
    """"The dimensions of W2", "the shape of the weight matrices": a layer it names, the only dense
    layer, or every dense layer as one part each; the transposed matrix is the other reading."""
    listed = _listed(spec)
    dense = [i for i, l in enumerate(listed, 1) if l.kind in MATRIX_KINDS]
    if layer is not None and layer not in dense:
        return Asked("weight_shape", layer, missing=(
            f"which weight matrix is meant: layer {layer} is a {listed[layer - 1].kind} layer, which has no single "
            "weight matrix (nlqa gives the weight-matrix shape of dense layers; ask for its weights as a count "
            "instead)"))
    if not dense:
        return Asked("weight_shape", layer, missing=(
            "which weight matrix is meant: this network has no dense layer with a single weight matrix (ask for "
            "its weights as a count instead)"))
    layers = [layer] if layer is not None else dense
    other = "pytorch" if spec.framework == "keras" else "keras"
    transposed = Alternative(
        "the transposed matrix: inputs × units, as Keras stores a Dense kernel (y = xW + b)" if other == "keras"
        else "the transposed matrix: units × inputs (y = Wx + b), as textbooks and PyTorch write it",
        spec.with_(framework=other), "weight_shape")
    return Asked("weight_shape", layers[0], alternatives=(transposed,),
                 parts=tuple(("weight_shape", i) for i in layers) if len(layers) > 1 else ())
