"""Formulas of the blocks named models are built from (``grammars/models/``, ``nlqa.core.models``).

Transformer blocks of open LLMs and T5 — grouped-query attention, SwiGLU/GeGLU or plain
feed-forwards, RMSNorm or LayerNorm, mixtures of experts — and the CNN blocks of torchvision's
classics: convolutions with BatchNorm, residual basic and bottleneck blocks with projection
shortcuts, inverted residuals with squeeze-excitation, dense blocks and transitions.

Each piece is one small function returning its terms, so a derivation shows the arithmetic the
count was made with. Shapes: (T, d) for token sequences, (H, W, C) channels-last for images.
Rotary positions (Llama, Mistral, Qwen, Gemma, Phi) have no parameters and add no term.
BatchNorm here is PyTorch's: γ and β are parameters, the running mean and variance are buffers.
"""

from __future__ import annotations

from ..errors import SpecError
from .conventions import Convention
from .layers import Result, formula, term
from .spec import LayerSpec, Shape, Term

# the kinds of this module, named in derivations by the name their model gives them ("stage 2")
KINDS = ("TransformerBlock", "RMSNorm", "RelativePositionBias", "ConvBN", "Pool2d", "AdaptivePool", "BasicBlock",
         "Bottleneck", "InvertedResidual", "DenseBlock", "Transition", "InceptionModule", "AuxClassifier")

# -- transformer pieces -------------------------------------------------------------------------


def attention_projections(d: int, heads: int, kv_heads: int, head_dim: int, bias: bool, qkv_bias: bool,
                          label: str = "attention") -> list[Term]:
    """Grouped-query attention: query ``d·h·k``, key and value ``d·g·k`` each, output ``h·k·d``
    for h query heads, g key/value heads of width k (g = h: multi-head, g = 1: multi-query).
    Biases: ``h·k + 2·g·k`` on Q, K, V (``qkv_bias`` or ``bias``), ``d`` on the output (``bias``)."""
    terms = [term(f"{label} query weights", "weights", (), (d, heads * head_dim)),
             term(f"{label} key and value weights", "weights", (2,), (d, kv_heads * head_dim)),
             term(f"{label} output weights", "weights", (), (heads * head_dim, d))]
    if bias or qkv_bias:
        terms.append(term(f"{label} query biases", "biases", (), (heads * head_dim,)))
        terms.append(term(f"{label} key and value biases", "biases", (2,), (kv_heads * head_dim,)))
    if bias:
        terms.append(term(f"{label} output biases", "biases", (), (d,)))
    return terms


def gated_feed_forward(d: int, f: int, label: str = "feed-forward") -> list[Term]:
    """SwiGLU / GeGLU: gate and up projections d → f and a down projection f → d, ``3·d·f``."""
    return [term(f"{label} gate, up and down weights", "weights", (3,), (d, f))]


def plain_feed_forward(d: int, f: int, bias: bool, label: str = "feed-forward") -> list[Term]:
    """Two dense layers d → f → d: ``2·d·f`` (+ ``f + d`` biases)."""
    terms = [term(f"{label} weights (d→f, f→d)", "weights", (2,), (d, f))]
    if bias:
        terms.append(term(f"{label} biases", "biases", (), (f + d,)))
    return terms


def experts_feed_forward(d: int, f: int, experts: int, active: int) -> list[Term]:
    """Mixture of experts: E gated experts ``E·3·d·f`` (a token uses k of them: ``k·3·d·f``) and a
    router d → E without bias, ``d·E``."""
    routed = term(f"experts (E = {experts}) gate, up and down weights", "weights", (experts, 3), (d, f))
    routed = Term(routed.label, routed.kind, routed.factors, routed.value, active=active * 3 * d * f)
    return [routed, term("router weights", "weights", (), (d, experts))]


def norm_terms(d: int, count: int, rms: bool, label: str = "norms") -> list[Term]:
    """``count`` norms of width d: RMSNorm has a scale γ (``count·d``), LayerNorm γ and β (``2·count·d``)."""
    name = "RMSNorm" if rms else "LayerNorm"
    terms = [term(f"{label} ({count} {name}) scale γ", "weights", (count,), (d,))]
    if not rms:
        terms.append(term(f"{label} ({count} {name}) offset β", "biases", (count,), (d,)))
    return terms


def repeat_terms(terms: list[Term], times: int, what: str = "layers") -> list[Term]:
    """Identical blocks stacked ``times`` times: each term multiplied."""
    if times == 1:
        return terms
    return [Term(f"{t.label} × {times} {what}", t.kind, (times,) + t.factors, t.value * times, t.embedding,
                 None if t.active is None else t.active * times) for t in terms]


def _positive(value, what: str) -> int:
    if not isinstance(value, int) or value <= 0:
        raise SpecError(f"{what} is unknown.")
    return value


@formula("TransformerBlock")
def transformer_block(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """A pre-norm transformer block repeated L times: attention (grouped-query when kv_heads < heads)
    + feed-forward (gated, plain or a mixture of experts) + 2 norms (1 when attention and
    feed-forward run in parallel, 3 with cross-attention)."""
    d = _positive(spec.units or (shape[-1] if shape else None), "the width of the transformer block")
    h = _positive(spec.heads, "the number of attention heads")
    k = spec.head_dim or (d // h if d % h == 0 else 0)
    _positive(k, f"the head width ({h} heads do not divide the width {d})")
    g = spec.kv_heads or h
    if h % g:
        raise SpecError(f"{g} key/value heads do not divide {h} query heads.")
    f = _positive(spec.ff, "the feed-forward width")
    terms = attention_projections(d, h, g, k, spec.bias, spec.qkv_bias, "self-attention")
    norms = 1 if spec.parallel else 2
    if spec.cross:
        terms += attention_projections(d, h, h, k, spec.bias, spec.qkv_bias, "cross-attention")
        norms += 1
    if spec.experts:
        terms += experts_feed_forward(d, f, spec.experts, spec.active_experts or spec.experts)
        ff_txt = f"{spec.experts}·3df + dE"
    elif spec.gated:
        terms += gated_feed_forward(d, f)
        ff_txt = "3df"
    else:
        terms += plain_feed_forward(d, f, spec.bias)
        ff_txt = "2df + f + d" if spec.bias else "2df"
    terms += norm_terms(d, norms, spec.rms)
    terms = repeat_terms(terms, spec.repeat)
    attn_txt = "2dhk + 2dgk" if g != h or k * h != d else "4d²"
    if spec.bias:
        attn_txt += " + biases"
    txt = f"{attn_txt}{' + cross-attention' if spec.cross else ''} + {ff_txt} + {norms}{'d' if spec.rms else '·2d'}"
    notes = []
    if g != h:
        notes.append(f"grouped-query attention: {h} query heads share {g} key/value heads")
    if spec.experts:
        notes.append(f"each token is routed to {spec.active_experts} of {spec.experts} experts")
    return tuple(terms), tuple(shape), f"{spec.repeat} × ({txt})" if spec.repeat > 1 else txt, tuple(notes)


@formula("RMSNorm")
def rms_norm(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """RMSNorm over the last axis d: a scale γ only, ``d`` (no offset, no statistics)."""
    d = _positive(shape[-1] if shape else None, "the width RMSNorm normalizes")
    return (term("scale γ", "weights", (), (d,)),), tuple(shape), "d", ()


@formula("RelativePositionBias")
def relative_position_bias(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """T5's relative position bias: one learned scalar per (bucket, head), ``buckets·h``."""
    b, h = _positive(spec.positions, "the number of position buckets"), _positive(spec.heads, "the heads")
    return (term("relative position bias (buckets × heads)", "weights", (), (b, h)),), tuple(shape), "buckets·h", ()


# -- CNN pieces ---------------------------------------------------------------------------------


def _side(size: int | None, k: int, s: int, p: int) -> int | None:
    """PyTorch's output side: ``⌊(n + 2p − k) / s⌋ + 1``."""
    return None if size is None else (size + 2 * p - k) // s + 1


def conv_terms(c_in: int, c_out: int, k: int, groups: int = 1, bias: bool = False, bn: bool = True,
               label: str = "convolution") -> list[Term]:
    """A k×k convolution ``k·k·(C_in/groups)·C_out`` (+ ``C_out`` biases), then a BatchNorm γ, β ``2·C_out``."""
    terms = [term(f"{label} weights", "weights", (), (k, k, c_in // groups, c_out))]
    if bias:
        terms.append(term(f"{label} biases", "biases", (), (c_out,)))
    if bn:
        terms.append(term(f"{label} BatchNorm γ and β", "weights", (2,), (c_out,)))
    return terms


def _spatial(shape: Shape) -> tuple:
    if len(shape) != 3:
        raise SpecError(f"a convolution block takes an (H, W, C) image, not {tuple(shape)}.")
    return shape


def _sum_terms(blocks: list[list[Term]]) -> list[Term]:
    """Blocks of a stage merged term by term (same label: values added)."""
    merged: dict[str, Term] = {}
    for block in blocks:
        for t in block:
            if t.label in merged:
                old = merged[t.label]
                merged[t.label] = Term(t.label, t.kind, (old.value + t.value,), old.value + t.value)
            else:
                merged[t.label] = t
    return list(merged.values())


@formula("ConvBN")
def conv_bn(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """A 2-D convolution ``k·k·(C_in/groups)·C_out (+ C_out)``, with a BatchNorm ``2·C_out`` when ``batchnorm``."""
    h, w, c = _spatial(shape)
    k = spec.kernel[0] if spec.kernel else 3
    s = spec.strides[0] if spec.strides else 1
    p = spec.padding[0] if isinstance(spec.padding, tuple) else 0
    c_out = _positive(spec.units, "the number of filters")
    terms = conv_terms(c, c_out, k, spec.groups, spec.bias, spec.batchnorm, f"{k}×{k} convolution")
    txt = "k·k·C_in·C_out" + (" + C_out" if spec.bias else "") + (" + 2·C_out" if spec.batchnorm else "")
    return tuple(terms), (_side(h, k, s, p), _side(w, k, s, p), c_out), txt, ()


@formula("Pool2d")
def pool2d(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """Max or average pooling: 0 parameters."""
    h, w, c = _spatial(shape)
    k = spec.pool[0]
    s = spec.strides[0] if spec.strides else k
    p = spec.padding[0] if isinstance(spec.padding, tuple) else 0
    return (), (_side(h, k, s, p), _side(w, k, s, p), c), "0", ()


@formula("AdaptivePool")
def adaptive_pool(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """Adaptive average pooling to a fixed o×o grid: 0 parameters (the classifier's input does not
    depend on the image size)."""
    _, _, c = _spatial(shape)
    o = spec.pool[0] if spec.pool else 1
    return (), ((c,) if o == 1 else (o, o, c)), "0", ()


def _residual(spec: LayerSpec, shape: Shape, bottleneck: bool) -> Result:
    h, w, c_in = _spatial(shape)
    p = _positive(spec.units, "the width (planes) of the residual blocks")
    s = spec.strides[0] if spec.strides else 1
    c_out = p * spec.expansion
    blocks = []
    c = c_in
    for i in range(spec.repeat):
        stride = s if i == 0 else 1
        if bottleneck:
            block = conv_terms(c, p, 1, label="1×1 reduce") + conv_terms(p, p, 3, label="3×3") + conv_terms(
                p, c_out, 1, label="1×1 expand")
        else:
            block = conv_terms(c, p, 3, label="first 3×3") + conv_terms(p, p, 3, label="second 3×3")
        if stride != 1 or c != c_out:
            block += conv_terms(c, c_out, 1, label="projection shortcut 1×1")
        blocks.append(block)
        c = c_out
    first, rest = blocks[0], blocks[1:]
    terms = [Term(f"block 1 {t.label}", t.kind, t.factors, t.value) for t in first]
    if rest:
        terms += repeat_terms(rest[0], len(rest), "more blocks")
    out = (_side(h, 3, s, 1), _side(w, 3, s, 1), c_out)
    kind = "1×1, 3×3, 1×1 convolutions" if bottleneck else "two 3×3 convolutions"
    return tuple(terms), out, f"{spec.repeat} blocks of {kind} with BatchNorms; a 1×1 projection shortcut where the shape changes", ()


@formula("BasicBlock")
def basic_blocks(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """ResNet basic blocks (a stage of ``repeat``): two 3×3 convolutions with BatchNorm ``9·C_in·p + 9·p² + 4p``;
    the first block's shortcut is a 1×1 convolution + BatchNorm ``C_in·p + 2p`` when the stride or the width changes."""
    return _residual(spec, shape, bottleneck=False)


@formula("Bottleneck")
def bottleneck_blocks(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """ResNet bottleneck blocks (a stage of ``repeat``): 1×1 C_in→p, 3×3 p→p, 1×1 p→4p, each with
    BatchNorm; the first block's shortcut is a 1×1 projection C_in→4p + BatchNorm."""
    return _residual(spec, shape, bottleneck=True)


@formula("InvertedResidual")
def inverted_residuals(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """Inverted residuals (MobileNetV2, EfficientNet MBConv), ``repeat`` blocks: a 1×1 expansion
    C_in → t·C_in (when t > 1), a k×k depthwise convolution (groups = channels), an optional
    squeeze-excitation t·C_in → s → t·C_in (1×1 convolutions with biases, s = max(1, C_in // divisor)),
    a 1×1 projection to C_out; each convolution with BatchNorm. Shortcuts are identities (0)."""
    h, w, c = _spatial(shape)
    c_out = _positive(spec.units, "the output channels of the inverted residual blocks")
    k = spec.kernel[0] if spec.kernel else 3
    s = spec.strides[0] if spec.strides else 1
    t = spec.expansion
    blocks = []
    for i in range(spec.repeat):
        e = c * t
        block = conv_terms(c, e, 1, label="1×1 expansion") if t != 1 else []
        block += conv_terms(e, e, k, groups=e, label=f"depthwise {k}×{k}")
        if spec.se_divisor:
            sq = max(1, c // spec.se_divisor)
            block += [term("squeeze-excitation weights (C→s, s→C)", "weights", (2,), (e, sq)),
                      term("squeeze-excitation biases", "biases", (), (sq + e,))]
        block += conv_terms(e, c_out, 1, label="1×1 projection")
        blocks.append(block)
        c = c_out
    terms = _sum_terms(blocks)
    out = (_side(h, k, s, k // 2), _side(w, k, s, k // 2), c_out)
    txt = "Σ blocks (C_in·tC_in + 2tC_in) + (k²·tC_in + 2tC_in) + " + ("2·tC_in·s + s + tC_in + " if spec.se_divisor else "") + "(tC_in·C_out + 2C_out)"
    return tuple(terms), out, txt, ()


@formula("DenseBlock")
def dense_block(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """DenseNet dense block of n layers with growth k and bottleneck width b·k: layer i sees
    c_i = C_in + i·k channels: BatchNorm ``2c_i``, 1×1 conv ``c_i·b·k``, BatchNorm ``2bk``, 3×3 conv ``9·b·k·k``."""
    h, w, c = _spatial(shape)
    k = _positive(spec.units, "the growth rate")
    n, b = spec.repeat, spec.expansion
    seen = sum(c + i * k for i in range(n))
    terms = [term(f"first BatchNorms γ and β (Σ c_i over {n} layers)", "weights", (2,), (seen,)),
             term("1×1 convolutions c_i → b·k", "weights", (), (seen, b * k)),
             term("second BatchNorms γ and β", "weights", (n, 2), (b * k,)),
             term("3×3 convolutions b·k → k", "weights", (n,), (3, 3, b * k, k))]
    return tuple(terms), (h, w, c + n * k), "Σᵢ (2c_i + c_i·bk) + n(2bk + 9bk²)", ()


@formula("Transition")
def transition(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """DenseNet transition: BatchNorm ``2C``, 1×1 convolution C → C_out ``C·C_out``, 2×2 average pooling."""
    h, w, c = _spatial(shape)
    c_out = _positive(spec.units, "the transition's output channels")
    terms = [term("BatchNorm γ and β", "weights", (2,), (c,)), term("1×1 convolution", "weights", (), (c, c_out))]
    return tuple(terms), (_side(h, 2, 2, 0), _side(w, 2, 2, 0), c_out), "2C + C·C_out", ()


def _branch_conv(c_in: int, step, label: str) -> tuple[list[Term], int]:
    c_out, kh, kw = step
    return [term(f"{label} {kh}×{kw} weights", "weights", (), (kh, kw, c_in, c_out)),
            term(f"{label} {kh}×{kw} BatchNorm γ and β", "weights", (2,), (c_out,))], c_out


@formula("InceptionModule")
def inception_module(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """An Inception module: parallel branches, each a chain of kh×kw convolutions with BatchNorm
    (``kh·kw·C_in·C_out + 2·C_out`` each, no bias); a pooling branch passes its C_in channels on; a
    split applies two convolutions to one input. The output concatenates the branches' channels."""
    h, w, c_in = _spatial(shape)
    if not spec.branches:
        raise SpecError("the Inception module lists no branches.")
    terms, channels = [], 0
    for b, branch in enumerate(spec.branches, 1):
        c = c_in
        for step in branch:
            if step == "pool":
                continue
            if step[0] == "split":
                outs = 0
                for part in step[1:]:
                    more, out = _branch_conv(c, part, f"branch {b} split")
                    terms += more
                    outs += out
                c = outs
                continue
            more, c = _branch_conv(c, step, f"branch {b}")
            terms += more
        channels += c
    s = spec.strides[0] if spec.strides else 1
    out = (h, w) if s == 1 else (_side(h, 3, 2, 0), _side(w, 3, 2, 0))
    return tuple(_sum_terms([terms])), out + (channels,), "Σ branches Σ convolutions (kh·kw·C_in·C_out + 2·C_out)", ()


@formula("AuxClassifier")
def aux_classifier(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """Inception v3's auxiliary classifier (used in training only, but a parameter of the model):
    1×1 conv C→128 + BatchNorm, 5×5 conv 128→768 + BatchNorm, dense 768 → classes."""
    _, _, c = _spatial(shape)
    k = _positive(spec.units, "the number of classes")
    terms = conv_terms(c, 128, 1, label="auxiliary 1×1") + conv_terms(128, 768, 5, label="auxiliary 5×5") + [
        term("auxiliary classifier weights", "weights", (), (768, k)), term("auxiliary classifier biases", "biases", (), (k,))]
    return tuple(terms), tuple(shape), "C·128 + 256 + 25·128·768 + 1,536 + 768·k + k", (
        "the auxiliary classifier runs in training only; its parameters belong to the model",)
