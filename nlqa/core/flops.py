"""Multiply-accumulates (MACs) of a forward pass, one formula per layer kind; FLOPs = 2 × MACs.

Each formula takes a counted layer (:class:`LayerCount`: its spec and its input and output shapes,
batch 1) and returns :class:`Ops`: the MAC terms, the bias additions (which the stated count leaves
out, ``grammars/flops.toml``) and, for recurrent layers, the MACs of one time step. Only the
multiply-accumulates of weight layers and attention's two activation products count; elementwise
operations (activations, normalization, pooling, softmax, gate products, residual adds) and lookups
are 0. That is torch.utils.flop_counter's convention, which reports 2 FLOPs per MAC.

A side that is ``None`` (the time steps of a sequence nobody stated) raises
:class:`SequenceLengthNeeded`: the count depends on it. An unknown kind raises; it is never 0.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from math import prod
from typing import Callable

from ..errors import SpecError
from .blocks import _side
from .conv import CONV_DIMS, _sides
from .layers import RECURRENT_GATES
from .spec import LayerCount, NetworkCount, Term


class SequenceLengthNeeded(SpecError):
    """The MACs depend on a sequence length (time steps, tokens) the question does not give."""


@dataclass(frozen=True)
class Ops:
    terms: tuple[Term, ...] = ()     # MAC terms (kind "macs"), with their factors
    bias_adds: int = 0               # additions of a bias, not in the MAC count
    formula: str = "0"
    per_step: int | None = None      # recurrent layers: the MACs of one time step
    steps: int | None = None         # the time steps the layer runs

    @property
    def macs(self) -> int:
        return sum(t.value for t in self.terms)


@dataclass(frozen=True)
class LayerOps:
    count: LayerCount
    ops: Ops


@dataclass(frozen=True)
class NetworkOps:
    layers: tuple[LayerOps, ...]

    @property
    def macs(self) -> int:
        return sum(row.ops.macs for row in self.layers)

    @property
    def bias_adds(self) -> int:
        return sum(row.ops.bias_adds for row in self.layers)


MacFormula = Callable[[LayerCount], Ops]
MAC_FORMULAS: dict[str, MacFormula] = {}
ZERO_KINDS = ("Flatten", "Dropout", "Activation", "PReLU", "BatchNormalization", "LayerNormalization", "RMSNorm",
              "Embedding", "TokenEmbeddings", "RelativePositionBias", "Pool2d", "AdaptivePool",
              "MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
              "AveragePooling3D", "GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalAveragePooling3D",
              "GlobalMaxPooling1D", "GlobalMaxPooling2D", "GlobalMaxPooling3D")


def macs_of(*kinds: str) -> Callable[[MacFormula], MacFormula]:
    def register(func: MacFormula) -> MacFormula:
        for kind in kinds:
            MAC_FORMULAS[kind] = func
        return func
    return register


def mac(label: str, *factors: int) -> Term:
    """A MAC summand: the product of its factors, each shown as the label names it."""
    return Term(label, "macs", tuple(factors), prod(factors))


def named_macs(label: str, named: tuple[tuple[str, int], ...], keep: tuple[str, ...] = ()) -> Term:
    """A MAC summand whose label lists its factors by name; a structural factor equal to 1 (one
    direction, one gate) is left out of both, unless ``keep`` names it."""
    shown = [(name, f) for name, f in named if f != 1 or name not in ("dirs", "g") or name in keep]
    return mac(f"{label} ({' × '.join(name for name, _ in shown)})", *(f for _, f in shown))


def _known(sides, what: str, spatial: bool = False) -> int:
    if any(s is None for s in sides):
        if spatial:
            raise SpecError(f"the MACs of {what} depend on the input's spatial size (its height and width), "
                            "which the question does not give.")
        raise SequenceLengthNeeded(f"the MACs of {what} depend on the sequence length (time steps), which "
                                   "the question does not give.")
    return prod(sides)


def count_macs(count: NetworkCount) -> NetworkOps:
    """The MACs of every layer of a counted network (batch 1), in order. A recurrent layer stacked on
    another runs over the same time steps, whether or not the shapes show the sequence (a textbook
    stack passes only the last state on, but the layer above still reads every step)."""
    rows = []
    steps = None
    for c in count.layers:
        func = MAC_FORMULAS.get(c.spec.kind)
        if func is None:
            raise SpecError(f"nlqa cannot count the MACs of {c.spec.kind} layers yet.", layer=c.index or None)
        if c.spec.kind in RECURRENT_GATES and len(c.input_shape) == 1 and steps is not None:
            c = replace(c, input_shape=(steps,) + tuple(c.input_shape))
        ops = func(c)
        if c.spec.kind in RECURRENT_GATES:
            steps = ops.steps
        rows.append(LayerOps(c, ops))
    return NetworkOps(tuple(rows))


@macs_of(*ZERO_KINDS)
def no_macs(c: LayerCount) -> Ops:
    """Elementwise operations, pooling, normalization, reshapes and lookups: 0 MACs."""
    return Ops()


@macs_of("Dense")
def dense(c: LayerCount) -> Ops:
    """Dense: ``P·i·u`` for P positions (1 for a vector; T when applied to every time step)."""
    i, u = c.input_shape[-1] if c.input_shape else c.spec.in_features, c.spec.units
    positions = _known(c.input_shape[:-1], "a dense layer on every time step")
    term = mac("weights (positions × i × u)" if positions != 1 else "weights (i × u)", positions, i, u)
    return Ops((term,), positions * u if c.spec.bias else 0, "P·i·u" if positions != 1 else "i·u")


@macs_of(*CONV_DIMS)
def convolution(c: LayerCount) -> Ops:
    """Convolution: ``out positions · k₁…k_n · C_in/g · C_out``; depthwise ``out · k… · C_in·m``;
    separable adds the pointwise ``out · C_in·m · C_out``; transposed ``in positions · k… · C_in/g · C_out``
    (each input value is scattered through the kernel: PyTorch's count)."""
    spec, dims = c.spec, CONV_DIMS[c.spec.kind]
    k = _sides(spec.kernel, dims, 1, "kernel")
    kk = prod(k)
    c_in, c_out = c.input_shape[-1] if c.input_shape[-1] is not None else spec.in_features, c.output_shape[-1]
    out = _known(c.output_shape[:-1], f"a {spec.kind} layer", len(c.output_shape) > 2)
    bias = out * c_out if spec.bias else 0
    if spec.kind == "DepthwiseConv2D":
        return Ops((mac("depthwise (out positions × k×k × C_in·m)", out, kk, c_out),), bias, "H_out·W_out·k·k·C_in·m")
    if spec.kind == "SeparableConv2D":
        m = spec.depth_multiplier
        terms = (mac("depthwise (out positions × k×k × C_in·m)", out, kk, c_in * m),
                 mac("pointwise (out positions × C_in·m × C_out)", out, c_in * m, c_out))
        return Ops(terms, bias, "H_out·W_out·(k·k·C_in·m + C_in·m·C_out)")
    per_group = c_in // spec.groups
    if spec.kind.endswith("Transpose"):
        positions = _known(c.input_shape[:-1], f"a {spec.kind} layer", len(c.input_shape) > 2)
        return Ops((mac("weights (in positions × kernel × C_in/g × C_out)", positions, kk, per_group, c_out),),
                   bias, "in positions·k·k·(C_in/g)·C_out")
    return Ops((mac("weights (out positions × kernel × C_in/g × C_out)", out, kk, per_group, c_out),), bias,
               "out positions·k·k·(C_in/g)·C_out")


@macs_of("ConvBN")
def conv_bn(c: LayerCount) -> Ops:
    """A named model's convolution (with BatchNorm, not counted): ``H_out·W_out·k·k·C_in/g·C_out``."""
    spec = c.spec
    k = spec.kernel[0] if spec.kernel else 3
    out = _known(c.output_shape[:-1], "a convolution", True)
    c_in, c_out = c.input_shape[-1], c.output_shape[-1]
    terms = (mac(f"{k}×{k} convolution (out positions × k×k × C_in/g × C_out)", out, k * k, c_in // spec.groups,
                 c_out),)
    return Ops(terms, out * c_out if spec.bias else 0, "H_out·W_out·k·k·(C_in/g)·C_out")


@macs_of("SimpleRNN", "LSTM", "GRU")
def recurrent(c: LayerCount) -> Ops:
    """Recurrent layer with g gates: ``g·u·(i + h)`` per time step (+ ``u·p`` with a projection),
    ×2 bidirectional; over the sequence, times T. The gates' elementwise products are not counted."""
    spec = c.spec
    g, u = RECURRENT_GATES[spec.kind], spec.units
    i = c.input_shape[-1] if c.input_shape[-1] is not None else spec.in_features
    h = spec.proj_size or u
    dirs = 2 if spec.bidirectional else 1
    if len(c.input_shape) != 2 or c.input_shape[0] is None:
        raise SequenceLengthNeeded(f"the MACs of the {spec.kind} layer depend on the sequence length (time "
                                   "steps), which the question does not give.")
    steps = c.input_shape[0]
    terms = [named_macs("input products", (("T", steps), ("dirs", dirs), ("g", g), ("i", i), ("u", u))),
             named_macs("recurrent products", (("T", steps), ("dirs", dirs), ("g", g), ("h", h), ("u", u)))]
    if spec.proj_size:
        terms.append(named_macs("projection", (("T", steps), ("dirs", dirs), ("u", u), ("p", spec.proj_size))))
    per_step = dirs * (g * u * (i + h) + (u * spec.proj_size if spec.proj_size else 0))
    biases = sum(t.value for t in c.terms if t.kind == "biases")
    g_txt = "" if g == 1 else f"{g}"
    formula = f"T × {'2 × ' if dirs == 2 else ''}{g_txt}u(i + {'p' if spec.proj_size else 'u'})" + (
        " + u·p" if spec.proj_size else "")
    return Ops(tuple(terms), steps * biases, formula, per_step, steps)


def _sequence(c: LayerCount, what: str) -> tuple[int, int]:
    shape = c.input_shape
    if len(shape) < 2 or shape[0] is None:
        raise SequenceLengthNeeded(f"the MACs of {what} depend on the sequence length (tokens), which the "
                                   "question does not give.")
    return shape[0], shape[-1]


def attention_macs(t: int, d: int, hk: int, hv: int, kv: tuple[int, int], label: str = "attention",
                   source: int | None = None) -> list[Term]:
    """Q ``T·d·hk``, K ``S·d_k·hk``, V ``S·d_v·hv``, output ``T·hv·d``; QKᵀ ``T·S·hk`` and AV ``T·S·hv``
    (S = T for self-attention)."""
    s = source or t
    return [mac(f"{label} Q projection (T × d × h·k)", t, d, hk),
            mac(f"{label} K projection (S × d_k × h·k)", s, kv[0], hk),
            mac(f"{label} V projection (S × d_v × h·v)", s, kv[1], hv),
            mac(f"{label} QKᵀ (T × S × h·k)", t, s, hk),
            mac(f"{label} AV (T × S × h·v)", t, s, hv),
            mac(f"{label} output projection (T × h·v × d)", t, hv, d)]


@macs_of("MultiHeadAttention")
def multi_head_attention(c: LayerCount) -> Ops:
    """Self-attention on (T, d): ``4·T·d² + 2·T²·d`` (projections, QKᵀ and AV); Keras key_dim k:
    ``T·d·hk·2 + T·d·hv + T·hv·d + T²·(hk + hv)``."""
    spec = c.spec
    t, d = _sequence(c, "attention")
    if spec.key_dim:
        hk, hv = (spec.heads or 1) * spec.key_dim, (spec.heads or 1) * (spec.value_dim or spec.key_dim)
    else:
        hk = hv = d
    terms = attention_macs(t, d, hk, hv, (spec.kdim or d, spec.vdim or d))
    bias = t * (2 * hk + hv + d) if spec.bias else 0
    return Ops(tuple(terms), bias, "4·T·d² + 2·T²·d" if hk == hv == d and not (spec.kdim or spec.vdim) else
               "Q, K, V, O projections + T²·(h·k + h·v)")


def _repeat(terms: list[Term], times: int) -> tuple[Term, ...]:
    if times == 1:
        return tuple(terms)
    return tuple(Term(f"{t.label} × {times} layers", "macs", (times,) + t.factors, t.value * times) for t in terms)


@macs_of("TransformerEncoderLayer", "TransformerDecoderLayer", "GPTBlock")
def transformer_layer(c: LayerCount) -> Ops:
    """Encoder layer: attention ``4·T·d² + 2·T²·d`` + feed-forward ``2·T·d·f``; a decoder layer adds
    cross-attention on a source of the same length; × the layers stacked."""
    spec = c.spec
    t, d = _sequence(c, f"a {spec.kind}")
    f = spec.ff or 4 * d
    terms = attention_macs(t, d, d, d, (d, d), "self-attention")
    if spec.kind == "TransformerDecoderLayer":
        terms += attention_macs(t, d, d, d, (d, d), "cross-attention")
    terms += [mac("feed-forward (T × d × f × 2)", t, d, f, 2)]
    attn = 2 if spec.kind == "TransformerDecoderLayer" else 1
    bias = spec.repeat * t * (attn * 4 * d + f + d) if spec.bias else 0
    txt = f"{attn if attn > 1 else ''}(4·T·d² + 2·T²·d) + 2·T·d·f".lstrip()
    return Ops(_repeat(terms, spec.repeat), bias, f"{spec.repeat} × ({txt})" if spec.repeat > 1 else txt)


@macs_of("TransformerBlock")
def transformer_block(c: LayerCount) -> Ops:
    """A named LLM's block: Q ``T·d·hk``, K and V ``2·T·d·gk``, QKᵀ and AV ``2·T²·hk``, output ``T·hk·d``,
    feed-forward gated ``3·T·d·f``, plain ``2·T·d·f``, experts ``a·3·T·d·f + T·d·E`` (a active); × L."""
    spec = c.spec
    t, d = _sequence(c, "a transformer block")
    h = spec.heads
    k = spec.head_dim or d // h
    g = spec.kv_heads or h
    terms = [mac("self-attention Q projection (T × d × h·k)", t, d, h * k),
             mac("self-attention K and V projections (2 × T × d × g·k)", 2, t, d, g * k),
             mac("self-attention QKᵀ and AV (2 × T × T × h·k)", 2, t, t, h * k),
             mac("self-attention output projection (T × h·k × d)", t, h * k, d)]
    if spec.cross:
        terms += attention_macs(t, d, h * k, h * k, (d, d), "cross-attention")
    if spec.experts:
        terms += [mac("experts a token is routed to (a × 3 × T × d × f)", spec.active_experts or spec.experts, 3, t,
                      d, spec.ff), mac("router (T × d × E)", t, d, spec.experts)]
    else:
        terms.append(mac("feed-forward (T × d × f × n)", t, d, spec.ff, 3 if spec.gated else 2))
    return Ops(_repeat(terms, spec.repeat), 0, "L × (attention + T²-products + feed-forward)")


@macs_of("LMHead")
def lm_head(c: LayerCount) -> Ops:
    """Output projection d → V on every token: ``T·d·V`` (also when its matrix is tied to the embedding)."""
    t, d = _sequence(c, "the output head")
    return Ops((mac("output projection (T × d × V)", t, d, c.spec.vocab),), 0, "T·d·V")


@macs_of("Pooler")
def pooler(c: LayerCount) -> Ops:
    """BERT pooler: a dense d → d on the first token, ``d²``."""
    d = c.input_shape[-1]
    return Ops((mac("pooler (d × d)", d, d),), d, "d²")


@macs_of("PatchEmbedding")
def patch_embedding(c: LayerCount) -> Ops:
    """ViT patch projection: ``N·p·p·C·d`` for N patches."""
    spec = c.spec
    n = (spec.image // spec.patch) ** 2
    return Ops((mac("patch projection (N × p×p × C × d)", n, spec.patch ** 2, spec.channels or 3, spec.units),),
               n * spec.units, "N·p·p·C·d")


@macs_of("Add")
def residual(c: LayerCount) -> Ops:
    """Residual addition: 0 MACs (elementwise); a 1×1 projection on the shortcut ``P·C_in·C_out``."""
    if not c.terms:
        return Ops()
    positions = _known(c.output_shape[:-1], "a shortcut projection")
    c_in, c_out = (c.spec.shortcut or ())[-1], c.output_shape[-1]
    return Ops((mac("shortcut projection (positions × C_in × C_out)", positions, c_in, c_out),), positions * c_out,
               "P·C_in·C_out")


def _conv_mac(label: str, side: int, k: int, c_in: int, c_out: int) -> Term:
    return mac(f"{label} ({side}×{side} × {k}×{k} × C_in × C_out)", side * side, k * k, c_in, c_out)


@macs_of("BasicBlock", "Bottleneck")
def residual_blocks(c: LayerCount) -> Ops:
    """ResNet stages (torchvision, stride on the 3×3): basic ``o²·9·C·p + o²·9·p²``, bottleneck
    ``n²·C·p + o²·9·p² + o²·p·4p``, with a 1×1 projection shortcut ``o²·C·C_out`` where the shape changes."""
    spec = c.spec
    n, _, c_in = c.input_shape
    if n is None or n != c.input_shape[1]:
        raise SpecError("nlqa counts the MACs of residual stages on square images only.")
    p, s = spec.units, spec.strides[0] if spec.strides else 1
    c_out = p * spec.expansion
    terms, ch, side = [], c_in, n
    for block in range(spec.repeat):
        stride = s if block == 0 else 1
        o = _side(side, 3, stride, 1)
        tag = f"block {block + 1}"
        if spec.kind == "Bottleneck":
            terms += [_conv_mac(f"{tag} 1×1 reduce", side, 1, ch, p), _conv_mac(f"{tag} 3×3", o, 3, p, p),
                      _conv_mac(f"{tag} 1×1 expand", o, 1, p, c_out)]
        else:
            terms += [_conv_mac(f"{tag} first 3×3", o, 3, ch, p), _conv_mac(f"{tag} second 3×3", o, 3, p, p)]
        if stride != 1 or ch != c_out:
            terms.append(_conv_mac(f"{tag} projection shortcut 1×1", o, 1, ch, c_out))
        ch, side = c_out, o
    return Ops(tuple(terms), 0, "Σ convolutions H_out·W_out·k·k·C_in·C_out")
