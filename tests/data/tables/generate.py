"""Writes the framework tables the summary tests read: real output of Keras 3 ``model.summary()``,
torchinfo ``summary()``, torchsummary ``summary()`` and PyTorch ``print(model)``.

Run with the oracle venv (torch 2.13.0 CPU, Keras 3 on JAX, torchinfo, torchsummary), never in CI:

    KERAS_BACKEND=jax /work/oracle/bin/python tests/data/tables/generate.py

Each network is written once per framework to ``<name>.<style>.txt`` beside this file, with
``<name>.counts.json`` holding each layer's count and the total as the framework reports them.
"""

import contextlib
import io
import json
import os
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")
HERE = Path(__file__).parent


def keras_models():
    import keras
    from keras import layers as L

    def seq(name, shape, *ls):
        return name, keras.Sequential([keras.Input(shape)] + list(ls), name=name)

    yield seq("mnist_cnn", (28, 28, 1), L.Conv2D(32, 3, activation="relu"), L.Conv2D(64, 3, activation="relu"),
              L.MaxPooling2D(2), L.Dropout(0.25), L.Flatten(), L.Dense(128, activation="relu"),
              L.Dropout(0.5), L.Dense(10, activation="softmax"))
    yield seq("same_stride", (64, 64, 3), L.Conv2D(16, 5, strides=2, padding="same"), L.BatchNormalization(),
              L.MaxPooling2D(3, padding="same"), L.Conv2D(8, 1), L.GlobalAveragePooling2D(), L.Dense(4))
    yield seq("text_lstm", (40,), L.Embedding(5000, 64), L.Bidirectional(L.LSTM(32, return_sequences=True)),
              L.GRU(16), L.Dense(1, activation="sigmoid"))
    yield seq("mlp_bn", (4096,), L.Dense(512, activation="relu"), L.BatchNormalization(), L.Dropout(0.5),
              L.Dense(80, activation="sigmoid"))
    yield seq("rnn_seq", (28, 28), L.SimpleRNN(128), L.Dense(10, activation="softmax"))
    yield seq("conv1d", (100, 8), L.Conv1D(16, 7, activation="relu"), L.MaxPooling1D(2), L.Conv1D(4, 3),
              L.Flatten(), L.Dense(2, use_bias=False))


def torch_models():
    import torch.nn as nn

    yield "lenet", (1, 28, 28), nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
                                             nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(),
                                             nn.Linear(16 * 5 * 5, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(),
                                             nn.Linear(84, 10))
    yield "quickstart", (1, 28, 28), nn.Sequential(nn.Flatten(), nn.Linear(28 * 28, 512), nn.ReLU(),
                                                  nn.Linear(512, 512), nn.ReLU(), nn.Linear(512, 10))
    yield "conv_bn", (3, 32, 32), nn.Sequential(nn.Conv2d(3, 32, 3, stride=2, padding=1, bias=False),
                                               nn.BatchNorm2d(32), nn.ReLU(), nn.Conv2d(32, 64, 3),
                                               nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))


def main():
    import torchinfo
    import torchsummary

    for name, model in keras_models():
        out = io.StringIO()
        model.summary(print_fn=lambda line, **kw: out.write(line + "\n"))
        (HERE / f"{name}.keras3.txt").write_text(out.getvalue())
        counts = {"framework": "keras", "layers": [int(l.count_params()) for l in model.layers],
                  "total": int(model.count_params())}
        (HERE / f"{name}.counts.json").write_text(json.dumps(counts) + "\n")
    for name, shape, model in torch_models():
        stats = torchinfo.summary(model, input_size=(1,) + shape, verbose=0, depth=3)
        (HERE / f"{name}.torchinfo.txt").write_text(str(stats) + "\n")
        buf = io.StringIO()
        with contextlib.redirect_stdout(buf):
            torchsummary.summary(model, shape, device="cpu")
        (HERE / f"{name}.torchsummary.txt").write_text(buf.getvalue())
        (HERE / f"{name}.repr.txt").write_text(repr(model) + "\n")
        leaves = [m for m in model.modules() if not list(m.children())]
        counts = {"framework": "pytorch", "layers": [sum(p.numel() for p in m.parameters()) for m in leaves],
                  "total": sum(p.numel() for p in model.parameters())}
        (HERE / f"{name}.counts.json").write_text(json.dumps(counts) + "\n")


if __name__ == "__main__":
    main()
