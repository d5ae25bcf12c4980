"""Sizes a question leaves out that its own layers fix: a pasted model whose image size is not
given, but whose first dense layer declares how many values the flattened feature map holds
(``nn.Linear(32 * 8 * 8, 128)`` after two 2×2 poolings implies a 32×32 input).

The parameter count never depends on this; it makes the shapes of the layer table known and is
said as an assumption. The smallest square side that gives the declared size is found by bisection
over the counting core itself (the flattened size only grows with the side).
"""

from __future__ import annotations

from .core import count_network
from .core.spec import NetworkSpec
from .errors import SpecError

MAX_SIDE = 8192


def _flattened(spec: NetworkSpec, upto: int, side: int) -> int:
    """Values the layer before ``upto`` gives for a ``side``×``side`` input (0 when too small)."""
    trial = spec.with_(input=(side, side, spec.input[2]), layers=spec.layers[:upto])
    try:
        shape = count_network(trial).output_shape
    except SpecError:
        return 0
    if any(s is None for s in shape):
        return -1
    size = 1
    for s in shape:
        size *= s
    return size


def _declaring_layer(spec: NetworkSpec) -> int | None:
    """The index of the first layer after a Flatten that declares its input size."""
    flattened = False
    for at, layer in enumerate(spec.layers):
        if layer.kind == "Flatten":
            flattened = True
        elif flattened and layer.in_features is not None:
            return at
        elif flattened:
            return None
    return None


def implied_square_input(spec: NetworkSpec) -> tuple[NetworkSpec, str] | None:
    """``spec`` with the square input side its declared dense input implies, and the sentence
    saying so; None when the input is known, not an image, or no side fits exactly."""
    shape = spec.input
    if shape is None or len(shape) != 3 or shape[0] is not None or shape[1] is not None or shape[2] is None:
        return None
    at = _declaring_layer(spec)
    if at is None:
        return None
    want = spec.layers[at].in_features
    low, high = 1, MAX_SIDE
    if _flattened(spec, at, high) < want:
        return None
    while low < high:                    # the smallest side whose flattened size reaches `want`
        mid = (low + high) // 2
        got = _flattened(spec, at, mid)
        if got < 0:
            return None
        if got < want:
            low = mid + 1
        else:
            high = mid
    if _flattened(spec, at, low) != want:
        return None
    found = spec.with_(input=(low, low, shape[2]))
    flatten = max(i for i in range(at) if spec.layers[i].kind == "Flatten")
    try:
        before = count_network(found.with_(layers=spec.layers[:flatten])).output_shape
    except SpecError:
        return None
    sides = " × ".join(str(s) for s in (before[-1], *before[:-1]))
    note = (f"the input size is not given: the dense layer after the flatten takes {want:,} = {sides} "
            f"values (channels × height × width), which a {low}×{low} input gives (the smallest such "
            f"size; the parameter count does not depend on it)")
    return found, note
