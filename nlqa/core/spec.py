"""The typed network spec the counting core works on (built by extraction, or by hand)."""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

Shape = tuple  # of int | None; channels-last, no batch dimension; None = unknown (time steps)

FRAMEWORKS = ("textbook", "keras", "pytorch")


@dataclass(frozen=True)
class LayerSpec:
    """One layer as a question or a piece of code describes it."""

    kind: str
    units: int | None = None
    bias: bool = True
    bidirectional: bool = False
    merge_mode: str = "concat"          # Keras Bidirectional: concat | sum | ave | mul
    return_sequences: bool | None = None  # None: the convention's default
    reset_after: bool | None = None      # GRU: None = the convention's default
    proj_size: int = 0                   # PyTorch LSTM projection
    trainable: bool = True
    in_features: int | None = None       # the input size the layer declares (PyTorch in_features)
    # convolution and pooling (sides in the order of the input's spatial axes)
    kernel: tuple | None = None
    strides: tuple | None = None
    padding: Any = "valid"               # "valid" | "same" | tuple of explicit paddings per side
    dilation: tuple | None = None
    groups: int = 1
    depth_multiplier: int = 1
    output_padding: tuple | None = None
    pool: tuple | None = None
    # attention and transformer blocks (units = the model width d)
    heads: int | None = None
    key_dim: int | None = None           # Keras MultiHeadAttention key_dim (per head)
    value_dim: int | None = None
    kdim: int | None = None              # PyTorch MultiheadAttention kdim / vdim
    vdim: int | None = None
    bias_kv: bool = False                # PyTorch add_bias_kv: learned bias_k and bias_v rows (2d)
    use_scale: bool = False              # Keras layers.Attention(use_scale=True): one learned scale
    ff: int | None = None                # feed-forward inner width
    positions: int | None = None         # position embeddings
    segments: int = 0                    # token-type (segment) embeddings
    patch: int | None = None             # ViT patch side
    image: int | None = None             # ViT image side
    channels: int | None = None          # ViT image channels
    tied: bool = True                    # language-model head shares the token embedding
    repeat: int = 1                      # identical blocks stacked (L encoder layers)
    # residual additions: the input of the layer `skip` places back is added to this input
    skip: int = 0
    projection: bool = False             # a 1×1 projection (with bias) on the shortcut
    shortcut: tuple | None = None        # filled in by the counter: the shortcut's shape
    # blocks of named models (nlqa.core.blocks)
    kv_heads: int | None = None          # grouped-query attention: key/value heads (None: as many as heads)
    head_dim: int | None = None          # per-head width when heads × head_dim is not the width (Gemma, T5)
    gated: bool = False                  # GLU feed-forward (SwiGLU, GeGLU): gate, up and down projections
    rms: bool = False                    # RMSNorm (a scale γ only) instead of LayerNorm (γ and β)
    qkv_bias: bool = False               # biases on the query, key and value projections only (Qwen2)
    parallel: bool = False               # attention and feed-forward share one norm (Phi, GPT-J)
    cross: bool = False                  # a decoder block with cross-attention (T5)
    experts: int = 0                     # mixture of experts: routed feed-forward experts per block
    active_experts: int = 0              # experts each token is routed to
    expansion: int = 1                   # CNN blocks: bottleneck expansion, inverted-residual expansion t
    se_divisor: int = 0                  # squeeze-excitation: squeeze channels = max(1, C_in // se_divisor)
    batchnorm: bool = False              # a convolution followed by a BatchNorm
    branches: tuple = ()                 # an Inception module: branches of (C_out, kh, kw) convolutions,
                                         # "pool" (channels passed through) or ("split", conv, conv)
    # embeddings and normalisation
    vocab: int | None = None
    center: bool = True
    scale: bool = True
    tensor: tuple | None = None          # a raw parameter tensor's shape (nn.Parameter(torch.zeros(4, 8)))
    shared_weights: bool = False         # its weight matrix is another layer's (head.weight = emb.weight)
    name: str = ""                       # how the question called it ("output layer", "fc2")
    implicit: bool = False               # added by nlqa (an implied Flatten), not listed by the user

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name != "kind" and value != f.default:
                out[f.name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "LayerSpec":
        known = {f.name for f in fields(cls)}
        values = {k: (tuple(v) if isinstance(v, list) else v) for k, v in data.items() if k in known}
        return cls(**values)

    def with_(self, **changes: Any) -> "LayerSpec":
        return replace(self, **changes)


@dataclass(frozen=True)
class NetworkSpec:
    """An input shape, an ordered list of layers and the framework whose conventions apply."""

    input: Shape | None
    layers: tuple[LayerSpec, ...] = ()
    framework: str = "textbook"

    def to_dict(self) -> dict[str, Any]:
        return {
            "input": list(self.input) if self.input is not None else None,
            "layers": [layer.to_dict() for layer in self.layers],
            "framework": self.framework,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "NetworkSpec":
        shape = data.get("input")
        return cls(
            input=tuple(shape) if shape is not None else None,
            layers=tuple(LayerSpec.from_dict(layer) for layer in data.get("layers", [])),
            framework=data.get("framework", "textbook"),
        )

    def with_(self, **changes: Any) -> "NetworkSpec":
        if "layers" in changes:
            changes["layers"] = tuple(changes["layers"])
        return replace(self, **changes)


@dataclass(frozen=True)
class Term:
    """One summand of a layer's count, with the factors that produce it (``3 × 6 = 18``)."""

    label: str            # "input weights", "recurrent weights", "biases"
    kind: str             # "weights" | "biases" | "statistics"
    factors: tuple[int, ...]
    value: int
    embedding: bool = False   # token/position/segment embedding tables (for non-embedding counts)
    active: int | None = None  # mixture of experts: the part a token uses (None: all of it)

    @property
    def expression(self) -> str:
        if len(self.factors) <= 1:
            return f"{self.value:,}"
        return " × ".join(f"{f:,}" for f in self.factors) + f" = {self.value:,}"


@dataclass(frozen=True)
class LayerCount:
    """The parameters of one layer, split into terms, with its input and output shapes."""

    index: int               # 1-based position among the listed layers
    spec: LayerSpec
    input_shape: Shape
    output_shape: Shape
    terms: tuple[Term, ...]
    formula: str             # the layer kind's formula in symbols, e.g. "u(i + u + 1)"
    notes: tuple[str, ...] = ()

    @property
    def weights(self) -> int:
        return sum(t.value for t in self.terms if t.kind == "weights")

    @property
    def biases(self) -> int:
        return sum(t.value for t in self.terms if t.kind == "biases")

    @property
    def params(self) -> int:
        return sum(t.value for t in self.terms)

    @property
    def active(self) -> int:
        """Parameters one token uses (a mixture of experts routes it to some experts only)."""
        return sum(t.value if t.active is None else t.active for t in self.terms)

    @property
    def non_trainable(self) -> int:
        if not self.spec.trainable:
            return self.params
        return sum(t.value for t in self.terms if t.kind == "statistics")

    @property
    def trainable(self) -> int:
        return self.params - self.non_trainable

    @property
    def embedding(self) -> int:
        if self.spec.kind == "Embedding":
            return self.params
        return sum(t.value for t in self.terms if t.embedding)


@dataclass(frozen=True)
class NetworkCount:
    spec: NetworkSpec
    layers: tuple[LayerCount, ...]

    @property
    def totals(self) -> dict[str, int]:
        out = self._totals()
        if any(t.active is not None for c in self.layers for t in c.terms):
            out["active_parameters"] = sum(c.active for c in self.layers)
        return out

    def _totals(self) -> dict[str, int]:
        return {
            "total_parameters": sum(c.params for c in self.layers),
            "trainable_parameters": sum(c.trainable for c in self.layers),
            "non_trainable_parameters": sum(c.non_trainable for c in self.layers),
            "weights": sum(c.weights for c in self.layers),
            "biases": sum(c.biases for c in self.layers),
            "non_embedding_parameters": sum(c.params - c.embedding for c in self.layers),
        }

    @property
    def output_shape(self) -> Shape:
        return self.layers[-1].output_shape if self.layers else tuple(self.spec.input or ())
