"""Property-based tests (hypothesis; the "ci" profile of conftest.py: fixed seed, 100 examples).

- Any text, however broken (control characters, brackets, markup, numbers, code fragments), is
  answered without raising and with a known status; an answered value adds up.
- Any valid dense/recurrent network, written in words by ``nlqa.related.describe``, is read back
  and answered with exactly the count the core computes for it.
- The same networks pasted as code (a PyTorch ``nn.Module`` defined in a shuffled order, a Keras
  ``Sequential`` built with ``add``, with notebook prompts or a Markdown fence) give the same count.
- The code reader never raises on mangled code, and every placeholder it writes names a layer.
"""

from __future__ import annotations

import re
import textwrap

from hypothesis import given, strategies as st

from nlqa.answer import answer
from nlqa.core import count_network
from nlqa.core.spec import LayerSpec, NetworkSpec
from nlqa.reader.code.notation import CodeLayer, read_code
from nlqa.related import describe

STATUSES = {"answered", "needs_clarification", "unsupported"}
KINDS = ("Dense", "SimpleRNN", "LSTM", "GRU")
FRAGMENTS = [
    "how many", "parameters", "trainable", "weights", "layer", "layers", "LSTM", "GRU", "dense", "hidden",
    "units", "neurons", "inputs", "output", "of", "and", "with", "a", "the", "?", ".", ",", "-", "->", "x",
    "(", ")", "[", "]", "{", "}", "(3,1)", "3x3", "28x28x3", "10^30", "10**30", "-5", "0", "1e9", "30,522",
    "1.5M", "4k", "·", "×", "²", "$\\times$", "&amp;", "[bold]", "[/bold]", "[link=http://x]", "[/]",
    "\x1b[31m", "\x1b[2J", "\x1b]8;;x\x07", "\x00", "\x7f", "\ufffd", "\n", "\t", ">>> ", "... ", "In [1]: ",
    "Out[2]:", "```", "#", "'", '"', "\\", "=", ":", "*", "Dense(", "nn.Linear(", "LSTM(64)", "keras.Input(shape=(",
    "nn.Sequential(", "model.add(", "self.fc = nn.Linear(4, 2)", "class Net(nn.Module):", "def forward(self, x):",
    "    ", "for i in range(", "import torch.nn as nn", "return_sequences=True", "input_shape=(",
]
TEXTS = st.one_of(
    st.text(max_size=300),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.integers(-10**6, 10**6).map(str), st.text(max_size=4)),
             max_size=50).flatmap(lambda parts: st.sampled_from([" ".join(parts), "".join(parts)])),
)


@st.composite
def dense_rnn_specs(draw) -> NetworkSpec:
    """1–4 layers of Dense/SimpleRNN/LSTM/GRU with a dense last layer; sizes 1–512."""
    n = draw(st.integers(1, 4))
    kinds = [draw(st.sampled_from(KINDS)) for _ in range(n - 1)] + ["Dense"]
    layers = tuple(LayerSpec(kind, draw(st.integers(1, 512))) for kind in kinds)
    return NetworkSpec((draw(st.integers(1, 512)),), layers)


def _total(spec: NetworkSpec, framework: str = "textbook") -> int:
    return count_network(spec.with_(framework=framework)).totals["total_parameters"]


@given(TEXTS)
def test_properties_random_text_never_raises(text):
    got = answer(text)
    assert got.status in STATUSES
    if got.status == "answered":
        assert isinstance(got.value, (int, list))
        if got.network and got.totals:
            assert sum(layer["params"] for layer in got.network["layers"]) == got.totals["total_parameters"]
    else:
        assert got.value is None and got.message


@given(dense_rnn_specs())
def test_properties_described_specs_read_back(spec):
    question = describe(spec) + " How many parameters does it have?"
    got = answer(question)
    assert (got.status, got.value) == ("answered", _total(spec)), question


# -- the same networks as pasted code -------------------------------------------------------------

def _torch_layers(spec: NetworkSpec) -> list[tuple[str, str, bool]]:
    """(attribute, constructor, recurrent) for each layer, with the sizes PyTorch declares."""
    out, width = [], spec.input[-1]
    names = {"Dense": "nn.Linear({i}, {u})", "SimpleRNN": "nn.RNN({i}, {u}, batch_first=True)",
             "LSTM": "nn.LSTM({i}, {u}, batch_first=True)", "GRU": "nn.GRU({i}, {u}, batch_first=True)"}
    for k, layer in enumerate(spec.layers):
        out.append((f"layer{k}", names[layer.kind].format(i=width, u=layer.units), layer.kind != "Dense"))
        width = layer.units
    return out


def _torch_script(spec: NetworkSpec, order: list[int], style: str) -> str:
    layers = _torch_layers(spec)
    init = "\n".join(f"        self.{layers[k][0]} = {layers[k][1]}" for k in order)
    steps = "\n".join(f"        x, _ = self.{name}(x)" if rnn else f"        x = torch.relu(self.{name}(x))"
                      for name, _, rnn in layers)
    code = ("import torch\nimport torch.nn as nn\n\n\nclass Net(nn.Module):\n    def __init__(self):\n"
            "        super().__init__()\n" + init + "\n\n    def forward(self, x):\n" + steps
            + "\n        return x\n\n\nmodel = Net()\nprint(sum(p.numel() for p in model.parameters()))")
    return _styled(code, style)


def _keras_script(spec: NetworkSpec, style: str) -> str:
    recurrent = [layer.kind != "Dense" for layer in spec.layers]
    shape = f"(None, {spec.input[-1]})" if any(recurrent) else f"({spec.input[-1]},)"
    lines = ["from tensorflow import keras", "from tensorflow.keras import layers", "",
             "model = keras.Sequential()", f"model.add(keras.Input(shape={shape}))"]
    for k, layer in enumerate(spec.layers):
        sequences = recurrent[k] and any(recurrent[k + 1:])
        extra = ", return_sequences=True" if sequences else ""
        lines.append(f"model.add(layers.{layer.kind}({layer.units}{extra}))")
    lines.append('model.compile(optimizer="adam", loss="mse")')
    lines.append("model.summary()")
    return _styled("\n".join(lines), style)


def _styled(code: str, style: str) -> str:
    if style == "fence":
        return "Here is my model:\n\n```python\n" + code + "\n```\n\nHow many parameters does it have?"
    if style == "indented":
        return "My model:\n\n" + textwrap.indent(code, "    ") + "\n\nHow many parameters does it have?"
    if style == "repl":
        out = []
        for line in code.splitlines():
            out.append(("... " if line.startswith((" ", "\t")) else ">>> ") + line if line.strip() else "...")
        return "\n".join(out) + "\n\nWhat number is printed?"
    return code + "\n\n# how many parameters does this model have?"


STYLES = st.sampled_from(["plain", "fence", "indented", "repl"])


@given(dense_rnn_specs(), st.randoms(use_true_random=False), STYLES)
def test_properties_specs_as_pytorch_modules(spec, rng, style):
    order = list(range(len(spec.layers)))
    rng.shuffle(order)                  # __init__ order is not forward order
    question = _torch_script(spec, order, style)
    got = answer(question)
    assert (got.status, got.value) == ("answered", _total(spec, "pytorch")), question


@given(dense_rnn_specs(), STYLES)
def test_properties_specs_as_keras_sequential(spec, style):
    question = _keras_script(spec, style)
    got = answer(question)
    assert (got.status, got.value) == ("answered", _total(spec, "keras")), question


CODE_TEXTS = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.integers(-100, 5000).map(str),
                                st.sampled_from(["\n", "\n    ", "\n        ", ")", "(", ", "])),
                      max_size=60).map("".join)


@given(st.one_of(CODE_TEXTS, dense_rnn_specs().map(lambda s: _torch_script(s, list(range(len(s.layers))), "plain"))),
       st.integers(0, 400), st.integers(0, 40))
def test_properties_code_reader_never_raises(text, cut, length):
    mangled = text[:cut] + text[cut + length:]        # a piece cut out: syntax errors anywhere
    reading = read_code(mangled)
    assert all(isinstance(layer, CodeLayer) for layer in reading.layers)
    for ref in re.findall(r"LAYERREF(\d+)", reading.text):
        assert int(ref) < len(reading.layers)
