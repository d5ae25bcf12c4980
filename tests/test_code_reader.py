"""The code reader (nlqa/reader/code/notation.py, script.py, source.py): what pasted code says, never run.

Layers are checked as (kind, units) in the order data flows; whole questions are answered in
tests/test_corpus.py from corpus/scripts.jsonl (gold values run in PyTorch and Keras).
"""

from __future__ import annotations

import re
import textwrap

import pytest

from nlqa.answer import answer
from nlqa.reader.code.notation import MAX_LAYERS, CodeReading, read_code
from nlqa.reader.code.source import parse_source


def _read(code: str) -> CodeReading:
    return read_code(textwrap.dedent(code).strip("\n"))


def _layers(reading: CodeReading) -> list[tuple[str, int | None]]:
    return [(c.spec.kind, c.spec.units) for c in reading.layers if not c.spec.implicit]


def _value(question: str):
    got = answer(textwrap.dedent(question).strip("\n"))
    assert got.status == "answered", got.message
    return got.value


# -- the call-by-call scan keeps working -----------------------------------------------------------

def test_code_reader_inline_calls_keep_their_place():
    reading = read_code("An LSTM(64, input_shape=(10, 3)) feeds Dense(1). Parameters?")
    assert _layers(reading) == [("LSTM", 64), ("Dense", 1)]
    assert reading.input_shape == (10, 3) and reading.frameworks == {"keras"}
    assert re.sub(r"\s+", " ", reading.text) == "An LAYERREF0 feeds LAYERREF1 . Parameters?"
    assert not reading.script


def test_code_reader_one_line_sequential_is_unchanged():
    reading = read_code("nn.Sequential(nn.Linear(10, 5), nn.ReLU(), nn.Linear(5, 1))\nHow many parameters?")
    assert _layers(reading) == [("Dense", 5), ("Activation", None), ("Dense", 1)]
    assert reading.text.split() == ["LAYERREF0", "LAYERREF1", "LAYERREF2", "How", "many", "parameters?"]


# -- whole scripts -------------------------------------------------------------------------------

def test_code_reader_module_orders_layers_by_forward():
    reading = _read("""
        import torch.nn as nn
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.out = nn.Linear(16, 2)
                self.hidden = nn.Linear(8, 16)
            def forward(self, x):
                return self.out(self.hidden(x).relu())
        model = Net()
    """)
    assert _layers(reading) == [("Dense", 16), ("Dense", 2)]
    assert reading.script and reading.frameworks == {"pytorch"} and reading.input_shape == (8,)


def test_code_reader_module_without_forward_keeps_definition_order():
    reading = _read("""
        class Classifier(nn.Module):
            def __init__(self):
                super().__init__()
                self.emb = nn.Embedding(10000, 100)
                self.lstm = nn.LSTM(100, 128, batch_first=True)
                self.fc = nn.Linear(128, 4)
        How many parameters does Classifier have?
    """)
    assert _layers(reading) == [("Embedding", 100), ("LSTM", 128), ("Dense", 4)]
    assert any("never instantiated" in note for note in reading.notes)


def test_code_reader_unused_pytorch_layer_is_counted_and_noted():
    reading = _read("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.body = nn.Linear(32, 16)
                self.head = nn.Linear(16, 4)
                self.spare = nn.Linear(4, 4)
            def forward(self, x):
                return self.head(self.body(x))
        model = Net()
    """)
    assert _layers(reading) == [("Dense", 16), ("Dense", 4), ("Dense", 4)]
    assert any("not used in forward()" in note and "still counted" in note for note in reading.notes)


def test_code_reader_unused_layer_that_cannot_follow_is_declined():
    reading = _read("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(10, 32)
                self.fc2 = nn.Linear(32, 1)
                self.extra = nn.Linear(32, 8)
            def forward(self, x):
                return self.fc2(self.fc1(x))
        model = Net()
    """)
    assert any("not used in forward()" in p for p in reading.problems)


def test_code_reader_unused_keras_layer_holds_no_parameters():
    reading = _read("""
        class M(keras.Model):
            def __init__(self):
                super().__init__()
                self.a = layers.Dense(8)
                self.b = layers.Dense(3)
            def call(self, x):
                return self.a(x)
        model = M()
        model(np.zeros((2, 5)))
    """)
    assert _layers(reading) == [("Dense", 8)] and reading.input_shape == (5,)
    assert any("never builds it" in note for note in reading.notes)


def test_code_reader_keras_functional_follows_the_data():
    reading = _read("""
        inputs = keras.Input(shape=(784,))
        unused = layers.Dense(999)(inputs)
        x = layers.Dense(64, activation="relu")(inputs)
        x = layers.Dropout(0.5)(x)
        outputs = layers.Dense(10)(x)
        model = keras.Model(inputs=inputs, outputs=outputs)
    """)
    assert _layers(reading) == [("Dense", 64), ("Dropout", None), ("Dense", 10)]
    assert reading.input_shape == (784,)


@pytest.mark.parametrize("merge, declined", [("layers.add([x, h])", False), ("layers.Add()([x, h])", False),
                                             ("layers.concatenate([x, h])", True),
                                             ("layers.Concatenate()([x, y])", True)])
def test_code_reader_keras_merges(merge, declined):
    reading = _read(f"""
        inputs = keras.Input(shape=(16,))
        h = layers.Dense(16)(inputs)
        x = layers.Dense(16)(h)
        y = layers.Dense(16)(inputs)
        z = {merge}
        model = keras.Model(inputs, layers.Dense(1)(z))
    """)
    assert bool(reading.problems) == declined
    if not declined:
        assert _layers(reading) == [("Dense", 16), ("Dense", 16), ("Dense", 1)]


def test_code_reader_ordered_dict_and_module_list():
    reading = _read("""
        from collections import OrderedDict
        model = nn.Sequential(OrderedDict([
            ("fc1", nn.Linear(4, 8)),
            ("act", nn.ReLU()),
            ("blocks", nn.ModuleList([nn.Linear(8, 8) for _ in range(3)])),
        ]))
    """)
    assert _layers(reading) == [("Dense", 8), ("Activation", None)] + [("Dense", 8)] * 3


def test_code_reader_loops_constants_and_defaults():
    reading = _read("""
        HIDDEN = 32
        DEPTH = 2
        def build(n_in=12, n_out=3):
            model = Sequential()
            model.add(Dense(HIDDEN, input_dim=n_in))
            for i in range(DEPTH):
                model.add(Dense(HIDDEN // (i + 1)))
            model.add(Dense(n_out))
            return model
        model = build(n_out=5)
    """)
    assert _layers(reading) == [("Dense", 32), ("Dense", 32), ("Dense", 16), ("Dense", 5)]
    assert reading.input_shape == (12,)


def test_code_reader_layers_from_zip_and_star():
    reading = _read("""
        sizes = [784, 256, 10]
        layers = []
        for a, b in zip(sizes[:-1], sizes[1:]):
            layers += [nn.Linear(a, b), nn.ReLU()]
        model = nn.Sequential(*layers[:-1])
    """)
    assert _layers(reading) == [("Dense", 256), ("Activation", None), ("Dense", 10)]


def test_code_reader_forward_flatten_is_an_implied_layer():
    reading = _read("""
        class CNN(nn.Module):
            def __init__(self):
                super().__init__()
                self.conv = nn.Conv2d(1, 4, 3)
                self.fc = nn.Linear(4 * 26 * 26, 10)
            def forward(self, x):
                x = self.conv(x).relu()
                return self.fc(x.view(x.size(0), -1))
        model = CNN()
    """)
    kinds = [(c.spec.kind, c.spec.implicit) for c in reading.layers]
    assert kinds == [("Conv2D", False), ("Flatten", True), ("Dense", False)]


def test_code_reader_frozen_layers_are_not_trainable():
    reading = _read("""
        model = keras.Sequential([keras.Input(shape=(10,)), layers.Dense(4), layers.Dense(2)])
        model.layers[0].trainable = False
    """)
    assert [c.spec.trainable for c in reading.layers] == [False, True]


def test_code_reader_picks_the_model_that_is_queried():
    reading = _read("""
        small = nn.Sequential(nn.Linear(2, 2))
        big = nn.Sequential(nn.Linear(4, 8), nn.Linear(8, 1))
        other = nn.Sequential(nn.Linear(3, 3))
        print(sum(p.numel() for p in big.parameters() if p.requires_grad))
    """)
    assert _layers(reading) == [("Dense", 8), ("Dense", 1)]
    assert "trainable parameters" in reading.text


def test_code_reader_unknown_arguments_are_named():
    reading = _read("""
        class Net(nn.Module):
            def __init__(self, n_in):
                super().__init__()
                self.fc = nn.Linear(n_in, 4)
        model = Net(X.shape[1])
    """)
    assert reading.unknown_args and "in_features" in reading.unknown_args[0]


MODULE = "class N(nn.Module):\n    def __init__(self):\n        super().__init__()\n"


@pytest.mark.parametrize("code, problem", [
    ("model = torchvision.models.resnet18()\nmodel.fc = nn.Linear(512, 10)\nprint(model)", "torchvision"),
    (MODULE + "        self.w = nn.ParameterList(make_weights())\nmodel = N()", "ParameterList"),
    (MODULE + "        self.layers = [nn.Linear(2, 2)]\n    def forward(self, x):\n        return self.layers[0](x)\n"
     "model = N()", "plain Python list"),
    ("model = nn.Sequential(nn.Linear(4, 4), nn.Bilinear(4, 4, 2))", "nlqa does not know"),
    ("if use_big:\n    model = nn.Sequential(nn.Linear(4, 64))\nelse:\n    model = nn.Sequential(nn.Linear(4, 8))",
     "condition"),
    ("model = Sequential()\nfor n in sizes:\n    model.add(Dense(n))", "loop over sizes"),
    (MODULE + "        self.a = nn.Linear(2, 2)\n    def forward(self, x):\n        return self.b(self.a(x))\n"
     "model = N()", "self.b"),
])
def test_code_reader_declines_what_it_cannot_count(code, problem):
    reading = read_code(code + "\nHow many parameters?")
    assert any(problem in p for p in reading.problems), reading.problems
    assert answer(code + "\nHow many parameters?").status == "unsupported"


# -- prompts, fences, broken code ----------------------------------------------------------------

def test_code_reader_notebook_prompts_and_output():
    text = ("In [3]: model = nn.Sequential(nn.Linear(100, 50), nn.ReLU(), nn.Linear(50, 10))\n\n"
            "In [4]: sum(p.numel() for p in model.parameters())\nOut[4]: ???\n\nwhat is Out[4]?")
    reading = read_code(text)
    assert _layers(reading) == [("Dense", 50), ("Activation", None), ("Dense", 10)]
    assert "In [" not in reading.text and "Out[4]" not in reading.text and "what is that cell?" in reading.text
    assert _value(text) == 5560


def test_code_reader_repl_prompts_with_continuations():
    text = (">>> model = nn.Sequential(\n...     nn.Linear(2, 3),\n...     nn.Linear(3, 1),\n... )\n"
            ">>> model\nSequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n)\n"
            "How many parameters?")
    reading = read_code(text)
    assert _layers(reading) == [("Dense", 3), ("Dense", 1)]
    assert _value(text) == 13


def test_code_reader_fenced_and_indented_code():
    code = "model = keras.Sequential([keras.Input(shape=(4,)), layers.Dense(3)])"
    for text in (f"My model:\n```python\n{code}\n```\nParameters?", f"My model:\n\n    {code}\n\nParameters?"):
        assert _layers(read_code(text)) == [("Dense", 3)]
        assert _value(text) == 15


def test_code_reader_syntax_error_elsewhere_is_skipped():
    text = ("model = keras.Sequential([keras.Input(shape=(12,)), layers.Dense(4)])\n"
            "model.fit(x, y epochs=5)\nHow many parameters?")
    source = parse_source(text)
    assert 1 in source.broken and 0 in source.code
    assert _value(text) == 52


def test_code_reader_syntax_error_in_the_model_falls_back_to_the_scan():
    text = "model = nn.Sequential(\n    nn.Linear(4, 8),\n    nn.ReLU()\n    nn.Linear(8, 2))\nParameters?"
    reading = read_code(text)
    assert _layers(reading) == [("Dense", 8), ("Activation", None), ("Dense", 2)]
    assert not reading.script


def test_code_reader_syntax_error_inside_a_class_loses_only_that_line():
    text = textwrap.dedent("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(4, 8
                self.fc2 = nn.Linear(8, 2)
            def forward(self, x):
                return self.fc2(self.fc1(x))
        model = Net()
    """)
    reading = read_code(text)   # forward uses self.fc1, which did not parse: declined, not 18
    assert any("self.fc1" in p for p in reading.problems)


def test_code_reader_smart_quotes_are_read_as_quotes():
    text = "model = Sequential()\nmodel.add(Dense(32, activation=\u2019relu\u2019, input_dim=16))\nParameters?"
    assert _value(text) == 544


# -- never executed, always bounded ----------------------------------------------------------------

def test_code_reader_never_executes_anything(tmp_path):
    marker = tmp_path / "ran"
    text = textwrap.dedent(f"""
        import os, subprocess
        os.system("touch {marker}")
        open("{marker}", "w").write("x")
        __import__("os").system("touch {marker}")
        exec("open('{marker}', 'w')")
        subprocess.run(["touch", "{marker}"])
        model = nn.Sequential(nn.Linear(3, 2))
    """)
    reading = read_code(text)
    assert _layers(reading) == [("Dense", 2)]
    assert not marker.exists()


@pytest.mark.parametrize("code", [
    "while True:\n    pass\nmodel = nn.Sequential(nn.Linear(2, 2))",
    "def f(n):\n    return f(n + 1)\nf(0)\nmodel = nn.Sequential(nn.Linear(2, 2))",
    "class A(nn.Module):\n    def __init__(self):\n        super().__init__()\n        self.a = A()\nmodel = A()",
    "for i in range(10**12):\n    print(i)\nmodel = nn.Sequential(nn.Linear(2, 2))",
    "x = 'a' * 10**9\nmodel = nn.Sequential(nn.Linear(2, 2))",
    "x = [0] * 10**9\nmodel = nn.Sequential(nn.Linear(2, 2))",
    "x = 2 ** 2 ** 2 ** 2 ** 2 ** 2\nmodel = nn.Sequential(nn.Linear(x, 2))",
    "x = " + "+".join(["1"] * 20_000) + "\nmodel = nn.Sequential(nn.Linear(2, 2))",
    "x = " + "[" * 90 + "]" * 90 + "\nmodel = nn.Sequential(nn.Linear(2, 2))",
    "(" * 10_000,
    "model = nn.Sequential(" + "nn.Linear(4, 4), " * 5_000 + ")",
    "model = nn.Sequential(*[nn.Linear(4, 4) for _ in range(5000)])",
    "layers = []\nfor i in range(1000):\n    for j in range(1000):\n        layers.append(nn.Linear(2, 2))",
], ids=["while", "recursion", "self-instantiating", "huge-loop", "huge-string", "huge-list", "power-tower",
        "long-sum", "deep-list", "parens", "5000-layers", "5000-comprehension", "nested-loops"])
def test_code_reader_is_bounded(code):
    reading = read_code(code + "\nHow many parameters?")
    assert len(reading.layers) <= MAX_LAYERS
    assert answer(code + "\nHow many parameters?").status in ("answered", "needs_clarification", "unsupported")


def test_code_reader_caps_layers_with_a_message():
    reading = read_code("model = nn.Sequential(" + "nn.Linear(4, 4), " * 1_200 + ")")
    assert reading.layers == [] and any("1,000 layers" in p for p in reading.problems)
    inline = read_code("Dense(4), " * 1_200)
    assert len(inline.layers) == MAX_LAYERS and any("1,000 layers" in p for p in inline.problems)


def test_code_reader_sequential_subclass():
    reading = _read("""
        class MLP(nn.Sequential):
            def __init__(self, n_in=4, hidden=8):
                super().__init__(nn.Linear(n_in, hidden), nn.ReLU(), nn.Linear(hidden, 1))
        model = MLP()
    """)
    assert _layers(reading) == [("Dense", 8), ("Activation", None), ("Dense", 1)]


def test_code_reader_keras_call_that_branches_is_declined():
    reading = _read("""
        class M(keras.Model):
            def __init__(self):
                super().__init__()
                self.a = layers.Dense(8)
                self.b = layers.Dense(8)
                self.out = layers.Dense(1)
            def call(self, x):
                return self.out(layers.concatenate([self.a(x), self.b(x)]))
        model = M()
    """)
    assert any("concatenated" in p for p in reading.problems)


def test_code_reader_pytorch_branches_are_never_a_wrong_count():
    got = answer(textwrap.dedent("""
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.a = nn.Linear(10, 5)
                self.b = nn.Linear(10, 5)
                self.out = nn.Linear(10, 1)
            def forward(self, x):
                return self.out(torch.cat([self.a(x), self.b(x)], dim=1))
        model = Net()
        How many parameters?
    """))
    assert got.status != "answered" or got.value == 121      # 55 + 55 + 11


@pytest.mark.parametrize("noise", ["x = " + "f(" * 300 + ")" * 300, "x = " + "+".join(["1"] * 30_000),
                                   "print('\\x00')\x00", "def broken(:\n    pass"],
                         ids=["deep-calls", "long-sum", "nul-byte", "broken-def"])
def test_code_reader_one_bad_statement_does_not_lose_the_model(noise):
    reading = read_code(f"model = nn.Sequential(nn.Linear(2, 3))\n{noise}\nHow many parameters?")
    assert _layers(reading) == [("Dense", 3)] and reading.script


def test_code_reader_prose_describing_the_script_adds_no_layers():
    got = answer("model = keras.Sequential([keras.Input(shape=(20,)), layers.Dense(8), layers.Dense(1)])\n"
                 "The model has 2 layers of 8 and 1 units. How many parameters?")
    assert (got.status, got.value) == ("answered", 177)


@pytest.mark.parametrize("block", ["if args.big:\n    hidden = 128", "for _ in range(2):\n    hidden = hidden * 2",
                                   "while hidden < 100:\n    hidden += 16", "for h in loader:\n    hidden = h"],
                         ids=["unknown-condition", "loop-not-run", "while", "unknown-iterable"])
def test_code_reader_names_changed_in_blocks_it_skips_are_unknown(block):
    reading = read_code(f"hidden = 64\n{block}\nmodel = nn.Sequential(nn.Linear(10, hidden))\nParameters?")
    assert reading.unknown_args and "hidden" in reading.unknown_args[0]     # never the stale 64
