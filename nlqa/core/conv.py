"""Formulas of convolution, pooling, normalisation and embedding layers, with shape arithmetic.

Shapes are channels-last without the batch dimension: (H, W, C) for images, (L, C) for
sequences, (D, H, W, C) for volumes. Output sides follow the frameworks: ``floor((n + 2p −
d(k−1) − 1)/s) + 1`` for explicit padding p, ``ceil(n/s)`` for "same" (Keras).
"""

from __future__ import annotations

from ..errors import SpecError
from .conventions import Convention
from .layers import Result, formula, term
from .spec import LayerSpec, Shape, Term

CONV_DIMS = {"Conv1D": 1, "Conv2D": 2, "Conv3D": 3, "DepthwiseConv2D": 2, "SeparableConv2D": 2,
             "Conv2DTranspose": 2, "Conv1DTranspose": 1, "Conv3DTranspose": 3}
POOL_DIMS = {"MaxPooling1D": 1, "MaxPooling2D": 2, "MaxPooling3D": 3, "AveragePooling1D": 1,
             "AveragePooling2D": 2, "AveragePooling3D": 3}
GLOBAL_POOLS = ("GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
                "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D")


def _sides(value, dims: int, default: int, what: str) -> tuple[int, ...]:
    if value is None:
        return (default,) * dims
    if isinstance(value, int):
        return (value,) * dims
    value = tuple(value)
    if len(value) == 1:
        return value * dims
    if len(value) != dims:
        raise SpecError(f"the {what} {value} does not fit a {dims}-D input.")
    return value


def _spatial(spec: LayerSpec, shape: Shape, dims: int) -> tuple[tuple, int]:
    if len(shape) != dims + 1:
        want = {1: "(length, channels)", 2: "(height, width, channels)", 3: "(depth, height, width, channels)"}[dims]
        raise SpecError(f"a {spec.kind} layer takes a {want} input, not {tuple(shape)}.")
    channels = shape[-1]
    if spec.in_features is not None:
        if channels is not None and channels != spec.in_features:
            raise SpecError(f"the {spec.kind} layer declares {spec.in_features} input channels but "
                            f"the layer before it gives {channels}.")
        channels = spec.in_features
    if channels is None:
        raise SpecError(f"the number of channels going into the {spec.kind} layer is unknown.")
    return tuple(shape[:-1]), channels


def _padding(spec: LayerSpec, dims: int):
    if spec.padding in ("valid", "same", None):
        return spec.padding or "valid"
    return _sides(spec.padding, dims, 0, "padding")


def _out_side(n: int, k: int, s: int, d: int, pad, axis: int, spec: LayerSpec) -> int:
    """One output side: 'same' → ceil(n/s); else floor((n + 2p − d(k−1) − 1)/s) + 1."""
    if n is None:
        return None  # an unknown side stays unknown; the parameter count does not need it
    if pad == "same":
        return -(-n // s)
    p = 0 if pad == "valid" else pad[axis]
    span = d * (k - 1) + 1
    if n + 2 * p < span:
        raise SpecError(f"the {spec.kind} kernel ({span} wide with dilation) is larger than its padded "
                        f"input side ({n} + 2×{p}).")
    return (n + 2 * p - span) // s + 1


@formula(*CONV_DIMS)
def conv(spec: LayerSpec, shape: Shape, conv_: Convention) -> Result:
    """Convolution: ``k₁·…·k_n · C_in/groups · C_out + C_out``; depthwise ``k·k·C_in·m + C_in·m``;
    separable ``k·k·C_in·m + C_in·m·C_out + C_out``; transposed ``k·k·C_in·C_out + C_out``."""
    dims = CONV_DIMS[spec.kind]
    sides, c_in = _spatial(spec, shape, dims)
    if spec.kernel is None:
        raise SpecError(f"the {spec.kind} layer has no kernel size.")
    k = _sides(spec.kernel, dims, 1, "kernel")
    s = _sides(spec.strides, dims, 1, "strides")
    d = _sides(spec.dilation, dims, 1, "dilation")
    pad = _padding(spec, dims)
    m = spec.depth_multiplier
    if spec.kind == "DepthwiseConv2D":
        c_out = c_in * m
        terms = [term("depthwise weights", "weights", (), k + (c_in, m) if m != 1 else k + (c_in,))]
        if spec.bias:
            terms.append(term("biases", "biases", (), (c_out,)))
        formula_txt = "k·k·C_in·m + C_in·m"
    else:
        c_out = spec.units
        if not c_out or c_out <= 0:
            raise SpecError(f"the {spec.kind} layer has no number of filters.")
        if spec.kind == "SeparableConv2D":
            terms = [term("depthwise weights", "weights", (), k + ((c_in, m) if m != 1 else (c_in,))),
                     term("pointwise weights", "weights", (), (c_in * m, c_out))]
            formula_txt = "k·k·C_in + C_in·C_out + C_out"
        else:
            g = spec.groups
            if c_in % g or c_out % g:
                raise SpecError(f"groups={g} must divide both {c_in} input and {c_out} output channels.")
            per_group = c_in // g
            terms = [term("weights", "weights", (), k + (per_group, c_out))]
            formula_txt = "k·k·C_in·C_out + C_out" if g == 1 else "k·k·(C_in/g)·C_out + C_out"
        if spec.bias:
            terms.append(term("biases", "biases", (), (c_out,)))
    if spec.kind.endswith("Transpose"):
        op = _sides(spec.output_padding, dims, 0, "output_padding")
        out = []
        for axis, n in enumerate(sides):
            if n is None:
                out.append(None)
            elif pad == "same":
                out.append(n * s[axis])
            elif pad == "valid":
                out.append(n * s[axis] + max(k[axis] - s[axis], 0))
            else:
                out.append((n - 1) * s[axis] - 2 * pad[axis] + d[axis] * (k[axis] - 1) + op[axis] + 1)
    else:
        out = [_out_side(n, k[a], s[a], d[a], pad, a, spec) for a, n in enumerate(sides)]
    return tuple(terms), tuple(out) + (c_out,), formula_txt, ()


@formula(*POOL_DIMS)
def pool(spec: LayerSpec, shape: Shape, conv_: Convention) -> Result:
    """Pooling: 0 parameters; window 2 and stride = window unless given."""
    dims = POOL_DIMS[spec.kind]
    sides, c = _spatial(spec, shape, dims)
    window = _sides(spec.pool, dims, 2, "pool size")
    s = _sides(spec.strides, dims, 0, "strides")
    s = tuple(si or wi for si, wi in zip(s, window))
    pad = _padding(spec, dims)
    out = [_out_side(n, window[a], s[a], 1, pad, a, spec) for a, n in enumerate(sides)]
    return (), tuple(out) + (c,), "0", ()


@formula(*GLOBAL_POOLS)
def global_pool(spec: LayerSpec, shape: Shape, conv_: Convention) -> Result:
    """Global pooling: 0 parameters; keeps only the channels."""
    if len(shape) < 2:
        raise SpecError(f"{spec.kind} needs an input with spatial axes, not {tuple(shape)}.")
    return (), (shape[-1],), "0", ()


def _scale_and_offset(spec: LayerSpec, shape: Shape, what: str) -> tuple[int, list[Term]]:
    """A normalisation's width and its γ (scale) and β (offset) terms, each left out when off."""
    width = spec.in_features or (shape[-1] if shape else None)
    if width is None:
        raise SpecError(f"{what} is unknown.")
    terms = []
    if spec.scale:
        terms.append(term("scale γ", "weights", (), (width,)))
    if spec.center:
        terms.append(term("offset β", "biases", (), (width,)))
    return width, terms


@formula("BatchNormalization")
def batchnorm(spec: LayerSpec, shape: Shape, conv_: Convention) -> Result:
    """BatchNorm over C channels: γ and β trainable (2C) + moving mean and variance (2C), which
    Keras counts as non-trainable parameters and PyTorch keeps as buffers (not parameters)."""
    c, terms = _scale_and_offset(spec, shape, "the number of channels BatchNorm normalizes")
    notes = ()
    if conv_.batchnorm_statistics == "parameters":
        terms.append(Term("moving mean and variance (non-trainable)", "statistics", (2, c), 2 * c))
    else:
        notes = ("the running mean and variance are buffers, not parameters",)
    return tuple(terms), tuple(shape), "2C trainable + 2C non-trainable" if conv_.batchnorm_statistics == "parameters" else "2C", notes


@formula("LayerNormalization")
def layernorm(spec: LayerSpec, shape: Shape, conv_: Convention) -> Result:
    """LayerNorm over the last axis d: γ and β, ``2d``."""
    _, terms = _scale_and_offset(spec, shape, "the width LayerNorm normalizes")
    return tuple(terms), tuple(shape), "2d", ()


@formula("Embedding")
def embedding(spec: LayerSpec, shape: Shape, conv_: Convention) -> Result:
    """Embedding of V tokens in d dimensions: ``V·d`` (no bias); (T,) → (T, d)."""
    if not spec.vocab or spec.vocab <= 0:
        raise SpecError("the embedding's vocabulary size is unknown.")
    if not spec.units or spec.units <= 0:
        raise SpecError("the embedding's dimension is unknown.")
    steps = tuple(shape) if shape else (None,)
    return (term("embedding table", "weights", (), (spec.vocab, spec.units)),), steps + (spec.units,), "V·d", ()


@formula("PReLU")
def prelu(spec: LayerSpec, shape: Shape, conv_: Convention) -> Result:
    """PReLU: Keras one α per input element; PyTorch ``nn.PReLU()`` one α (units = 1)."""
    if spec.units:
        count = spec.units
    else:
        count = 1
        for side in shape:
            count *= side or 1
    return (term("slopes α", "weights", (), (count,)),), tuple(shape), "α per element", ()
