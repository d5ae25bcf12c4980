"""Produce tests/data/reference_counts_cnn.jsonl: conv / pooling / normalisation / embedding
parameter counts and output shapes measured from real frameworks.

Like benchmarks/make_reference_counts.py this script only documents how the reference file was
made. It is NOT part of nlqa, is never imported by the tests, and is not needed at runtime. The
numbers come from the frameworks themselves -- Keras ``layer.count_params()`` /
``model.trainable_weights`` / ``model.output_shape``, PyTorch ``p.numel()`` over
``module.parameters()`` (``requires_grad`` for trainable) and the shape of a real forward pass --
never from nlqa. The closed-form formulas in ``formula()`` (the ones docs/conventions.md states) are
only a cross-check: any disagreement is printed to stderr as "SURPRISE".

Oracle environment (kept outside the project):

    python3 -m venv /tmp/oracle_ref
    /tmp/oracle_ref/bin/pip install torch==2.13.0 keras

Regenerate (from the project root):

    KERAS_BACKEND=torch /tmp/oracle_ref/bin/python benchmarks/make_reference_counts_cnn.py \
        > tests/data/reference_counts_cnn.jsonl

Line format (one network per line):
    id; framework ("keras" | "pytorch" | "textbook");
    input: shape without batch, channels-last whatever the framework -- [H, W, C] for images,
        [L, C] for 1-D signals, [D, H, W, C] for volumes/video, [T] (sequence length) or [F]
        (features) for embeddings / dense input;
    layers: layer dicts with only non-default options, e.g.
        {"kind": "Conv2D", "units": 32, "kernel": [3, 3], "strides": [2, 2], "padding": "same"}
        padding is "valid" (default, omitted) | "same" | explicit per-side numbers [ph, pw]
        (PyTorch only; Keras has no numeric padding). Pooling layers always carry "pool";
        "strides" only when given explicitly (default = pool). Dropout / Flatten / pooling count
        as layers (0 parameters); activations are not listed.
    expect: total_parameters, trainable_parameters, non_trainable_parameters, per_layer (one
        count per entry of "layers", all of that layer's parameters, trainable or not),
        output_shape (channels-last, no batch);
    source: which framework / version / call produced the numbers.

PyTorch lines are built channels-first (the spec is converted: [H, W, C] -> (C, H, W)); their
output_shape is converted back to channels-last. BatchNorm in PyTorch counts weight + bias (2C);
running_mean / running_var / num_batches_tracked are buffers and are not counted. PyTorch
LayerNorm appears only where the normalised axis is the last one ([F] or [T, d] inputs).
"textbook" lines are measured with the Keras equivalent (textbook = Keras for conv, pooling,
BatchNorm 4C, embedding and LSTM).
"""

import math
import os
import sys

os.environ.setdefault("KERAS_BACKEND", "torch")

import keras  # noqa: E402
import torch  # noqa: E402
from torch import nn  # noqa: E402

if keras.backend.backend() != "torch":
    sys.exit("run with KERAS_BACKEND=torch")

KL = keras.layers
KERAS_SRC = (f"keras {keras.__version__} (torch backend, torch {torch.__version__}) layer.count_params() / "
             f"model.trainable_weights / model.output_shape")
TORCH_SRC = (f"torch {torch.__version__} sum(p.numel() for p in module.parameters()) (requires_grad for "
             f"trainable); output shape from a forward pass, converted to channels-last")
TEXTBOOK_SRC = f"textbook convention, measured with the Keras equivalent: {KERAS_SRC}"

CONV = ("Conv1D", "Conv2D", "Conv3D")
POOL = ("MaxPooling1D", "MaxPooling2D", "MaxPooling3D", "AveragePooling1D", "AveragePooling2D",
        "AveragePooling3D")
GLOBAL = ("GlobalAveragePooling1D", "GlobalAveragePooling2D", "GlobalMaxPooling1D", "GlobalMaxPooling2D",
          "GlobalAveragePooling3D", "GlobalMaxPooling3D")
RECURRENT = ("SimpleRNN", "LSTM", "GRU")
surprises = []


# ---------------------------------------------------------------------------------
# spec helpers
# ---------------------------------------------------------------------------------
def S(kind, units=None, **opts):
    """One layer dict with only non-default options."""
    d = {"kind": kind}
    if units is not None:
        d["units"] = units
    defaults = {"padding": "valid", "groups": 1, "bias": True, "depth_multiplier": 1,
                "center": True, "scale": True, "trainable": True, "return_sequences": False}
    for k, v in opts.items():
        if isinstance(v, tuple):
            v = list(v)
        if k in defaults and defaults[k] == v:
            continue
        if k in ("strides", "dilation") and kind not in POOL and all(x == 1 for x in v):
            continue
        if k == "output_padding" and all(x == 0 for x in v):
            continue
        d[k] = v
    return d


def conv(kind, units, k, **opts):
    n = {"Conv1D": 1, "Conv2D": 2, "Conv3D": 3}[kind]
    return S(kind, units, kernel=[k] * n if isinstance(k, int) else list(k), **opts)


def Conv1D(units, k, **o): return conv("Conv1D", units, k, **o)            # noqa: E704
def Conv2D(units, k, **o): return conv("Conv2D", units, k, **o)            # noqa: E704
def Conv3D(units, k, **o): return conv("Conv3D", units, k, **o)            # noqa: E704
def Dense(units, **o): return S("Dense", units, **o)                        # noqa: E704
def BN(**o): return S("BatchNormalization", **o)                            # noqa: E704
def LN(): return S("LayerNormalization")                                    # noqa: E704
def Flatten(): return S("Flatten")                                          # noqa: E704
def Dropout(): return S("Dropout")                                          # noqa: E704
def Glob(kind): return S(kind)                                              # noqa: E704
def Emb(vocab, d, **o): return {"kind": "Embedding", "vocab": vocab, **S("Embedding", d, **o)}  # noqa: E704


def Pool(kind, pool, **o):
    n = int(kind[-2])
    return S(kind, pool=[pool] * n if isinstance(pool, int) else list(pool), **o)


def Depthwise(k, **o):
    return S("DepthwiseConv2D", kernel=[k, k] if isinstance(k, int) else list(k), **o)


def Separable(units, k, **o):
    return S("SeparableConv2D", units, kernel=[k, k] if isinstance(k, int) else list(k), **o)


def Transposed(units, k, s, **o):
    return S("Conv2DTranspose", units, kernel=[k, k], strides=[s, s], **o)


def Rec(kind, units, **o):
    return S(kind, units, **o)


# ---------------------------------------------------------------------------------
# closed-form cross-check (NOT used for the expected values)
# ---------------------------------------------------------------------------------
def conv_side(n, k, s, d, pad, framework):
    ke = d * (k - 1) + 1
    if pad == "same":
        return math.ceil(n / s) if framework != "pytorch" else n
    p = 0 if pad == "valid" else pad
    return (n + 2 * p - ke) // s + 1


def formula(framework, L, shape):
    """(params, trainable, output_shape) by the docs/conventions.md formulas."""
    kind, b = L["kind"], (1 if L.get("bias", True) else 0)
    c = shape[-1]
    spatial = shape[:-1]
    n = len(spatial)

    def sides(key, default):
        return L.get(key, [default] * n)

    def pads():
        p = L.get("padding", "valid")
        return [p] * n if isinstance(p, str) else p

    if kind in CONV or kind in ("DepthwiseConv2D", "SeparableConv2D"):
        k, s, d = L["kernel"], sides("strides", 1), sides("dilation", 1)
        out_sp = [conv_side(x, kk, ss, dd, pp, framework) for x, kk, ss, dd, pp in zip(spatial, k, s, d, pads())]
        kk = math.prod(k)
        m = L.get("depth_multiplier", 1)
        if kind == "DepthwiseConv2D":
            return kk * c * m + b * c * m, None, out_sp + [c * m]
        if kind == "SeparableConv2D":
            u = L["units"]
            return kk * c * m + c * m * u + b * u, None, out_sp + [u]
        u, g = L["units"], L.get("groups", 1)
        return kk * (c // g) * u + b * u, None, out_sp + [u]
    if kind == "Conv2DTranspose":
        k, s, d, u = L["kernel"], L["strides"], sides("dilation", 1), L["units"]
        op = L.get("output_padding", [0] * n)
        out_sp = []
        for x, kk, ss, dd, pp, oo in zip(spatial, k, s, d, pads(), op):
            if framework == "pytorch":
                out_sp.append((x - 1) * ss - 2 * (0 if pp == "valid" else pp) + dd * (kk - 1) + oo + 1)
            elif pp == "same":
                out_sp.append(x * ss)
            else:
                out_sp.append(x * ss + max(kk - ss, 0))
        return math.prod(k) * c * u + b * u, None, out_sp + [u]
    if kind in POOL:
        pool = L["pool"]
        s = L.get("strides", pool)
        return 0, None, [conv_side(x, kk, ss, 1, pp, framework)
                         for x, kk, ss, pp in zip(spatial, pool, s, pads())] + [c]
    if kind in GLOBAL:
        return 0, None, [c]
    if kind == "Flatten":
        return 0, None, [math.prod(shape)]
    if kind == "Dropout":
        return 0, None, list(shape)
    if kind == "Dense":
        u = L["units"]
        return c * u + b * u, None, list(shape[:-1]) + [u]
    if kind == "BatchNormalization":
        if framework == "pytorch":
            return 2 * c, 2 * c, list(shape)
        learn = (1 if L.get("center", True) else 0) + (1 if L.get("scale", True) else 0)
        return learn * c + 2 * c, learn * c, list(shape)
    if kind == "LayerNormalization":
        return 2 * c, None, list(shape)
    if kind == "Embedding":
        v, dd = L["vocab"], L["units"]
        return v * dd, (v * dd if L.get("trainable", True) else 0), list(shape) + [dd]
    if kind in RECURRENT:
        u = L["units"]
        gates = {"SimpleRNN": 1, "LSTM": 4, "GRU": 3}[kind]
        if framework == "pytorch" or (kind == "GRU" and framework == "keras"
                                      and L.get("reset_after", True)):
            p = gates * u * (c + u + 2 * b)
        else:
            p = gates * u * (c + u + b)
        out = list(shape[:-1]) + [u] if L.get("return_sequences") else [u]
        return p, None, out
    raise ValueError(kind)


def cross_check(rec):
    shape = list(rec["input"])
    trainable = 0
    fw = rec["framework"]
    for idx, (L, measured) in enumerate(zip(rec["layers"], rec["expect"]["per_layer"])):
        params, tr, shape = formula(fw, L, shape)  # Embedding: [T] -> [T, d]
        trainable += params if tr is None else tr
        if params != measured:
            surprises.append(f"{rec['id']} layer {idx + 1} {L}: framework={measured} formula={params}")
    if trainable != rec["expect"]["trainable_parameters"]:
        surprises.append(f"{rec['id']}: trainable framework={rec['expect']['trainable_parameters']} "
                         f"formula={trainable}")
    if shape != rec["expect"]["output_shape"]:
        surprises.append(f"{rec['id']}: output framework={rec['expect']['output_shape']} formula={shape}")


# ---------------------------------------------------------------------------------
# Keras
# ---------------------------------------------------------------------------------
def keras_layer(L):
    kind = L["kind"]
    bias = L.get("bias", True)
    pad = L.get("padding", "valid")
    if kind in CONV or kind in ("DepthwiseConv2D", "SeparableConv2D", "Conv2DTranspose"):
        assert isinstance(pad, str), "Keras has no numeric padding"
        n = len(L["kernel"])
        kw = dict(kernel_size=tuple(L["kernel"]), strides=tuple(L.get("strides", [1] * n)), padding=pad,
                  dilation_rate=tuple(L.get("dilation", [1] * n)), use_bias=bias)
        if kind == "DepthwiseConv2D":
            return KL.DepthwiseConv2D(depth_multiplier=L.get("depth_multiplier", 1), **kw)
        if kind == "SeparableConv2D":
            return KL.SeparableConv2D(L["units"], depth_multiplier=L.get("depth_multiplier", 1), **kw)
        if kind == "Conv2DTranspose":
            if "output_padding" in L:
                kw["output_padding"] = tuple(L["output_padding"])
            return KL.Conv2DTranspose(L["units"], **kw)
        return getattr(KL, kind)(L["units"], groups=L.get("groups", 1), **kw)
    if kind in POOL:
        # pool_size is always passed: Keras 3 AveragePooling*D has no default pool_size
        return getattr(KL, kind)(pool_size=tuple(L["pool"]),
                                 strides=tuple(L["strides"]) if "strides" in L else None, padding=pad)
    if kind in GLOBAL or kind in ("Flatten",):
        return getattr(KL, kind)()
    if kind == "Dropout":
        return KL.Dropout(0.5)
    if kind == "Dense":
        return KL.Dense(L["units"], use_bias=bias)
    if kind == "BatchNormalization":
        return KL.BatchNormalization(center=L.get("center", True), scale=L.get("scale", True))
    if kind == "LayerNormalization":
        return KL.LayerNormalization()
    if kind == "Embedding":
        return KL.Embedding(L["vocab"], L["units"], trainable=L.get("trainable", True))
    if kind in RECURRENT:
        kw = dict(return_sequences=L.get("return_sequences", False), use_bias=bias)
        if kind == "GRU" and "reset_after" in L:
            kw["reset_after"] = L["reset_after"]
        return getattr(KL, kind)(L["units"], **kw)
    raise ValueError(kind)


def measure_keras(case_id, framework, input_shape, layers):
    keras.backend.clear_session()
    token_ids = layers[0]["kind"] == "Embedding"
    model = keras.Sequential([keras.Input(tuple(input_shape), dtype="int32" if token_ids else "float32")]
                             + [keras_layer(L) for L in layers])
    assert len(model.layers) == len(layers)
    per_layer = [int(l.count_params()) for l in model.layers]
    trainable = sum(int(w.numpy().size) for w in model.trainable_weights)
    non_trainable = sum(int(w.numpy().size) for w in model.non_trainable_weights)
    total = int(model.count_params())
    assert total == sum(per_layer) == trainable + non_trainable
    # a real forward pass must agree with the static shape inference
    x = (keras.ops.zeros((1, *input_shape), dtype="int32") if token_ids
         else keras.ops.zeros((1, *input_shape)))
    y = model(x)
    out = [int(s) for s in model.output_shape[1:]]
    assert list(y.shape[1:]) == out, (case_id, y.shape, out)
    rec = {"id": case_id, "framework": framework, "input": list(input_shape), "layers": layers,
           "expect": {"total_parameters": total, "trainable_parameters": trainable,
                      "non_trainable_parameters": non_trainable, "per_layer": per_layer,
                      "output_shape": out},
           "source": TEXTBOOK_SRC if framework == "textbook" else KERAS_SRC}
    cross_check(rec)
    return rec


def K(case_id, input_shape, *layers):
    return measure_keras(case_id, "keras", input_shape, list(layers))


def TB(case_id, input_shape, *layers):
    return measure_keras(case_id, "textbook", input_shape, list(layers))


# ---------------------------------------------------------------------------------
# PyTorch
# ---------------------------------------------------------------------------------
class ToChannelsFirst(nn.Module):
    """(N, L, C) token layout -> (N, C, L), for a Conv1D after an Embedding."""

    def forward(self, x):
        return x.transpose(1, 2)


class GlobalPool(nn.Module):
    def __init__(self, op):
        super().__init__()
        self.op = op

    def forward(self, x):  # channels-first: reduce every axis after the channel axis
        dims = tuple(range(2, x.dim()))
        return x.mean(dims) if self.op == "avg" else x.amax(dims)


class Recurrent(nn.Module):
    def __init__(self, m, return_sequences):
        super().__init__()
        self.m, self.seq = m, return_sequences

    def forward(self, x):
        y = self.m(x)[0]
        return y if self.seq else y[:, -1]


def torch_pad(pad):
    if isinstance(pad, str):
        return pad  # "valid" / "same" (stride 1 only)
    return tuple(pad)


def torch_layer(L, c, layout):
    """Return (module, new_layout). layout: 'cf' channels-first tensor, 'cl' (N, ..., C), 'tok' ids."""
    kind = L["kind"]
    bias = L.get("bias", True)
    if kind in CONV or kind in ("DepthwiseConv2D", "Conv2DTranspose"):
        n = len(L["kernel"])
        kw = dict(kernel_size=tuple(L["kernel"]), stride=tuple(L.get("strides", [1] * n)),
                  dilation=tuple(L.get("dilation", [1] * n)), bias=bias)
        pad = L.get("padding", "valid")
        if kind == "Conv2DTranspose":
            kw["padding"] = 0 if pad == "valid" else tuple(pad)
            kw["output_padding"] = tuple(L.get("output_padding", [0] * n))
            m = nn.ConvTranspose2d(c, L["units"], **kw)
        elif kind == "DepthwiseConv2D":
            mult = L.get("depth_multiplier", 1)
            m = nn.Conv2d(c, c * mult, groups=c, padding=torch_pad(pad), **kw)
        else:
            cls = {"Conv1D": nn.Conv1d, "Conv2D": nn.Conv2d, "Conv3D": nn.Conv3d}[kind]
            m = cls(c, L["units"], groups=L.get("groups", 1), padding=torch_pad(pad), **kw)
        if layout == "cl":
            m = nn.Sequential(ToChannelsFirst(), m)
        return m, "cf"
    if kind in POOL:
        pad = L.get("padding", "valid")
        assert pad != "same", "PyTorch pooling has no 'same' padding"
        cls = {"MaxPooling1D": nn.MaxPool1d, "MaxPooling2D": nn.MaxPool2d, "MaxPooling3D": nn.MaxPool3d,
               "AveragePooling1D": nn.AvgPool1d, "AveragePooling2D": nn.AvgPool2d,
               "AveragePooling3D": nn.AvgPool3d}[kind]
        return cls(tuple(L["pool"]), stride=tuple(L.get("strides", L["pool"])),
                   padding=0 if pad == "valid" else tuple(pad)), layout
    if kind in GLOBAL:
        assert layout == "cf"
        return GlobalPool("avg" if "Average" in kind else "max"), "cl"
    if kind == "Flatten":
        return nn.Flatten(), "cl"
    if kind == "Dropout":
        return nn.Dropout(0.5), layout
    if kind == "Dense":
        assert layout == "cl", "Dense on a channels-first tensor: add Flatten or global pooling"
        return nn.Linear(c, L["units"], bias=bias), "cl"
    if kind == "BatchNormalization":
        assert L.get("center", True) and L.get("scale", True)
        return None, layout  # chosen in measure_torch from the tensor rank
    if kind == "LayerNormalization":
        assert layout == "cl", "PyTorch LayerNorm here normalises the last axis only"
        return nn.LayerNorm(c), "cl"
    if kind == "Embedding":
        m = nn.Embedding(L["vocab"], L["units"])
        if not L.get("trainable", True):
            m.weight.requires_grad_(False)  # what nn.Embedding.from_pretrained(freeze=True) does
        return m, "cl"
    if kind in RECURRENT:
        assert layout == "cl"
        cls = {"SimpleRNN": nn.RNN, "LSTM": nn.LSTM, "GRU": nn.GRU}[kind]
        return Recurrent(cls(c, L["units"], batch_first=True, bias=bias),
                         L.get("return_sequences", False)), "cl"
    raise ValueError(kind)


def measure_torch(case_id, input_shape, *layers):
    layers = list(layers)
    token_ids = layers[0]["kind"] == "Embedding"
    if token_ids:
        x = torch.zeros(1, *input_shape, dtype=torch.long)
        layout = "tok"
    elif len(input_shape) == 1 or layers[0]["kind"] in ("Dense", "LayerNormalization") + RECURRENT:
        x = torch.zeros(1, *input_shape)  # features / (time, features): already channels-last
        layout = "cl"
    else:  # channels-last spec -> channels-first tensor
        x = torch.zeros(1, input_shape[-1], *input_shape[:-1])
        layout = "cf"
    modules = []
    torch.manual_seed(0)
    with torch.no_grad():
        for L in layers:
            c = x.shape[1] if layout == "cf" else x.shape[-1]
            m, layout_out = torch_layer(L, int(c), layout)
            if m is None:  # BatchNorm: 1d for (N, C) / (N, C, L), 2d, 3d by rank
                assert layout in ("cf",) or x.dim() == 2
                m = {2: nn.BatchNorm1d, 3: nn.BatchNorm1d, 4: nn.BatchNorm2d, 5: nn.BatchNorm3d}[x.dim()](int(c))
            m.eval()
            x = m(x)
            layout = layout_out
            modules.append(m)
    model = nn.Sequential(*modules)
    params = list(model.parameters())
    total = sum(p.numel() for p in params)
    trainable = sum(p.numel() for p in params if p.requires_grad)
    per_layer = [sum(p.numel() for p in m.parameters()) for m in modules]
    assert total == sum(per_layer)
    shape = list(x.shape[1:])
    if layout == "cf":
        shape = shape[1:] + shape[:1]
    rec = {"id": case_id, "framework": "pytorch", "input": list(input_shape), "layers": layers,
           "expect": {"total_parameters": total, "trainable_parameters": trainable,
                      "non_trainable_parameters": total - trainable, "per_layer": per_layer,
                      "output_shape": [int(s) for s in shape]},
           "source": TORCH_SRC}
    cross_check(rec)
    return rec


P = measure_torch


# ---------------------------------------------------------------------------------
# the cases
# ---------------------------------------------------------------------------------
def vgg16_layers():
    out = []
    for n, f in [(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)]:
        out += [Conv2D(f, 3, padding="same") for _ in range(n)] + [Pool("MaxPooling2D", 2)]
    return out + [Flatten(), Dense(4096), Dense(4096), Dense(1000)]


def cases():
    MP, AP = "MaxPooling2D", "AveragePooling2D"
    # ---- Keras: convolutions -------------------------------------------------------
    yield K("keras-conv2d-valid", [28, 28, 1], Conv2D(32, 3))
    yield K("keras-conv2d-same-stride2", [32, 32, 3], Conv2D(16, 3, strides=[2, 2], padding="same"))
    yield K("keras-conv2d-same-stride2-odd", [75, 75, 3], Conv2D(32, 3, strides=[2, 2], padding="same"))
    yield K("keras-conv2d-valid-stride2-remainder", [30, 30, 16], Conv2D(32, 3, strides=[2, 2]))
    yield K("keras-conv2d-nonsquare-same", [17, 17, 192], Conv2D(128, [1, 7], padding="same"))
    yield K("keras-conv2d-dilation", [32, 32, 3], Conv2D(16, 3, dilation=[2, 2]))
    yield K("keras-conv2d-groups", [16, 16, 64], Conv2D(128, 3, groups=4))
    yield K("keras-conv2d-nobias", [32, 32, 32], Conv2D(64, 3, padding="same", bias=False))
    yield K("keras-conv1d", [100, 8], Conv1D(64, 5))
    yield K("keras-conv1d-same-stride2", [50, 16], Conv1D(32, 3, strides=[2], padding="same"))
    yield K("keras-conv1d-dilation", [1000, 1], Conv1D(32, 2, dilation=[4]))
    yield K("keras-conv3d-same", [16, 32, 32, 3], Conv3D(64, 3, padding="same"))
    yield K("keras-conv3d-strided", [8, 64, 64, 1], Conv3D(32, 3, strides=[1, 2, 2]))
    yield K("keras-depthwise-same", [56, 56, 32], Depthwise(3, padding="same"))
    yield K("keras-depthwise-multiplier", [28, 28, 16], Depthwise(5, depth_multiplier=2))
    yield K("keras-separable", [32, 32, 32], Separable(64, 3))
    yield K("keras-separable-same-stride2-odd", [33, 33, 16], Separable(32, 3, strides=[2, 2], padding="same"))
    yield K("keras-transposed-same", [16, 16, 64], Transposed(32, 3, 2, padding="same"))
    yield K("keras-transposed-valid", [7, 7, 32], Transposed(16, 5, 2))
    yield K("keras-transposed-valid-kernel-lt-stride", [7, 7, 8], Transposed(4, 2, 3))
    # ---- Keras: pooling -------------------------------------------------------------
    yield K("keras-maxpool-default", [28, 28, 8], Pool(MP, 2))
    yield K("keras-maxpool-odd-remainder", [15, 15, 8], Pool(MP, 2))
    yield K("keras-maxpool-3-stride2", [55, 55, 96], Pool(MP, 3, strides=[2, 2]))
    yield K("keras-maxpool-3-no-strides", [10, 10, 4], Pool(MP, 3))
    yield K("keras-avgpool-same-stride2", [35, 35, 64], Pool(AP, 3, strides=[2, 2], padding="same"))
    yield K("keras-maxpool1d-odd", [57, 16], Pool("MaxPooling1D", 2))
    yield K("keras-conv-globalmax", [14, 14, 128], Conv2D(256, 3), Glob("GlobalMaxPooling2D"))
    yield K("keras-conv-globalavg-dense", [32, 32, 3], Conv2D(64, 3, padding="same"),
            Conv2D(128, 3, padding="same"), Glob("GlobalAveragePooling2D"), Dense(10))
    yield K("keras-conv1d-pool-gap1d-dense", [128, 1], Conv1D(16, 7), Pool("MaxPooling1D", 2), Conv1D(32, 5),
            Glob("GlobalAveragePooling1D"), Dense(1))
    yield K("keras-mnist-cnn", [28, 28, 1], Conv2D(32, 3), Pool(MP, 2), Conv2D(64, 3), Pool(MP, 2),
            Flatten(), Dropout(), Dense(10))
    # ---- Keras: normalisation ---------------------------------------------------------
    yield K("keras-conv-bn", [28, 28, 1], Conv2D(32, 3), BN())
    yield K("keras-dense-bn", [784], Dense(128), BN(), Dense(10))
    yield K("keras-bn-center-false", [8, 8, 32], BN(center=False))
    yield K("keras-conv-bn-scale-false", [32, 32, 3], Conv2D(64, 3, padding="same"), BN(scale=False))
    yield K("keras-dense-layernorm-seq", [20, 64], Dense(128), LN())
    yield K("keras-cnn-bn-dropout", [32, 32, 3],
            Conv2D(32, 3, padding="same"), BN(), Pool(MP, 2), Dropout(),
            Conv2D(64, 3, padding="same"), BN(), Pool(MP, 2), Dropout(),
            Flatten(), Dense(128), BN(), Dropout(), Dense(10))
    yield K("keras-mobilenet-block", [112, 112, 32], Depthwise(3, padding="same", bias=False), BN(),
            Conv2D(64, 1, bias=False), BN())
    # ---- Keras: embeddings ------------------------------------------------------------
    yield K("keras-embedding-flatten-dense", [20], Emb(10000, 8), Flatten(), Dense(1))
    yield K("keras-embedding-frozen-lstm", [100], Emb(20000, 100, trainable=False), Rec("LSTM", 32), Dense(1))
    yield K("keras-embedding-gru-dense", [30], Emb(20000, 128), Rec("GRU", 64), Dense(5))
    yield K("keras-embedding-lstm-seq", [40], Emb(8000, 100), Rec("LSTM", 64, return_sequences=True))
    yield K("keras-embedding-conv1d-globalmax", [200], Emb(20000, 128), Conv1D(128, 5),
            Glob("GlobalMaxPooling1D"), Dense(1))
    yield K("keras-embedding-layernorm-gap", [60], Emb(1000, 64), LN(), Glob("GlobalAveragePooling1D"), Dense(4))
    # ---- Keras: named networks --------------------------------------------------------
    yield K("keras-lenet5", [32, 32, 1], Conv2D(6, 5), Pool(AP, 2), Conv2D(16, 5), Pool(AP, 2), Flatten(),
            Dense(120), Dense(84), Dense(10))
    yield K("keras-vgg16", [224, 224, 3], *vgg16_layers())
    # ---- PyTorch ---------------------------------------------------------------------
    yield P("pytorch-conv2d-pad1", [32, 32, 3], Conv2D(16, 3, padding=[1, 1]))
    yield P("pytorch-conv2d-stride2-pad1", [224, 224, 3], Conv2D(32, 3, strides=[2, 2], padding=[1, 1]))
    yield P("pytorch-conv2d-same-even-kernel", [32, 32, 3], Conv2D(16, 4, padding="same"))
    yield P("pytorch-conv2d-groups", [16, 16, 64], Conv2D(128, 3, groups=4))
    yield P("pytorch-conv2d-nobias", [8, 8, 64], Conv2D(128, 3, padding=[1, 1], bias=False))
    yield P("pytorch-depthwise-pointwise", [16, 16, 32], Depthwise(3, padding=[1, 1]), Conv2D(64, 1))
    yield P("pytorch-transposed-pad1", [16, 16, 64], Transposed(32, 4, 2, padding=[1, 1]))
    yield P("pytorch-transposed-output-padding", [7, 7, 16],
            Transposed(8, 3, 2, padding=[1, 1], output_padding=[1, 1]))
    yield P("pytorch-conv1d-pad2", [100, 8], Conv1D(64, 5, padding=[2]))
    yield P("pytorch-conv3d-strided-pad1", [8, 64, 64, 1], Conv3D(32, 3, strides=[1, 2, 2], padding=[1, 1, 1]))
    yield P("pytorch-resnet-stem", [224, 224, 3], Conv2D(64, 7, strides=[2, 2], padding=[3, 3]),
            Pool(MP, 3, strides=[2, 2], padding=[1, 1]))
    yield P("pytorch-avgpool-odd-remainder", [15, 15, 8], Pool(AP, 2))
    yield P("pytorch-conv-globalavg-linear", [32, 32, 3], Conv2D(64, 3, padding=[1, 1]),
            Glob("GlobalAveragePooling2D"), Dense(10))
    yield P("pytorch-lenet-mnist", [28, 28, 1], Conv2D(6, 5), Pool(MP, 2), Conv2D(16, 5), Pool(MP, 2), Flatten(),
            Dense(120), Dense(84), Dense(10))
    yield P("pytorch-conv-bn", [32, 32, 3], Conv2D(16, 3, padding=[1, 1]), BN(), Conv2D(32, 3, padding=[1, 1]), BN())
    yield P("pytorch-dense-bn", [20], Dense(50), BN(), Dense(1))
    yield P("pytorch-cnn-bn-flatten-linear", [32, 32, 3], Conv2D(32, 3, padding=[1, 1]), BN(), Pool(MP, 2),
            Conv2D(64, 3, padding=[1, 1]), BN(), Pool(MP, 2), Flatten(), Dense(10))
    yield P("pytorch-layernorm-seq", [10, 768], LN())
    yield P("pytorch-embedding-lstm-linear", [12], Emb(10000, 100), Rec("LSTM", 128), Dense(4))
    yield P("pytorch-embedding-frozen-linear", [7], Emb(30000, 300, trainable=False), Dense(2))
    yield P("pytorch-embedding-conv1d", [50], Emb(5000, 32), Conv1D(16, 3, padding=[1]),
            Glob("GlobalMaxPooling1D"), Dense(1))
    # ---- textbook (measured with the Keras equivalent) ----------------------------------
    yield TB("textbook-conv-bn", [32, 32, 3], Conv2D(32, 3), BN())
    yield TB("textbook-lenet5", [32, 32, 1], Conv2D(6, 5), Pool(AP, 2), Conv2D(16, 5), Pool(AP, 2), Flatten(),
             Dense(120), Dense(84), Dense(10))
    yield TB("textbook-embedding-lstm-dense", [50], Emb(5000, 32), Rec("LSTM", 64), Dense(3))


def main():
    from reference_output import write_cases
    write_cases(cases(), surprises, "count or shape")


if __name__ == "__main__":
    main()
