"""The core against PyTorch and Keras themselves: runs only where torch (and keras) are installed.

CI runs this file in a second venv with torch 2.13.0, keras, jax and jaxlib (``.ci/run``); the main
venv (``.[test]``) skips it. Two parts:

- tests/data/export_cases.jsonl: the exported code of each question is executed and prints the
  framework count recorded there (the canonical question: Keras 145, PyTorch 157).
- Property tests (hypothesis, fixed seed, bounded examples): random valid networks of every layer
  kind the core counts, built from the exported code or, for the kinds the exporter does not write
  (blocks of named models, residual additions), from the framework references of
  tests/oracle_references.py; each layer's parameters and output shape, and the totals, must equal
  the framework's, under that framework's convention. tests/data/oracle_coverage.toml lists the
  kinds of each family (checked here against the strategies, and in the main venv against the core).
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
from pathlib import Path

import pytest

os.environ.setdefault("KERAS_BACKEND", "jax")
torch = pytest.importorskip("torch")

from hypothesis import assume, given, settings, strategies as st  # noqa: E402

from nlqa.answer import answer  # noqa: E402
from nlqa.core.spec import LayerSpec as L, NetworkSpec  # noqa: E402
from nlqa.errors import ExportError  # noqa: E402
from nlqa.export import export  # noqa: E402
from nlqa.export.verify import installed, verify  # noqa: E402

FRAMEWORKS = installed()
DATA = Path(__file__).parent / "data" / "export_cases.jsonl"
CASES = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines()
         if line.strip() and not line.startswith("//")]
RUNS = [(case, fw) for case in CASES for fw in ("pytorch", "keras") if case[fw] is not None]


def _needs(framework: str) -> None:
    if framework not in FRAMEWORKS:
        pytest.skip(f"{framework} is not installed")


@pytest.mark.parametrize("case,framework", RUNS, ids=[f"{c['id']}-{fw}" for c, fw in RUNS])
def test_oracle_exported_code_prints_the_framework_count(case, framework):
    _needs(framework)
    got = answer(case["question"])
    code = export(NetworkSpec.from_dict(got.extraction["spec"]), framework, got.quantity, got.layer)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code.source, f"<{case['id']} {framework}>", "exec"), {})
    assert out.getvalue().strip() == str(case[framework])


@pytest.mark.parametrize("framework,value", [("keras", 145), ("pytorch", 157)])
def test_oracle_canonical_code_runs_as_a_script(cli, canonical, framework, value, tmp_path):
    """The acceptance check: ``nlqa ask --code keras`` prints code that prints 145, PyTorch 157."""
    import subprocess
    import sys
    _needs(framework)
    result = cli("ask", "--code", framework, canonical)
    script = tmp_path / "model.py"
    script.write_text(result.stdout, encoding="utf-8")
    run = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300,
                         env={**os.environ, "KERAS_BACKEND": os.environ.get("KERAS_BACKEND", "jax")})
    assert (result.code, run.returncode, run.stdout.strip()) == (0, 0, str(value)), run.stderr[-2000:]


def test_oracle_verify_cli_agrees_on_the_canonical_question(cli, canonical):
    result = cli("ask", "--verify", "--json", canonical)
    data = json.loads(result.stdout)
    assert result.code == 0
    got = {c["framework"]: c["totals"]["trainable_parameters"] for c in data["verify"]}
    assert got == {fw: {"nlqa": v, "framework": v} for fw, v in (("pytorch", 157), ("keras", 145)) if fw in FRAMEWORKS}


# -- property tests: random networks of every kind ------------------------------------------------

SIZES = st.integers(1, 12)
sides = {1: st.integers(6, 14), 2: st.integers(6, 12), 3: st.integers(5, 8)}


def _check(spec: NetworkSpec, framework: str) -> None:
    """``spec`` built in ``framework`` agrees with the core, layer by layer; a network the framework
    cannot express (an ExportError) is not an example."""
    _needs(framework)
    try:
        export(spec, framework, steps=5)
    except ExportError:
        assume(False)
    (check,) = verify(spec, (framework,))
    assert not check.refused
    rows = [(c.index, c.kind, c.nlqa, c.framework, c.nlqa_shape, c.framework_shape) for c in check.layers if not c.agrees]
    assert check.agrees, f"{spec}\n{rows}\n{check.totals}"


@st.composite
def dense_nets(draw):
    n = draw(st.integers(1, 3))
    layers = [L("Dense", draw(SIZES), bias=draw(st.booleans()), trainable=draw(st.booleans())) for _ in range(n)]
    return NetworkSpec((draw(SIZES),), tuple(layers))


@st.composite
def recurrent_nets(draw, framework):
    n = draw(st.integers(1, 3))
    layers = []
    for _ in range(n):
        kind = draw(st.sampled_from(("SimpleRNN", "LSTM", "GRU")))
        units = draw(SIZES)
        proj = draw(st.integers(0, units - 1)) if kind == "LSTM" and framework == "pytorch" and units > 1 else 0
        both = draw(st.booleans())
        merge = draw(st.sampled_from(("concat", "sum", "ave", "mul"))) if both and framework == "keras" else "concat"
        layers.append(L(kind, units, bias=draw(st.booleans()), bidirectional=both, merge_mode=merge, proj_size=proj,
                        reset_after=draw(st.sampled_from((None, False))) if kind == "GRU" and framework == "keras" else None))
    if draw(st.booleans()):
        layers.append(L("Dense", draw(SIZES)))
    steps = draw(st.one_of(st.none(), st.integers(1, 6)))
    features = draw(SIZES)
    return NetworkSpec((features,) if steps is None else (steps, features), tuple(layers))


@st.composite
def conv_nets(draw, framework):
    dims = draw(st.sampled_from((1, 2, 3)))
    c_in = draw(st.sampled_from((1, 2, 3, 4, 6)))
    shape = tuple(draw(sides[dims]) for _ in range(dims)) + (c_in,)
    layers = []
    for _ in range(draw(st.integers(1, 2))):
        groups = draw(st.sampled_from([g for g in (1, 2, 3) if c_in % g == 0]))
        filters = groups * draw(st.integers(1, 4))
        k = tuple(draw(st.integers(1, 3)) for _ in range(dims))
        stride = draw(st.integers(1, 2))
        padding = draw(st.sampled_from(("valid", "same", "explicit")))
        if padding == "same" and framework == "pytorch":
            stride = 1
        pad = tuple(draw(st.integers(0, 1)) for _ in range(dims)) if padding == "explicit" else padding
        dilation = draw(st.integers(1, 2)) if stride == 1 else 1
        layers.append(L(f"Conv{dims}D", filters, kernel=k, strides=(stride,), padding=pad, dilation=(dilation,),
                        groups=groups, bias=draw(st.booleans())))
        c_in = filters
        if draw(st.booleans()):
            layers.append(L("BatchNormalization", center=True, scale=True))
        if draw(st.booleans()):
            pool = draw(st.sampled_from(("Max", "Average")))
            window = draw(st.integers(1, 2))
            layers.append(L(f"{pool}Pooling{dims}D", pool=(window,), strides=(draw(st.integers(1, 2)),)))
    ending = draw(st.sampled_from(("flatten", "global", "none")))
    if ending == "flatten":
        layers += [L("Flatten"), L("Dense", draw(SIZES))]
    elif ending == "global":
        layers += [L(f"Global{draw(st.sampled_from(('Average', 'Max')))}Pooling{dims}D"), L("Dense", draw(SIZES))]
    return NetworkSpec(shape, tuple(layers))


@st.composite
def depthwise_nets(draw, framework):
    c_in = draw(st.integers(1, 4))
    shape = (draw(sides[2]), draw(sides[2]), c_in)
    kind = draw(st.sampled_from(("DepthwiseConv2D", "SeparableConv2D")))
    k = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    stride = draw(st.integers(1, 2))
    padding = draw(st.sampled_from(("valid", "same")))
    if padding == "same" and framework == "pytorch":
        stride = 1
    layer = L(kind, None if kind == "DepthwiseConv2D" else draw(SIZES), kernel=k, strides=(stride,), padding=padding,
              depth_multiplier=draw(st.integers(1, 3)), bias=draw(st.booleans()))
    return NetworkSpec(shape, (layer,))


@st.composite
def transposed_nets(draw, framework):
    dims = draw(st.sampled_from((1, 2, 3)))
    shape = tuple(draw(st.integers(2, 5)) for _ in range(dims)) + (draw(st.integers(1, 4)),)
    k = (draw(st.integers(1, 4)),)
    stride = draw(st.integers(1, 3))
    if framework == "pytorch":
        padding = draw(st.sampled_from(("valid", "explicit")))
        dilation = draw(st.integers(1, 2)) if padding == "explicit" else 1
        pad = (draw(st.integers(0, max(0, (dilation * (k[0] - 1)) // 2))),) if padding == "explicit" else "valid"
        op = (draw(st.integers(0, max(stride, dilation) - 1)),) if padding == "explicit" else None
        layer = L(f"Conv{dims}DTranspose", draw(SIZES), kernel=k, strides=(stride,), padding=pad, dilation=(dilation,),
                  output_padding=op, bias=draw(st.booleans()))
    else:
        layer = L(f"Conv{dims}DTranspose", draw(SIZES), kernel=k, strides=(stride,),
                  padding=draw(st.sampled_from(("valid", "same"))), bias=draw(st.booleans()))
    return NetworkSpec(shape, (layer,))


@st.composite
def sequence_nets(draw, framework):
    """Embeddings, normalisations, attention and transformer blocks on (T, d) sequences."""
    heads = draw(st.integers(1, 4))
    d = heads * draw(st.integers(1, 4))
    steps = draw(st.integers(1, 6))
    layers = []
    if draw(st.booleans()):
        shape = (steps,)
        layers.append(L("Embedding", d, vocab=draw(st.integers(2, 50))))
    else:
        shape = (steps, d)
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(("MultiHeadAttention", "LayerNormalization", "RMSNorm", "Dropout", "Activation", "PReLU", "Dense",
                                     "TransformerEncoderLayer", "TransformerDecoderLayer", "GPTBlock")
                                    if framework == "pytorch" else
                                    ("MultiHeadAttention", "LayerNormalization", "RMSNorm", "Dropout", "Activation", "PReLU", "Dense",
                                     "BatchNormalization")))
        if kind == "MultiHeadAttention":
            if framework == "keras" and draw(st.booleans()):
                layers.append(L(kind, None, heads=heads, key_dim=draw(st.integers(1, 5)),
                                value_dim=draw(st.one_of(st.none(), st.integers(1, 5))), bias=draw(st.booleans())))
            else:
                layers.append(L(kind, None, heads=heads, bias=draw(st.booleans()),
                                bias_kv=framework == "pytorch" and draw(st.booleans())))
        elif kind == "LayerNormalization":
            scale = draw(st.booleans())
            layers.append(L(kind, scale=scale, center=draw(st.booleans()) if framework == "keras" else
                            (draw(st.booleans()) and scale)))
        elif kind == "BatchNormalization":
            layers.append(L(kind, scale=draw(st.booleans()), center=draw(st.booleans())))
        elif kind == "PReLU":
            layers.append(L(kind, draw(st.sampled_from((None, 1, d))) if framework == "keras" else
                            draw(st.sampled_from((1, d)))))
        elif kind == "Dense":
            d = draw(SIZES) * heads
            layers.append(L(kind, d))
        elif kind.startswith("Transformer") or kind == "GPTBlock":
            layers.append(L(kind, None, heads=heads, ff=draw(st.integers(1, 16)), repeat=draw(st.integers(1, 2)),
                            bias=draw(st.booleans())))
        else:
            layers.append(L(kind))
    return NetworkSpec(shape, tuple(layers))


STRATEGIES = {"dense": lambda fw: dense_nets(), "recurrent": recurrent_nets, "conv": conv_nets,
              "depthwise_separable": depthwise_nets, "transposed": transposed_nets, "sequence": sequence_nets}


@pytest.mark.parametrize("framework", ("pytorch", "keras"))
@pytest.mark.parametrize("family", list(STRATEGIES))
def test_oracle_random_networks_agree(family, framework):
    _needs(framework)

    @settings(max_examples=int(os.environ.get("NLQA_ORACLE_EXAMPLES", "25")))
    @given(STRATEGIES[family](framework))
    def check(spec):
        _check(spec, framework)

    check()


def test_oracle_verify_terminal_and_plain_agree(cli, canonical):
    plain = cli("ask", "--verify", "--plain", canonical)
    rich = cli("ask", "--verify", canonical, tty=True)
    assert (plain.code, rich.code) == (0, 0)
    for framework, name in (("pytorch", "PyTorch"), ("keras", "Keras")):
        if framework in FRAMEWORKS:
            assert f"{name} agrees with nlqa." in plain.stdout
    assert "agrees with nlqa." in rich.stdout and "DIFFERS" not in plain.stdout + rich.stdout


# -- property tests: the kinds the exporter does not write (blocks of named models, residuals) ---
#
# The reference of each kind is built in tests/oracle_references.py the way Hugging Face
# transformers or torchvision define it, from the layer's hyperparameters; each layer's parameters
# (those no earlier layer holds: a tied head adds none) and output shape, and the totals, must equal
# the core's. Convention differences found (the core follows the framework in each):
# - BatchNorm inside a block (ConvBN, residual, inverted-residual, dense, Inception blocks) counts
#   γ and β only: PyTorch keeps the running mean and variance as buffers. Keras would list them as
#   2·C non-trainable weights; those blocks are counted under PyTorch's convention only (named
#   models are PyTorch models), so only PyTorch is checked for them; the Keras difference is itself
#   a test (test_oracle_conv_bn_block_in_keras_adds_the_moving_statistics).
# - A tied LM head adds no parameter: ``model.parameters()`` lists the shared matrix once.
# - An auxiliary classifier and a raw parameter tensor are side branches: the next layer takes their
#   input, so their "output shape" is that input.
# - AdaptivePool to 1×1 flattens (torchvision's ``torch.flatten(x, 1)`` after ``avgpool``).
# - An inverted residual's expanded width is t·C_in; torchvision rounds it to a multiple of 8
#   (``_make_divisible``) for EfficientNet, which is t·C_in for the published widths only.

from nlqa.core import count_network  # noqa: E402

import oracle_references as refs  # noqa: E402

BATCH = 2


def _torch_agrees(spec: NetworkSpec) -> None:
    """Build each layer in PyTorch from its framework reference and compare with the core, layer by layer."""
    count = count_network(spec)
    first = spec.layers[0]
    if first.kind == "TokenEmbeddings":
        x = torch.randint(0, first.vocab, (BATCH,) + tuple(spec.input))
    else:
        x = torch.randn((BATCH,) + tuple(spec.input))
    history, shapes, modules, seen, rows = [], [], [], set(), []
    active_drop = 0
    with torch.no_grad():
        for c in count.layers:
            shape = tuple(x.shape[1:])   # the framework's shape, not the core's
            history.append(x)
            shapes.append(shape)
            build = getattr(refs, f"torch_{c.spec.kind}")
            extra = {"shapes": shapes} if c.spec.kind == "Add" else {"earlier": modules} if c.spec.kind == "LMHead" else {}
            module = build(c.spec, shape, history, **extra)
            x = module(x)
            modules.append(module)
            mine = [p for p in module.parameters() if id(p) not in seen]
            seen |= {id(p) for p in module.parameters()}
            params = sum(p.numel() for p in mine)
            for moe in (m for m in module.modules() if isinstance(m, refs.SparseMoE)):
                active_drop += (len(moe.experts) - moe.top_k) * sum(p.numel() for p in moe.experts[0].parameters())
            rows.append((c.index, c.spec.kind, c.params, params, tuple(c.output_shape), tuple(x.shape[1:])))
    model = torch.nn.ModuleList(modules)
    total = sum(p.numel() for p in model.parameters())
    bad = [r for r in rows if r[2] != r[3] or r[4] != r[5]]
    assert not bad, f"{spec}\n(index, kind, nlqa, torch, nlqa shape, torch shape): {bad}"
    totals = count.totals
    assert totals["total_parameters"] == total
    if "active_parameters" in totals:
        assert totals["active_parameters"] == total - active_drop


def _keras_agrees(spec: NetworkSpec) -> None:
    """Build each layer with Keras's functional API from its reference and compare with the core."""
    import keras
    spec = spec.with_(framework="keras")
    count = count_network(spec)
    first = spec.layers[0]
    inputs = keras.Input(tuple(spec.input), dtype="int32" if first.kind == "TokenEmbeddings" else "float32")
    x, tensors, rows = inputs, [], []
    for c in count.layers:
        tensors.append(x)
        x, made = getattr(refs, f"keras_{c.spec.kind}")(keras, c.spec, x, tensors, None)
        params = sum(layer.count_params() for layer in made)
        rows.append((c.index, c.spec.kind, c.params, params, tuple(c.output_shape), tuple(x.shape[1:])))
    model = keras.Model(inputs, x)
    bad = [r for r in rows if r[2] != r[3] or r[4] != r[5]]
    assert not bad, f"{spec}\n(index, kind, nlqa, keras, nlqa shape, keras shape): {bad}"
    assert count.totals["total_parameters"] == model.count_params()


@st.composite
def llm_blocks(draw, framework):
    """Decoder and T5 stacks: embeddings, relative position biases, transformer blocks (grouped-query,
    gated / plain / mixture-of-experts feed-forwards, RMSNorm or LayerNorm, parallel, cross-attention,
    biases on all or Q/K/V only), a final norm and a head (tied or not)."""
    h = draw(st.integers(1, 4))
    g = draw(st.sampled_from([n for n in range(1, h + 1) if h % n == 0]))
    k = draw(st.integers(1, 4))
    d = h * k if draw(st.booleans()) else draw(st.integers(2, 12))
    head_dim = None if d == h * k and draw(st.booleans()) else k
    rms = draw(st.booleans())
    experts = draw(st.sampled_from((0, 0, 2, 3)))
    cross = draw(st.booleans())
    bias = draw(st.booleans())
    block = L("TransformerBlock", d, heads=h, kv_heads=g if g != h or draw(st.booleans()) else None, head_dim=head_dim,
              ff=draw(st.integers(1, 12)), gated=draw(st.booleans()), rms=rms, bias=bias,
              qkv_bias=not bias and draw(st.booleans()), parallel=not cross and draw(st.booleans()), cross=cross,
              experts=experts, active_experts=draw(st.integers(1, experts)) if experts else 0, repeat=draw(st.integers(1, 2)))
    steps = draw(st.integers(1, 5))
    layers = []
    embed = draw(st.booleans())
    vocab = draw(st.integers(2, 30))
    if embed:
        layers.append(L("TokenEmbeddings", d, vocab=vocab, center=False))
    if draw(st.booleans()):
        layers.append(L("RelativePositionBias", positions=draw(st.integers(1, 8)), heads=h))
    layers.append(block)
    layers.append(L("RMSNorm") if rms else L("LayerNormalization"))
    if draw(st.booleans()):
        layers.append(L("LMHead", vocab=vocab, tied=embed and draw(st.booleans())))
    return NetworkSpec((steps,) if embed else (steps, d), tuple(layers), "pytorch")


@st.composite
def named_pieces(draw, framework):
    """BERT / GPT-2 / ALBERT embeddings, the pooler, LM heads, ViT patch embeddings, raw parameter tensors."""
    d = draw(st.integers(1, 8))
    steps = draw(st.integers(1, 5))
    if draw(st.booleans()) and framework == "pytorch":
        p = draw(st.integers(1, 4))
        image = p * draw(st.integers(1, 3)) + draw(st.integers(0, p - 1))
        c = draw(st.integers(1, 3))
        layers = [L("PatchEmbedding", d, patch=p, image=image, channels=c), L("LayerNormalization")]
        if draw(st.booleans()):
            layers.append(L("Dense", draw(SIZES)))
        return NetworkSpec((image, image, c), tuple(layers), "pytorch")
    vocab = draw(st.integers(2, 30))
    emb = L("TokenEmbeddings", d, vocab=vocab, positions=draw(st.one_of(st.none(), st.integers(steps, steps + 4))),
            segments=draw(st.integers(0, 2)), center=draw(st.booleans()))
    layers = [emb]
    if draw(st.booleans()):
        layers.append(L("Parameter", tensor=tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))))
    if draw(st.booleans()):
        layers.append(L("Dense", draw(SIZES)))   # ALBERT's embedding projection
    end = draw(st.sampled_from(("pooler", "head", "tied") if framework == "pytorch" and len(layers) == 1 else ("pooler", "head")))
    layers.append(L("Pooler") if end == "pooler" else L("LMHead", vocab=vocab, tied=end == "tied"))
    return NetworkSpec((steps,), tuple(layers), "pytorch")


INCEPTION_KERNELS = ((1, 1), (3, 3), (5, 5), (1, 3), (3, 1), (1, 5), (5, 1))


@st.composite
def _inception(draw):
    stride = draw(st.sampled_from((1, 1, 2)))
    branches = []
    for _ in range(draw(st.integers(1, 3))):
        steps = [(draw(st.integers(1, 4)),) + draw(st.sampled_from(INCEPTION_KERNELS)) for _ in range(draw(st.integers(0, 2)))]
        if stride == 2:
            steps.append((draw(st.integers(1, 4)), 3, 3))
        elif not steps or draw(st.booleans()):
            steps.append(("split", (draw(st.integers(1, 3)), 1, 3), (draw(st.integers(1, 3)), 3, 1))
                         if draw(st.booleans()) else (draw(st.integers(1, 4)),) + draw(st.sampled_from(INCEPTION_KERNELS)))
        branches.append(tuple(steps))
    if draw(st.booleans()):
        branches.append(("pool",) if stride == 2 or draw(st.booleans()) else ("pool", (draw(st.integers(1, 4)), 1, 1)))
    return L("InceptionModule", branches=tuple(branches), strides=(stride, stride))


@st.composite
def cnn_blocks(draw, framework):
    """torchvision's CNN blocks in random order: convolution + BatchNorm, max pooling, ResNet basic and
    bottleneck stages, inverted residuals (with squeeze-excitation), dense blocks and transitions,
    Inception modules, the auxiliary classifier, adaptive pooling and a classifier."""
    side = draw(st.integers(5, 20))
    shape = (side, side, draw(st.integers(1, 6)))
    layers = []
    for _ in range(draw(st.integers(1, 3))):
        spec = NetworkSpec(shape, tuple(layers), "pytorch")
        h, _, c = count_network(spec).output_shape if layers else shape
        kinds = ["ConvBN", "BasicBlock", "Bottleneck", "InvertedResidual", "DenseBlock", "InceptionModule"]
        if h >= 3:
            kinds += ["Pool2d", "Transition"]
        if h >= 17:
            kinds.append("AuxClassifier")
        kind = draw(st.sampled_from(kinds))
        stride = draw(st.integers(1, 2))
        if kind == "ConvBN":
            groups = draw(st.sampled_from([n for n in (1, 2, 3) if c % n == 0]))
            k = draw(st.integers(1, 5))
            pad = draw(st.integers(0, 2))
            assume(h + 2 * pad >= k)
            layer = L(kind, groups * draw(st.integers(1, 4)), kernel=(k, k), strides=(stride, stride), padding=(pad, pad),
                      groups=groups, bias=draw(st.booleans()), batchnorm=draw(st.booleans()))
        elif kind == "Pool2d":
            k = draw(st.integers(2, 3))
            layer = L(kind, pool=(k, k), strides=(stride, stride), padding=(draw(st.integers(0, k // 2)),) * 2)
        elif kind in ("BasicBlock", "Bottleneck"):
            layer = L(kind, draw(st.integers(1, 6)), repeat=draw(st.integers(1, 2)), strides=(stride, stride),
                      expansion=draw(st.sampled_from((1, 2, 4))) if kind == "Bottleneck" else 1)
        elif kind == "InvertedResidual":
            k = draw(st.sampled_from((3, 5)))
            layer = L(kind, draw(st.integers(1, 8)), expansion=draw(st.integers(1, 4)), repeat=draw(st.integers(1, 2)),
                      strides=(stride, stride), kernel=(k, k), se_divisor=draw(st.sampled_from((0, 1, 4))))
        elif kind == "DenseBlock":
            layer = L(kind, draw(st.integers(1, 4)), repeat=draw(st.integers(1, 3)), expansion=draw(st.integers(1, 4)))
        elif kind == "Transition":
            layer = L(kind, draw(st.integers(1, max(1, c))))
        elif kind == "InceptionModule":
            layer = draw(_inception())
            if layer.strides[0] == 2 and h < 3:
                layer = layer.with_(strides=(1, 1))
        else:
            layer = L(kind, draw(st.integers(1, 10)))
        layers.append(layer)
    ending = draw(st.sampled_from(("none", "global", "adaptive")))
    if ending == "global":
        layers += [L("AdaptivePool", pool=(1, 1)), L("Dense", draw(SIZES))]
    elif ending == "adaptive":
        o = draw(st.integers(2, 3))
        layers += [L("AdaptivePool", pool=(o, o)), L("Flatten"), L("Dense", draw(SIZES))]
    return NetworkSpec(shape, tuple(layers), "pytorch")


@st.composite
def residual_nets(draw, framework):
    """Residual additions over dense and convolution stacks: identity shortcuts where the shapes agree,
    1×1 projections (with bias) where the width or the stride changes."""
    image = draw(st.booleans())
    shape = (draw(st.integers(4, 10)),) * 2 + (draw(st.integers(1, 4)),) if image else (draw(SIZES),)
    layers = []
    for _ in range(draw(st.integers(1, 4))):
        if image:
            k = draw(st.sampled_from((1, 3)))
            layers.append(L("Conv2D", draw(st.integers(1, 5)), kernel=(k, k), strides=(draw(st.integers(1, 2)),) * 2,
                            padding=(k // 2, k // 2) if framework == "pytorch" else "same", bias=draw(st.booleans())))
        else:
            layers.append(L("Dense", draw(SIZES), bias=draw(st.booleans())))
        if draw(st.booleans()):
            layers.append(L("Activation"))
        if draw(st.booleans()):
            skip = draw(st.integers(1, len(layers)))
            spec = NetworkSpec(shape, tuple(layers), framework)
            counted = count_network(spec)
            here = counted.output_shape
            short = counted.layers[-skip].input_shape
            if tuple(short) != tuple(here) and image and -(-short[0] // here[0]) ** 1 * here[0] < short[0]:
                continue
            layers.append(L("Add", skip=skip, projection=tuple(short) != tuple(here)))
    assume(any(layer.kind == "Add" for layer in layers))
    return NetworkSpec(shape, tuple(layers), framework)


@st.composite
def dot_attention_nets(draw, framework):
    """Keras ``layers.Attention`` (dot-product, optionally a learned scale) of a sequence on the input sequence."""
    d = draw(SIZES)
    layers = []
    if draw(st.booleans()):
        layers.append(L("Dense", d))
    layers.append(L("DotAttention", use_scale=draw(st.booleans())))
    return NetworkSpec((draw(st.integers(1, 6)), d), tuple(layers), "keras")


REFERENCE_STRATEGIES = {"llm_blocks": (llm_blocks, ("pytorch",)),
                        "named_pieces": (named_pieces, ("pytorch", "keras")),
                        "cnn_blocks": (cnn_blocks, ("pytorch",)),
                        "residual": (residual_nets, ("pytorch", "keras")),
                        "dot_attention": (dot_attention_nets, ("keras",))}
REFERENCE_RUNS = [(family, fw) for family, (_, fws) in REFERENCE_STRATEGIES.items() for fw in fws]
# examples per run, as a multiple of NLQA_ORACLE_EXAMPLES: the torch references of small blocks take
# milliseconds and have many switches to combine (25 examples missed Q/K/V-only biases); a Keras model
# takes about half a second to build (half the examples for the Keras reference families)
WEIGHTS = {("llm_blocks", "pytorch"): 6, ("named_pieces", "pytorch"): 4, ("residual", "pytorch"): 4,
           ("cnn_blocks", "pytorch"): 2, ("dot_attention", "keras"): 2, ("residual", "keras"): 0.5,
           ("named_pieces", "keras"): 0.5}


@pytest.mark.parametrize("family,framework", REFERENCE_RUNS, ids=[f"{f}-{fw}" for f, fw in REFERENCE_RUNS])
def test_oracle_random_blocks_agree(family, framework):
    _needs(framework)
    strategy, _ = REFERENCE_STRATEGIES[family]

    @settings(max_examples=max(1, int(int(os.environ.get("NLQA_ORACLE_EXAMPLES", "25")) * WEIGHTS.get((family, framework), 1))))
    @given(strategy(framework))
    def check(spec):
        (_torch_agrees if framework == "pytorch" else _keras_agrees)(spec)

    check()


COVERAGE = __import__("tomllib").loads((Path(__file__).parent / "data" / "oracle_coverage.toml").read_text(encoding="utf-8"))
ALL_STRATEGIES = {**STRATEGIES, **{name: strategy for name, (strategy, _) in REFERENCE_STRATEGIES.items()}}
COVERAGE_RUNS = [(family, fw) for family, fws in COVERAGE.items() for fw in fws]


def test_oracle_coverage_table_lists_the_families_checked_here():
    """tests/data/oracle_coverage.toml (read by the main venv's coverage test) names these families,
    for the frameworks each is run against."""
    assert set(COVERAGE) == set(ALL_STRATEGIES)
    for name, (_, fws) in REFERENCE_STRATEGIES.items():
        assert set(COVERAGE[name]) == set(fws), name


@pytest.mark.parametrize("family,framework", COVERAGE_RUNS, ids=[f"{f}-{fw}" for f, fw in COVERAGE_RUNS])
def test_oracle_family_generates_the_kinds_the_coverage_table_lists(family, framework):
    """The kinds a family's strategy draws (many cheap draws, no framework run) are those listed for it."""
    seen = set()

    @settings(max_examples=300)
    @given(ALL_STRATEGIES[family](framework))
    def draw(spec):
        seen.update(layer.kind for layer in spec.layers)

    draw()
    assert sorted(seen) == sorted(COVERAGE[family][framework])


@pytest.mark.parametrize("c_in,c_out,k,stride,pad,groups,bias", [(3, 8, 3, 1, 1, 1, False), (4, 6, 5, 2, 2, 2, True),
                                                                 (6, 9, 1, 1, 0, 3, False)])
def test_oracle_conv_bn_block_in_keras_adds_the_moving_statistics(c_in, c_out, k, stride, pad, groups, bias):
    """The convention difference of every block with a BatchNorm (ConvBN, ResNet, MobileNet, DenseNet,
    Inception blocks): the core counts them as PyTorch does (γ, β; running statistics are buffers);
    built in Keras, the same block lists 2·C_out more weights, all non-trainable."""
    _needs("keras")
    import keras
    spec = NetworkSpec((9, 9, c_in), (L("ConvBN", c_out, kernel=(k, k), strides=(stride, stride), padding=(pad, pad),
                                        groups=groups, bias=bias, batchnorm=True),), "pytorch")
    count = count_network(spec)
    inputs = keras.Input(spec.input)
    y, made = refs.keras_ConvBN(keras, spec.layers[0], inputs, [inputs], None)
    model = keras.Model(inputs, y)
    trainable = sum(math.prod(w.shape) for w in model.trainable_weights)
    assert (model.count_params(), trainable, tuple(y.shape[1:])) == (
        count.totals["total_parameters"] + 2 * c_out, count.totals["trainable_parameters"], count.output_shape)
