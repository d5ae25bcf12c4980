"""Produce tests/data/reference_counts.jsonl: parameter counts measured from real frameworks.

This script is documentation of how the reference file was made. It is NOT part of
nlqa, is never imported by the tests, and is not needed at runtime. The numbers in the
file come from the frameworks themselves (Keras ``layer.count_params()`` /
``model.count_params()``, PyTorch ``p.numel()`` over ``module.parameters()``), never
from nlqa and never from hand formulas.  The closed-form formulas below are only used
as a cross-check: any disagreement is printed to stderr as "SURPRISE".

Oracle environment (kept outside the project):

    python3 -m venv /tmp/oracle_ref
    /tmp/oracle_ref/bin/pip install torch==2.13.0 keras
    # used for the committed file: torch 2.13.0+cpu, keras 3.15.1, Python 3.11.7

Regenerate (from the project root):

    KERAS_BACKEND=torch /tmp/oracle_ref/bin/python benchmarks/make_reference_counts.py \
        > tests/data/reference_counts.jsonl

Line format (one network per line):
    id, framework ("keras" | "pytorch" | "textbook"), input (shape without batch,
    channels-last / (time, features); null = unknown number of time steps),
    layers (kind, units, and only non-default options), expect (total_parameters,
    trainable_parameters, non_trainable_parameters, per_layer, output_shape when
    known), source (which framework/version/call produced the numbers).

"textbook" lines use textbook conventions: SimpleRNN u(i+u+1), LSTM 4u(i+u+1),
GRU 3u(i+u+1) (= Keras GRU(reset_after=False)), Dense in*out+out. They are measured
with the Keras equivalent; an input like [3] means "3 features per time step" and is
fed to Keras as Input((None, 3)) when the network has a recurrent layer.
"""

import os
import re
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

if keras.backend.backend() != "torch":
    sys.exit("run with KERAS_BACKEND=torch")

KERAS_SRC = f"keras {keras.__version__} (torch backend, torch {torch.__version__}) layer.count_params() / model.count_params()"
TORCH_SRC = f"torch {torch.__version__} sum(p.numel() for p in module.parameters()); per_layer split by _l<k> parameter suffix"
TEXTBOOK_SRC = (
    f"textbook convention (SimpleRNN u(i+u+1), LSTM 4u(i+u+1), GRU 3u(i+u+1), Dense in*out+out); "
    f"measured with the Keras equivalent (GRU reset_after=False), keras {keras.__version__} "
    f"(torch backend, torch {torch.__version__}) model.count_params()"
)

RECURRENT = ("SimpleRNN", "LSTM", "GRU")
surprises = []


# ---------------------------------------------------------------------------------
# spec helpers
# ---------------------------------------------------------------------------------
def L(kind, units, **opts):
    """One layer entry in spec form; only non-default options are kept."""
    d = {"kind": kind, "units": units}
    defaults = {"bias": True, "bidirectional": False, "merge_mode": "concat",
                "return_sequences": False, "proj_size": 0}
    for k, v in opts.items():
        if k in defaults and defaults[k] == v:
            continue
        d[k] = v
    return d


def shape_list(shape):
    return [None if s is None else int(s) for s in shape]


# ---------------------------------------------------------------------------------
# closed-form cross-check (NOT used for the expected values)
# ---------------------------------------------------------------------------------
def formula(framework, layer, i):
    """Return (count, output_features) by the formulas given in the brief."""
    k, u = layer["kind"], layer["units"]
    b = 1 if layer.get("bias", True) else 0
    dirs = 2 if layer.get("bidirectional") else 1
    if k == "Dense":
        return i * u + b * u, u
    if framework == "pytorch":
        p = layer.get("proj_size", 0)
        h = p or u
        gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[k]
        n = gates * u * (i + h + 2 * b) + p * u
        return dirs * n, dirs * h
    # keras / textbook
    if k == "SimpleRNN":
        n = u * (i + u + b)
    elif k == "LSTM":
        n = 4 * u * (i + u + b)
    else:  # GRU
        reset_after = layer.get("reset_after", framework == "keras")
        n = 3 * u * (i + u + (2 * b if reset_after else b))
    merge = layer.get("merge_mode", "concat")
    out = dirs * u if merge == "concat" and dirs == 2 else u
    return dirs * n, out


def cross_check(rec):
    i = rec["input"][-1]
    for idx, (layer, measured) in enumerate(zip(rec["layers"], rec["expect"]["per_layer"])):
        expected, i = formula(rec["framework"], layer, i)
        if expected != measured:
            surprises.append(f"{rec['id']} layer {idx} {layer}: framework={measured} formula={expected}")


# ---------------------------------------------------------------------------------
# Keras
# ---------------------------------------------------------------------------------
def keras_layer(spec):
    kind = spec["kind"]
    use_bias = spec.get("bias", True)
    if kind == "Dense":
        return keras.layers.Dense(spec["units"], use_bias=use_bias)
    kw = dict(use_bias=use_bias, return_sequences=spec.get("return_sequences", False))
    if kind == "GRU" and "reset_after" in spec:
        kw["reset_after"] = spec["reset_after"]
    cell = getattr(keras.layers, kind)(spec["units"], **kw)
    if spec.get("bidirectional"):
        return keras.layers.Bidirectional(cell, merge_mode=spec.get("merge_mode", "concat"))
    return cell


def measure_keras(case_id, framework, input_shape, layers, keras_input=None):
    keras.backend.clear_session()
    model = keras.Sequential([keras.Input(tuple(keras_input or input_shape))]
                             + [keras_layer(s) for s in layers])
    assert len(model.layers) == len(layers)
    per_layer = [int(l.count_params()) for l in model.layers]
    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    non_trainable = sum(int(w.numpy().size) for w in model.non_trainable_weights)
    total = int(model.count_params())
    assert total == sum(per_layer) == trainable + non_trainable
    expect = {"total_parameters": total, "trainable_parameters": trainable,
              "non_trainable_parameters": non_trainable, "per_layer": per_layer}
    out = shape_list(model.output_shape[1:])
    if framework == "textbook" and None in out:
        pass  # input given as features only: time axis not part of the spec
    else:
        expect["output_shape"] = out
    rec = {"id": case_id, "framework": framework, "input": list(input_shape),
           "layers": layers, "expect": expect,
           "source": TEXTBOOK_SRC if framework == "textbook" else KERAS_SRC}
    cross_check(rec)
    return rec


def K(case_id, input_shape, *layers):
    return measure_keras(case_id, "keras", input_shape, list(layers))


def T(case_id, features, *layers):
    rec_input = None
    if any(l["kind"] in RECURRENT for l in layers):
        rec_input = [None, features]
    return measure_keras(case_id, "textbook", [features], list(layers), keras_input=rec_input)


# ---------------------------------------------------------------------------------
# PyTorch
# ---------------------------------------------------------------------------------
TORCH_KIND = {"RNN": "SimpleRNN", "LSTM": "LSTM", "GRU": "GRU"}


def PT_rnn(cls, hidden, num_layers=1, bias=True, bidirectional=False, proj_size=0):
    """A torch recurrent block (one nn.RNN/LSTM/GRU module, possibly multi-layer)."""
    return ("rnn", cls, dict(hidden_size=hidden, num_layers=num_layers, bias=bias,
                             bidirectional=bidirectional, proj_size=proj_size))


def PT_linear(out, bias=True):
    return ("linear", out, bias)


class RecurrentOut(nn.Module):
    """Wrap a torch recurrent module so it returns only the output sequence."""

    def __init__(self, m):
        super().__init__()
        self.m = m

    def forward(self, x):
        return self.m(x)[0]


def measure_torch(case_id, input_shape, *blocks):
    feat = input_shape[-1]
    modules, layers, per_layer = [], [], []
    for block in blocks:
        if block[0] == "linear":
            _, out, bias = block
            m = nn.Linear(feat, out, bias=bias)
            modules.append(m)
            layers.append(L("Dense", out, bias=bias))
            per_layer.append(sum(p.numel() for p in m.parameters()))
            feat = out
            continue
        _, cls, kw = block
        if kw["proj_size"] == 0:
            kw = {k: v for k, v in kw.items() if k != "proj_size"}
        m = getattr(nn, cls)(feat, batch_first=True, **kw)
        modules.append(RecurrentOut(m))
        counts = {}
        for name, p in m.named_parameters():
            k = int(re.search(r"_l(\d+)(_reverse)?$", name).group(1))
            counts[k] = counts.get(k, 0) + p.numel()
        assert sorted(counts) == list(range(kw["num_layers"]))
        for k in range(kw["num_layers"]):
            per_layer.append(counts[k])
            layers.append(L(TORCH_KIND[cls], kw["hidden_size"], bias=kw["bias"],
                            bidirectional=kw["bidirectional"],
                            proj_size=kw.get("proj_size", 0), return_sequences=True))
        dirs = 2 if kw["bidirectional"] else 1
        feat = dirs * (kw.get("proj_size", 0) or kw["hidden_size"])
    model = nn.Sequential(*modules)
    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    assert total == sum(per_layer)
    expect = {"total_parameters": total, "trainable_parameters": trainable,
              "non_trainable_parameters": total - trainable, "per_layer": per_layer}
    concrete = [5 if s is None else s for s in input_shape]
    with torch.no_grad():
        y = model(torch.zeros(1, *concrete))
    if None not in input_shape:
        expect["output_shape"] = list(y.shape[1:])
    rec = {"id": case_id, "framework": "pytorch", "input": list(input_shape),
           "layers": layers, "expect": expect, "source": TORCH_SRC}
    cross_check(rec)
    return rec


P = measure_torch


# ---------------------------------------------------------------------------------
# the cases
# ---------------------------------------------------------------------------------
def cases():
    rs = dict(return_sequences=True)
    # ---- Keras -------------------------------------------------------------------
    yield K("keras-dense-1d", [4], L("Dense", 3))
    yield K("keras-dense-1d-nobias", [4], L("Dense", 3, bias=False))
    yield K("keras-dense-seq", [5, 4], L("Dense", 3))
    yield K("keras-dense-seq-nobias", [5, 4], L("Dense", 3, bias=False))
    yield K("keras-dense-seq-unknown-t", [None, 6], L("Dense", 2))
    yield K("keras-dense-stack", [8], L("Dense", 16), L("Dense", 4), L("Dense", 1))
    yield K("keras-simplernn-single", [10, 3], L("SimpleRNN", 5))
    yield K("keras-simplernn-stack", [3, 1], L("SimpleRNN", 6, **rs), L("SimpleRNN", 6), L("Dense", 1))
    yield K("keras-simplernn-seq-unknown-t", [None, 6], L("SimpleRNN", 4, **rs))
    yield K("keras-simplernn-nobias", [4, 2], L("SimpleRNN", 3, bias=False))
    yield K("keras-lstm-single", [7, 2], L("LSTM", 8))
    yield K("keras-lstm-stack", [None, 5], L("LSTM", 16, **rs), L("LSTM", 8))
    yield K("keras-lstm-nobias", [7, 2], L("LSTM", 8, bias=False))
    yield K("keras-gru-single", [6, 3], L("GRU", 4))
    yield K("keras-gru-reset-after-false", [6, 3], L("GRU", 4, reset_after=False))
    yield K("keras-gru-stack-mixed-reset", [6, 3], L("GRU", 8, **rs), L("GRU", 4, reset_after=False))
    yield K("keras-gru-stack", [None, 10], L("GRU", 12, **rs), L("GRU", 12, **rs), L("GRU", 6))
    yield K("keras-gru-nobias", [6, 3], L("GRU", 4, bias=False))
    yield K("keras-gru-nobias-reset-after-false", [6, 3], L("GRU", 4, bias=False, reset_after=False))
    yield K("keras-bi-simplernn-concat", [5, 3], L("SimpleRNN", 4, bidirectional=True))
    yield K("keras-bi-simplernn-sum", [5, 3], L("SimpleRNN", 4, bidirectional=True, merge_mode="sum"))
    yield K("keras-bi-lstm-concat-seq", [5, 3], L("LSTM", 4, bidirectional=True, **rs))
    yield K("keras-bi-lstm-sum", [5, 3], L("LSTM", 4, bidirectional=True, merge_mode="sum"))
    yield K("keras-bi-gru-concat", [8, 2], L("GRU", 6, bidirectional=True))
    yield K("keras-bi-gru-sum-reset-after-false", [8, 2],
            L("GRU", 6, bidirectional=True, merge_mode="sum", reset_after=False))
    yield K("keras-bi-lstm-ave", [5, 3], L("LSTM", 4, bidirectional=True, merge_mode="ave"))
    yield K("keras-bi-gru-mul-seq", [5, 3], L("GRU", 4, bidirectional=True, merge_mode="mul", **rs))
    yield K("keras-bi-stack-concat-sum-dense", [None, 4],
            L("LSTM", 8, bidirectional=True, **rs),
            L("LSTM", 4, bidirectional=True, merge_mode="sum"), L("Dense", 2))
    yield K("keras-simplernn-dense", [12, 2], L("SimpleRNN", 10), L("Dense", 3))
    yield K("keras-lstm-lstm-dense", [20, 1], L("LSTM", 32, **rs), L("LSTM", 16), L("Dense", 1))
    yield K("keras-gru-seq-dense-td", [9, 4], L("GRU", 5, **rs), L("Dense", 2))
    # ---- PyTorch -----------------------------------------------------------------
    yield P("pytorch-linear", [4], PT_linear(3))
    yield P("pytorch-linear-nobias", [4], PT_linear(3, bias=False))
    yield P("pytorch-linear-seq", [5, 4], PT_linear(3))
    yield P("pytorch-rnn-single", [10, 3], PT_rnn("RNN", 5))
    yield P("pytorch-rnn-2layer", [10, 3], PT_rnn("RNN", 5, num_layers=2))
    yield P("pytorch-rnn-bi", [10, 3], PT_rnn("RNN", 5, bidirectional=True))
    yield P("pytorch-rnn-nobias", [10, 3], PT_rnn("RNN", 5, bias=False))
    yield P("pytorch-lstm-single", [7, 2], PT_rnn("LSTM", 8))
    yield P("pytorch-lstm-2layer", [7, 2], PT_rnn("LSTM", 8, num_layers=2))
    yield P("pytorch-lstm-3layer-unknown-t", [None, 6], PT_rnn("LSTM", 10, num_layers=3))
    yield P("pytorch-lstm-bi-2layer", [7, 2], PT_rnn("LSTM", 8, num_layers=2, bidirectional=True))
    yield P("pytorch-lstm-nobias", [7, 2], PT_rnn("LSTM", 8, bias=False))
    yield P("pytorch-gru-single", [6, 3], PT_rnn("GRU", 4))
    yield P("pytorch-gru-3layer", [6, 3], PT_rnn("GRU", 4, num_layers=3))
    yield P("pytorch-gru-bi", [6, 3], PT_rnn("GRU", 4, bidirectional=True))
    yield P("pytorch-gru-bi-nobias-2layer", [6, 3], PT_rnn("GRU", 4, num_layers=2, bias=False, bidirectional=True))
    yield P("pytorch-lstm-proj", [7, 10], PT_rnn("LSTM", 20, proj_size=5))
    yield P("pytorch-lstm-proj-2layer", [7, 10], PT_rnn("LSTM", 20, num_layers=2, proj_size=5))
    yield P("pytorch-lstm-proj-bi-2layer", [7, 3], PT_rnn("LSTM", 16, num_layers=2, proj_size=4, bidirectional=True))
    yield P("pytorch-lstm-proj-nobias", [7, 10], PT_rnn("LSTM", 20, proj_size=5, bias=False))
    yield P("pytorch-rnn-linear", [12, 2], PT_rnn("RNN", 10), PT_linear(3))
    yield P("pytorch-lstm-lstm-linear", [20, 1], PT_rnn("LSTM", 32), PT_rnn("LSTM", 16), PT_linear(1))
    yield P("pytorch-bi-gru-linear", [8, 4], PT_rnn("GRU", 6, bidirectional=True), PT_linear(2))
    # ---- textbook (measured with the Keras equivalent) ---------------------------
    yield T("textbook-simplernn-stack-dense", 3, L("SimpleRNN", 6, **rs), L("SimpleRNN", 6), L("Dense", 1))
    yield T("textbook-simplernn-single", 4, L("SimpleRNN", 8))
    yield T("textbook-lstm-single", 10, L("LSTM", 20))
    yield T("textbook-gru-single", 10, L("GRU", 20, reset_after=False))
    yield T("textbook-dense", 4, L("Dense", 3))
    yield T("textbook-lstm-stack-dense", 3, L("LSTM", 6, **rs), L("LSTM", 6), L("Dense", 1))
    yield T("textbook-gru-dense", 5, L("GRU", 4, reset_after=False), L("Dense", 2))
    yield T("textbook-lstm-gru-dense", 2, L("LSTM", 8, **rs), L("GRU", 4, reset_after=False), L("Dense", 1))


def main():
    from reference_output import write_cases
    write_cases(cases(), surprises, "count")


if __name__ == "__main__":
    main()
