"""Formulas of attention layers, transformer blocks and the pieces of whole transformer models.

Width d, h heads, feed-forward width f. Shapes are (sequence, d); a model's input is its token
sequence (T,), T possibly unknown. Each block reports its parts as terms, so a derivation shows
attention, feed-forward and LayerNorms separately.
"""

from __future__ import annotations

from ..errors import SpecError
from .conventions import Convention
from .layers import Result, formula, term
from .spec import LayerSpec, Shape, Term


def _width(spec: LayerSpec, shape: Shape) -> int:
    d = spec.units or (shape[-1] if shape else None)
    if not d or d <= 0:
        raise SpecError(f"the width (model dimension) of the {spec.kind} is unknown.")
    return d


def _heads(spec: LayerSpec, d: int) -> int | None:
    if spec.heads is not None and (spec.heads <= 0 or d % spec.heads):
        raise SpecError(f"{spec.heads} heads do not divide the width {d}.")
    return spec.heads


def attention_terms(d: int, spec: LayerSpec, label: str = "attention") -> list[Term]:
    """Q, K, V and output projections: ``4d² + 4d`` (keys/values of width d_kv: ``2d² + 2·d·d_kv + 4d``;
    PyTorch ``add_bias_kv`` adds ``2d``).
    Keras ``key_dim`` k with h heads: ``3(d·h·k + h·k) + (h·k·d + d)``."""
    bias = spec.bias
    if spec.key_dim:
        h, k = spec.heads or 1, spec.key_dim
        v = spec.value_dim or k
        terms = [term(f"{label} query weights", "weights", (), (d, h * k)),
                 term(f"{label} key weights", "weights", (), (d, h * k)),
                 term(f"{label} value weights", "weights", (), (d, h * v)),
                 term(f"{label} output weights", "weights", (), (h * v, d))]
        if bias:
            terms += [term(f"{label} query/key biases", "biases", (2,), (h * k,)),
                      term(f"{label} value biases", "biases", (), (h * v,)),
                      term(f"{label} output biases", "biases", (), (d,))]
        return terms
    kdim, vdim = spec.kdim or d, spec.vdim or d
    terms = [term(f"{label} query weights", "weights", (), (d, d)),
             term(f"{label} key weights", "weights", (), (kdim, d)),
             term(f"{label} value weights", "weights", (), (vdim, d)),
             term(f"{label} output weights", "weights", (), (d, d))]
    if bias:
        terms += [term(f"{label} query/key/value biases", "biases", (3,), (d,)),
                  term(f"{label} output biases", "biases", (), (d,))]
    if spec.bias_kv:  # PyTorch add_bias_kv=True: a learned row appended to the keys and one to the values
        terms.append(term(f"{label} bias_k and bias_v (add_bias_kv)", "biases", (2,), (d,)))
    return terms


def feed_forward_terms(d: int, f: int, bias: bool = True) -> list[Term]:
    """Two dense layers d → f → d: ``2·d·f + f + d``."""
    terms = [term("feed-forward weights (d→f, f→d)", "weights", (2,), (d, f))]
    if bias:
        terms += [term("feed-forward biases", "biases", (), (f + d,))]
    return terms


def layernorm_terms(d: int, count: int, label: str = "LayerNorms", offset: bool = True) -> list[Term]:
    """``count`` LayerNorms of width d: γ (scale) and β (offset) each, ``2·count·d``; without
    biases (``offset=False``, PyTorch ``bias=False``) γ only, ``count·d``."""
    terms = [term(f"{label} scale γ", "weights", (count,), (d,))]
    if offset:
        terms.append(term(f"{label} offset β", "biases", (count,), (d,)))
    return terms


def _repeat(terms: list[Term], times: int) -> list[Term]:
    if times == 1:
        return terms
    return [Term(f"{t.label} × {times} layers", t.kind, (times,) + t.factors, t.value * times, t.embedding)
            for t in terms]


@formula("MultiHeadAttention")
def multi_head_attention(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """Multi-head attention: ``4d² + 4d`` whatever the number of heads (heads split d)."""
    d = _width(spec, shape)
    _heads(spec, d) if not spec.key_dim else None
    terms = attention_terms(d, spec)
    out = tuple(shape[:-1]) + (d,) if shape else (d,)
    return tuple(terms), out, "4d² + 4d" if not (spec.key_dim or spec.kdim or spec.vdim) else "Q, K, V, O projections", ()


@formula("DotAttention")
def dot_attention(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """Keras ``layers.Attention`` (Luong-style dot-product attention of a query on a value sequence):
    no weights, ``0``; ``use_scale=True`` learns one scale, ``1``. The output has the query's shape."""
    terms = (term("attention scale (use_scale)", "weights", (), (1,)),) if spec.use_scale else ()
    return terms, tuple(shape), "1 (the scale)" if spec.use_scale else "0", ()


@formula("TransformerEncoderLayer", "TransformerDecoderLayer", "GPTBlock")
def transformer_layer(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """Encoder layer: attention ``4d²+4d`` + feed-forward ``2df + f + d`` + 2 LayerNorms ``4d``;
    a decoder layer adds cross-attention ``4d²+4d`` and a third LayerNorm. f = 4d unless given.
    A GPT block (``GPTBlock``: masked self-attention, pre-LN) counts as an encoder layer."""
    d = _width(spec, shape)
    _heads(spec, d)
    f = spec.ff or 4 * d
    terms = attention_terms(d, spec, "self-attention")
    norms = 2
    if spec.kind == "TransformerDecoderLayer":
        terms += attention_terms(d, spec, "cross-attention")
        norms = 3
    terms += feed_forward_terms(d, f, spec.bias)
    terms += layernorm_terms(d, norms, offset=spec.bias)   # PyTorch bias=False: no LayerNorm β either
    terms = _repeat(terms, spec.repeat)
    out = tuple(shape[:-1]) + (d,) if len(shape) > 1 else (shape[0] if shape else None, d)
    txt = "4d² + 4d + 2df + f + d + 4d" if spec.kind != "TransformerDecoderLayer" else "2(4d² + 4d) + 2df + f + d + 6d"
    if spec.repeat > 1:
        txt = f"{spec.repeat} × ({txt})"
    return tuple(terms), out, txt, ()


@formula("TokenEmbeddings")
def token_embeddings(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """Token ``V·d`` + position ``P·d`` + segment ``S·d`` embeddings (+ their LayerNorm ``2d`` when
    ``center``), summed into one (T, d) sequence."""
    d = spec.units
    if not spec.vocab or not d:
        raise SpecError("the vocabulary size and the width of the embeddings are needed.")
    terms = [Term("token embeddings", "weights", (spec.vocab, d), spec.vocab * d, True)]
    if spec.positions:
        terms.append(Term("position embeddings", "weights", (spec.positions, d), spec.positions * d, True))
    if spec.segments:
        terms.append(Term("segment (token type) embeddings", "weights", (spec.segments, d), spec.segments * d, True))
    if spec.center:
        terms += layernorm_terms(d, 1, "embedding LayerNorm")
    steps = shape[0] if shape else None
    return tuple(terms), (steps, d), "V·d + P·d + S·d + 2d", ()


@formula("PatchEmbedding")
def patch_embedding(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """ViT patch embedding: a p×p conv ``p·p·C·d + d``, a class token ``d`` and position
    embeddings ``(N + 1)·d`` for N = (image/p)² patches."""
    d, p, size, c = spec.units, spec.patch, spec.image, spec.channels or 3
    if not (d and p and size):
        raise SpecError("the width, the patch size and the image size are needed.")
    n = (size // p) ** 2
    terms = [term("patch projection weights", "weights", (), (p, p, c, d)),
             term("patch projection biases", "biases", (), (d,)),
             term("class token", "weights", (), (d,)),
             Term("position embeddings", "weights", (n + 1, d), (n + 1) * d, True)]
    return tuple(terms), (n + 1, d), "p·p·C·d + d + d + (N+1)·d", ()


@formula("LMHead")
def lm_head(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """Language-model head d → V: tied to the token embedding (0 new parameters) or ``V·d``."""
    d = shape[-1]
    if spec.tied:
        return (), tuple(shape[:-1]) + (spec.vocab,), "0 (tied to the token embedding)", (
            "the output projection shares the token embedding matrix, counted once",)
    return (term("output projection", "weights", (), (d, spec.vocab)),), tuple(shape[:-1]) + (spec.vocab,), "d·V", ()


@formula("Pooler")
def pooler(spec: LayerSpec, shape: Shape, conv: Convention) -> Result:
    """BERT pooler: a dense d → d on the first token, ``d² + d``."""
    d = shape[-1]
    return (term("pooler weights", "weights", (), (d, d)), term("pooler biases", "biases", (), (d,))), (d,), "d² + d", ()
