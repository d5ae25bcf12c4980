"""The core against PyTorch and Keras themselves: runs only where torch (and keras) are installed.

CI runs this file in a second venv with torch 2.13.0, keras, jax and jaxlib (``.ci/run``); the main
venv (``.[test]``) skips it. Two parts:

- tests/data/export_cases.jsonl: the exported code of each question is executed and prints the
  framework count recorded there (the canonical question: Keras 145, PyTorch 157).
- Property tests (hypothesis, fixed seed, bounded examples): random valid networks of every layer
  kind the core counts layer by layer, built from the exported code; each layer's parameters and
  output shape, and the totals, must equal the framework's, under that framework's convention.
"""

from __future__ import annotations

import contextlib
import io
import json
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
